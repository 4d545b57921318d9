#pragma once
// The concrete engines behind open_backend(); nothing outside src/serve/model names them.
#include <memory>

#include "common/status.h"
#include "serve/model/backend.h"
#include "serve/model/model_config.h"

namespace sluice::serve::model::internal {

// Each opens config.weights and returns a Backend whose forward() checks only that the output has one row
// per image (open_backend and LoadedModel check the class count). Errors start with the model's name.
common::Result<std::unique_ptr<Backend>> open_torch_backend(const ModelConfig& config);
common::Result<std::unique_ptr<Backend>> open_opencv_dnn_backend(const ModelConfig& config);

}  // namespace sluice::serve::model::internal
