#include "serve/pull/local_models.h"

#include <unistd.h>

#include <algorithm>

#include "serve/model/model_config.h"
#include "serve/model/repository.h"
#include "serve/pull/model_files.h"

namespace sluice::serve::pull {

namespace fs = std::filesystem;

const char* state_name(LocalModel::State state) {
  switch (state) {
    case LocalModel::State::kOk:
      return "ok";
    case LocalModel::State::kMismatch:
      return "MISMATCH";
    case LocalModel::State::kMissingWeights:
      return "MISSING";
    case LocalModel::State::kBadConfig:
      return "BAD CONFIG";
  }
  return "?";
}

namespace {

LocalModel inspect(const fs::path& model_dir, bool verify) {
  LocalModel m;
  m.name = model_dir.filename().string();
  auto config = model::load_model_config(model_dir);
  if (!config) {
    m.state = LocalModel::State::kBadConfig;
    m.detail = config.status().message();
    return m;
  }
  m.format = model::model_format_name(config->format);
  m.weights = config->weights;
  const std::string file = config->weights.filename().string();
  std::error_code ec;
  const auto size = fs::file_size(config->weights, ec);
  if (ec) {
    m.state = LocalModel::State::kMissingWeights;
    m.detail = file + " is missing: copy the file to " + config->weights.string();
    return m;
  }
  m.size = static_cast<int64_t>(size);
  if (!verify) return m;
  auto sha = model::sha256_file(config->weights);
  if (!sha) {
    m.state = LocalModel::State::kMissingWeights;
    m.detail = sha.status().message();
  } else if (*sha != config->sha256) {
    m.state = LocalModel::State::kMismatch;
    m.detail = file + ": sha256 is " + *sha + ", config.json says " + config->sha256;
  }
  return m;
}

}  // namespace

common::Result<std::vector<LocalModel>> scan_repository(const fs::path& dir, bool verify) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return common::not_found(dir.string() + ": no such model repository");
  std::vector<fs::path> dirs;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with(".") || !it->is_directory(ec)) continue;
    if (fs::exists(it->path() / "config.json", ec)) dirs.push_back(it->path());
  }
  if (ec) return common::unavailable(dir.string() + ": cannot list: " + ec.message());
  std::sort(dirs.begin(), dirs.end());
  std::vector<LocalModel> out;
  for (const auto& d : dirs) out.push_back(inspect(d, verify));
  return out;
}

std::vector<std::pair<std::string, int64_t>> partial_downloads(const fs::path& dir) {
  std::vector<std::pair<std::string, int64_t>> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir / ".downloads", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.ends_with(".partial")) continue;
    std::error_code size_ec;
    const auto size = fs::file_size(it->path(), size_ec);
    out.emplace_back(name.substr(0, name.size() - 8), size_ec ? 0 : static_cast<int64_t>(size));
  }
  std::sort(out.begin(), out.end());
  return out;
}

common::Status remove_model(const fs::path& dir, const std::string& name) {
  if (name.empty() || name.starts_with(".") || name.find('/') != std::string::npos || name == "..") {
    return common::invalid_argument("'" + name + "' is not a model name");
  }
  const fs::path target = dir / name;
  std::error_code ec;
  if (!fs::is_directory(target, ec) || !fs::exists(target / "config.json", ec)) {
    return common::not_found("no model " + name + " in " + dir.string());
  }
  const fs::path aside = dir / (".removing-" + name + "-" + std::to_string(::getpid()));
  fs::rename(target, aside, ec);
  if (ec) return common::unavailable(target.string() + ": cannot remove: " + ec.message());
  sync_directory(dir);
  fs::remove_all(aside, ec);
  if (ec) return common::unavailable(aside.string() + ": renamed aside but not deleted: " + ec.message());
  return common::Status::ok();
}

}  // namespace sluice::serve::pull
