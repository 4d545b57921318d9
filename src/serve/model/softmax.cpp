#include "serve/model/softmax.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace sluice::serve::model {

common::Status softmax_rows(float* data, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = data + r * cols;
    if (!std::all_of(row, row + cols, [](float v) { return std::isfinite(v); })) {
      return common::internal_error("row " + std::to_string(r) + " of the model's output is not finite");
    }
    const float max = *std::max_element(row, row + cols);
    float sum = 0.0f;
    for (int64_t c = 0; c < cols; ++c) {
      row[c] = std::exp(row[c] - max);
      sum += row[c];
    }
    // sum >= 1: the maximum contributes exp(0).
    for (int64_t c = 0; c < cols; ++c) row[c] /= sum;
  }
  return common::Status::ok();
}

}  // namespace sluice::serve::model
