#include "serve/model/repository.h"

#include <algorithm>
#include <chrono>
#include <system_error>
#include <utility>

#include "serve/model/softmax.h"

namespace sluice::serve::model {

using common::Result;
namespace fs = std::filesystem;

LoadedModel::LoadedModel(ModelConfig config, std::unique_ptr<Backend> backend, double load_seconds)
    : config_(std::move(config)), backend_(std::move(backend)), load_seconds_(load_seconds) {}

Result<std::vector<float>> LoadedModel::infer(const float* input, int64_t n) {
  Result<std::vector<float>> out = backend_->forward(input, n);
  if (!out) return out;
  const int64_t classes = static_cast<int64_t>(num_classes());
  if (static_cast<int64_t>(out->size()) != n * classes) {
    return common::internal_error(config_.name + ": " + std::to_string(n) + " images gave " +
                                  std::to_string(out->size()) + " outputs, expected " + std::to_string(n) +
                                  " × " + std::to_string(classes));
  }
  if (config_.output_is_logits) {
    if (common::Status st = softmax_rows(out->data(), n, classes); !st) {
      return common::internal_error(config_.name + ": " + st.message());
    }
  }
  return out;
}

namespace {

// Checksum, then engine: a model is only opened once its weights are known to be the ones configured.
Result<std::unique_ptr<LoadedModel>> load_one(const fs::path& model_dir) {
  const auto started = std::chrono::steady_clock::now();
  Result<ModelConfig> config = load_model_config(model_dir);
  if (!config) return config.status();
  const std::string file = config->weights.filename().string();
  Result<std::string> actual = sha256_file(config->weights);
  if (!actual) return common::Status(actual.status().code(), config->name + ": " + actual.status().message());
  if (*actual != config->sha256) {
    return common::invalid_argument(config->name + ": " + file + ": sha256 is " + *actual +
                                    ", config.json says " + config->sha256 + "; refusing to load");
  }
  Result<std::unique_ptr<Backend>> backend = open_backend(*config);
  if (!backend) return backend.status();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return std::make_unique<LoadedModel>(std::move(config).value(), std::move(backend).value(), seconds);
}

}  // namespace

Result<std::unique_ptr<ModelRepository>> ModelRepository::load(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return common::not_found(dir.string() + ": " + (ec ? ec.message() : "not a directory"));
  }
  std::vector<fs::path> model_dirs;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    // Hidden directories (.git, editors' scratch) are not models.
    if (it->is_directory(type_ec) && !it->path().filename().string().starts_with(".")) {
      model_dirs.push_back(it->path());
    }
  }
  if (ec) return common::unavailable(dir.string() + ": cannot list: " + ec.message());
  std::sort(model_dirs.begin(), model_dirs.end());

  auto repository = std::unique_ptr<ModelRepository>(new ModelRepository());
  for (const fs::path& model_dir : model_dirs) {
    const std::string dir_name = model_dir.filename().string();
    Result<std::unique_ptr<LoadedModel>> model = load_one(model_dir);
    if (!model) {
      repository->failures_.push_back({dir_name, model.status().message()});
      continue;
    }
    const std::string& name = (*model)->config().name;
    if (repository->find(name) != nullptr) {
      repository->failures_.push_back(
          {dir_name, name + ": " + model_dir.string() + " uses a name another model already has"});
      continue;
    }
    repository->models_.push_back(std::move(model).value());
  }
  // config.json may rename a model, so the order by directory is not necessarily the order by name.
  std::sort(repository->models_.begin(), repository->models_.end(),
            [](const auto& a, const auto& b) { return a->config().name < b->config().name; });
  return repository;
}

LoadedModel* ModelRepository::find(std::string_view name) const {
  for (const auto& model : models_) {
    if (model->config().name == name) return model.get();
  }
  return nullptr;
}

LoadedModel* ModelRepository::default_model() const {
  if (models_.empty()) return nullptr;
  for (const auto& model : models_) {
    if (model->config().is_default) return model.get();  // several: the first by name, as documented
  }
  return models_.front().get();
}

}  // namespace sluice::serve::model
