#pragma once
// The model repository (`--models DIR`): every DIR/<name>/config.json, its weights verified by sha256
// before they are loaded, each opened with its backend. A model that cannot be loaded (bad config, checksum
// mismatch, engine error) is recorded by name and reason, and the others still serve.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "serve/model/backend.h"
#include "serve/model/model_config.h"

namespace sluice::serve::model {

class LoadedModel {
 public:
  LoadedModel(ModelConfig config, std::unique_ptr<Backend> backend, double load_seconds);
  const ModelConfig& config() const { return config_; }
  const char* engine() const { return backend_->engine(); }
  double load_seconds() const { return load_seconds_; }
  size_t num_classes() const { return config_.labels.size(); }
  // n × num_classes probabilities (softmax applied when the model outputs logits). One thread at a time.
  common::Result<std::vector<float>> infer(const float* input, int64_t n);

 private:
  ModelConfig config_;
  std::unique_ptr<Backend> backend_;
  double load_seconds_;
};

struct UnloadableModel {
  std::string name;
  std::string reason;
};

class ModelRepository {
 public:
  // Errors only when `dir` itself is missing or unreadable; per-model failures land in failures().
  static common::Result<std::unique_ptr<ModelRepository>> load(const std::filesystem::path& dir);

  LoadedModel* find(std::string_view name) const;  // nullptr when absent
  // The model whose config says "default": true; else the only one; else the first by name; nullptr if none.
  LoadedModel* default_model() const;
  const std::vector<std::unique_ptr<LoadedModel>>& models() const { return models_; }  // sorted by name
  const std::vector<UnloadableModel>& failures() const { return failures_; }

 private:
  std::vector<std::unique_ptr<LoadedModel>> models_;
  std::vector<UnloadableModel> failures_;
};

// Lowercase hex sha256 of a file, streamed.
common::Result<std::string> sha256_file(const std::filesystem::path& path);

}  // namespace sluice::serve::model
