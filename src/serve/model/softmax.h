#pragma once
// Logits → probabilities, row by row, as the repository applies them to models that output logits.
#include <cstdint>

#include "common/status.h"

namespace sluice::serve::model {

// Replaces each of `rows` rows of `cols` values with its softmax, computed in float after subtracting the
// row's maximum so that large logits (1e4) neither overflow nor lose the answer. kInternal when a row holds
// NaN or ±inf (a broken model), leaving the data unspecified.
common::Status softmax_rows(float* data, int64_t rows, int64_t cols);

}  // namespace sluice::serve::model
