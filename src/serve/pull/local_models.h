#pragma once
// What is in a model repository, as `models list` and `models verify` report it: every DIR/<name>/ with a
// config.json, read with the server's own reader and its weights' sha256 recomputed; and `models remove`.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::serve::pull {

struct LocalModel {
  enum class State { kOk, kMismatch, kMissingWeights, kBadConfig };
  std::string name;    // the directory's name
  std::string format;  // "torchscript", "onnx", or "" when config.json cannot be read
  std::filesystem::path weights;
  int64_t size = 0;
  State state = State::kOk;
  std::string detail;  // why, for every state but kOk: "model.onnx: sha256 is 3f1c…, config.json says 9a0b…"
};

const char* state_name(LocalModel::State state);  // "ok", "MISMATCH", "MISSING", "BAD CONFIG"

// Every model directory of `dir` in name order (directories starting with '.' are skipped, as the server
// does). `verify`: recompute the weights' sha256 (slow for big models); otherwise only check they exist.
// Errors only when `dir` is missing or unreadable.
common::Result<std::vector<LocalModel>> scan_repository(const std::filesystem::path& dir, bool verify);

// Partial downloads waiting in DIR/.downloads (name and size), for `list` to mention.
std::vector<std::pair<std::string, int64_t>> partial_downloads(const std::filesystem::path& dir);

// Removes DIR/<name> (a model directory: it must hold a config.json) by renaming it aside first, so the
// server never sees half of it. kNotFound when there is no such model; kInvalidArgument for a name that is
// not a plain directory name.
common::Status remove_model(const std::filesystem::path& dir, const std::string& name);

}  // namespace sluice::serve::pull
