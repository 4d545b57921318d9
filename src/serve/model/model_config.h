#pragma once
// One model of the repository: DIR/<name>/config.json plus its labels file. The format is documented in
// docs/model-repository.md; this is its only reader.
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"
#include "serve/vision/preprocess.h"

namespace sluice::serve::model {

enum class ModelFormat { kTorchScript, kOnnx };
const char* model_format_name(ModelFormat format);  // "torchscript", "onnx"

struct ModelConfig {
  std::string name;     // the directory's name unless config.json says otherwise
  std::string version;  // free text, "1" by default
  ModelFormat format = ModelFormat::kTorchScript;
  std::filesystem::path weights;  // absolute: DIR/<name>/<file>
  std::string sha256;             // lowercase hex, as written in config.json (required)
  vision::PreprocessSpec preprocess;
  bool output_is_logits = true;  // false: the model already outputs probabilities
  std::vector<std::string> labels;
  bool is_default = false;
};

// Reads and validates `model_dir`/config.json and its labels file. Does not touch the weights.
// Errors name the file and the field: "models/mnv2/config.json: input.mean: expected 3 numbers".
common::Result<ModelConfig> load_model_config(const std::filesystem::path& model_dir);

}  // namespace sluice::serve::model
