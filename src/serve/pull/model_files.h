#pragma once
// The files a pulled model is installed with (docs/model-repository.md): config.json, generated from the
// catalog, and labels.txt. Also the filesystem steps that make an installation atomic.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "serve/pull/catalog.h"

namespace sluice::serve::pull {

// "model.pt" for TorchScript, "model.onnx" for ONNX.
std::string weights_file_name(model::ModelFormat format);

// config.json for `entry` pulled as `source` into the directory `installed_name`, with weights `file` whose
// digest is `sha256`. The version is the downloaded file's name without extension ("mobilenetv2-7"), so that
// GET /v1/models tells which upstream file is being served.
nlohmann::json make_model_config(const std::string& installed_name, const Source& source,
                                 const std::string& file, const std::string& sha256);

// Writes config.json and labels.txt into `dir` (each through a temporary file and a rename, fsynced).
common::Status write_model_files(const std::filesystem::path& dir, const nlohmann::json& config,
                                 const std::vector<std::string>& labels);

// Writes `contents` to `path` through a temporary file in the same directory, fsync and rename.
common::Status write_file_atomically(const std::filesystem::path& path, const std::string& contents);

// Puts the directory `staged` in place as `target`, replacing a `target` that exists (swapped in one step
// where the filesystem can), so that a reader sees the old model or the new one, never a mix of their files.
common::Status install_directory(const std::filesystem::path& staged, const std::filesystem::path& target);

// fsync of a directory, so that a rename inside it survives a crash.
void sync_directory(const std::filesystem::path& dir);

}  // namespace sluice::serve::pull
