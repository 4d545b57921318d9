#pragma once
// Turns a downloaded torchvision checkpoint into TorchScript by running tools/export_model.py (Debian's
// python3-torch and python3-torchvision) in a child process: LibTorch's C++ API cannot rebuild a
// torchvision architecture from a state dict, Python can.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace sluice::serve::pull {

struct ConvertOptions {
  std::string python = "/usr/bin/python3";
  std::filesystem::path script;  // empty: find_export_script()
};

// The export script: `explicit_path` when given (it must exist), else the first of ./tools/export_model.py,
// and tools/export_model.py or share/sluice/tools/export_model.py beside or above the running binary.
// Empty when none exists.
std::filesystem::path find_export_script(const std::filesystem::path& explicit_path);

struct Converted {
  std::filesystem::path weights;  // the TorchScript file the script wrote
  // The "input" object of the config.json the script wrote beside it (null when none): the script may fold
  // a normalisation into mean/std (Inception v3's transform_input), so these are the ones its graph expects.
  nlohmann::json input;
};

// Runs `python script --arch ARCH --weights WEIGHTS --out WORK_DIR/NAME --format torchscript` (NAME, a valid
// model name, becomes the script's model name; WORK_DIR is created and holds the script's log) with
// $SLUICE_SERVE set to this binary unless already set, so the script checks its export in this very server.
// Errors are one line, kUnsupported, and say how to convert by hand: no python, no torch/torchvision, no
// script, or the script failed (with the last line it printed).
common::Result<Converted> convert_checkpoint(const std::string& arch, const std::filesystem::path& weights,
                                             const std::filesystem::path& work_dir, const std::string& name,
                                             const ConvertOptions& options);

}  // namespace sluice::serve::pull
