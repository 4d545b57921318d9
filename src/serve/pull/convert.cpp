#include "serve/pull/convert.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

extern char** environ;

namespace sluice::serve::pull {
namespace {

std::filesystem::path executable_dir() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : self.parent_path();
}

// The environment, plus SLUICE_SERVE=<this binary> when it is not set.
std::vector<std::string> child_environment() {
  std::vector<std::string> env;
  bool has_serve = false;
  for (char** e = environ; *e != nullptr; ++e) {
    env.emplace_back(*e);
    has_serve = has_serve || env.back().starts_with("SLUICE_SERVE=");
  }
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!has_serve && !ec) env.push_back("SLUICE_SERVE=" + self.string());
  return env;
}

// Runs argv with stdout and stderr sent to `log`; returns the exit status (-1: could not start, with errno).
int run(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  std::vector<std::string> env_strings = child_environment();
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    errno = rc;
    return -1;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

std::string last_line(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::string line;
  std::string last;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  }
  return last;
}

std::string by_hand(const std::string& arch, const std::filesystem::path& weights) {
  return "convert it by hand with `/usr/bin/python3 tools/export_model.py --arch " + arch + " --weights " +
         weights.string() +
         " --out DIR --format torchscript` (then put DIR in the repository), or pull the ONNX "
         "file instead (--format onnx) where the catalog has one";
}

}  // namespace

std::filesystem::path find_export_script(const std::filesystem::path& explicit_path) {
  std::error_code ec;
  if (!explicit_path.empty()) return std::filesystem::is_regular_file(explicit_path, ec) ? explicit_path : "";
  std::vector<std::filesystem::path> candidates = {std::filesystem::current_path(ec) /
                                                   "tools/export_model.py"};
  const auto bin = executable_dir();
  if (!bin.empty()) {
    for (auto dir = bin; !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
      candidates.push_back(dir / "tools/export_model.py");
      candidates.push_back(dir / "share/sluice/tools/export_model.py");
    }
  }
  for (const auto& c : candidates) {
    if (std::filesystem::is_regular_file(c, ec)) return c;
  }
  return "";
}

common::Result<Converted> convert_checkpoint(const std::string& arch, const std::filesystem::path& weights,
                                             const std::filesystem::path& work_dir, const std::string& name,
                                             const ConvertOptions& options) {
  const std::filesystem::path script = find_export_script(options.script);
  const std::string hand = by_hand(arch, weights);
  if (script.empty()) {
    return common::unsupported(
        "converting " + weights.filename().string() + " to TorchScript needs tools/export_model.py" +
        (options.script.empty() ? "" : " (not found at " + options.script.string() + ")") +
        "; the checkpoint is kept: " + hand);
  }
  std::error_code ec;
  std::filesystem::create_directories(work_dir, ec);
  if (ec) return common::unavailable(work_dir.string() + ": " + ec.message());
  const std::filesystem::path out_dir =
      work_dir / name;  // the script creates it, and refuses one that exists
  const std::filesystem::path log = work_dir / "export.log";
  const int rc = run({options.python, script.string(), "--arch", arch, "--weights", weights.string(), "--out",
                      out_dir.string(), "--format", "torchscript"},
                     log);
  if (rc != 0) {
    const int spawn_errno = errno;
    const std::string said = last_line(log);
    // Tell a missing PyTorch apart from a failing script only now, so that a working setup does not pay
    // for importing torch twice.
    const int probe =
        rc < 0 ? -1 : run({options.python, "-c", "import torch, torchvision"}, work_dir / "probe.log");
    if (probe != 0) {
      return common::unsupported("converting " + weights.filename().string() + " to TorchScript needs " +
                                 options.python +
                                 " with python3-torch and python3-torchvision (apt install python3-torch "
                                 "python3-torchvision)" +
                                 (rc < 0 ? std::string(": ") + std::strerror(spawn_errno) : "") +
                                 "; the checkpoint is kept: " + hand);
    }
    return common::unsupported(script.string() + " failed (exit " + std::to_string(rc) + ")" +
                               (said.empty() ? "" : ": " + said) + "; the checkpoint is kept: " + hand);
  }
  Converted converted{out_dir / "model.pt", nullptr};
  std::ifstream config(out_dir / "config.json");
  if (config) {
    try {
      const auto doc = nlohmann::json::parse(config);
      if (doc.contains("file") && doc["file"].is_string()) {
        converted.weights = out_dir / doc["file"].get<std::string>();
      }
      if (doc.contains("input") && doc["input"].is_object()) converted.input = doc["input"];
    } catch (const nlohmann::json::exception&) {
      // The config.json installed is generated from the catalog; the script's only refines it.
    }
  }
  if (!std::filesystem::is_regular_file(converted.weights, ec)) {
    return common::unsupported(script.string() + " succeeded but wrote no " +
                               converted.weights.filename().string() + " in " + out_dir.string() + "; " +
                               hand);
  }
  return converted;
}

}  // namespace sluice::serve::pull
