#include "serve/pull/models_cli.h"

#include <curl/curl.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>

#include "serve/pull/catalog.h"
#include "serve/pull/local_models.h"
#include "serve/pull/progress.h"
#include "serve/pull/pull.h"

namespace sluice::serve::pull {
namespace {

constexpr int kOk = 0;
constexpr int kChecksum = 1;
constexpr int kUsage = 2;
constexpr int kFailed = 3;
constexpr int kConvert = 4;

struct Settings {
  std::string models = "models";
  std::string catalog_file;
  std::string name;
  std::string format;
  std::string mirror;
  bool force = false;
  bool no_verify = false;
  int64_t max_bytes = int64_t{4} << 30;
  double connect_timeout_s = 15;
  double stall_timeout_s = 30;
  std::string export_script;
  std::string python = "/usr/bin/python3";
};

int error(const std::string& message, int code) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return code;
}

int exit_code(const common::Status& status) {
  switch (status.code()) {
    case common::Code::kOk:
      return kOk;
    case common::Code::kInvalidInput:
      return kChecksum;
    case common::Code::kInvalidArgument:
    case common::Code::kNotFound:
      return kUsage;
    case common::Code::kUnsupported:
      return kConvert;
    default:
      return kFailed;
  }
}

common::Result<Catalog> catalog(const Settings& s) {
  if (s.catalog_file.empty()) return builtin_catalog();
  return load_catalog_file(s.catalog_file);
}

std::string pad(std::string text, size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text + " ";
}

int list(const Settings& s) {
  auto cat = catalog(s);
  if (!cat) return error(cat.status().message(), kUsage);
  auto models = scan_repository(s.models, !s.no_verify);
  std::vector<std::string> installed;
  if (!models) {
    std::printf("No repository at %s yet (a pull creates it).\n", s.models.c_str());
  } else {
    std::printf("Repository %s: %zu model%s%s\n", s.models.c_str(), models->size(),
                models->size() == 1 ? "" : "s", s.no_verify ? " (checksums not verified)" : "");
    if (!models->empty())
      std::printf("  %s%s%s%s\n", pad("NAME", 24).c_str(), pad("FORMAT", 12).c_str(), pad("SIZE", 10).c_str(),
                  "STATUS");
    for (const auto& m : *models) {
      installed.push_back(m.name);
      std::string status = state_name(m.state);
      if (!m.detail.empty()) status += "  " + m.detail;
      std::printf("  %s%s%s%s\n", pad(m.name, 24).c_str(), pad(m.format.empty() ? "-" : m.format, 12).c_str(),
                  pad(m.size > 0 ? format_bytes(m.size) : "-", 10).c_str(), status.c_str());
    }
    const auto partials = partial_downloads(s.models);
    if (!partials.empty()) std::printf("Partial downloads (the next pull resumes them):\n");
    for (const auto& [file, size] : partials)
      std::printf("  %s%s\n", pad(file, 36).c_str(), format_bytes(size).c_str());
  }
  std::printf("Catalog%s (sluice-serve models pull NAME [--format onnx|torchscript]; * marks the default):\n",
              s.catalog_file.empty() ? "" : (" " + s.catalog_file).c_str());
  std::printf("  %s%s%s%s\n", pad("NAME", 20).c_str(), pad("FORMATS", 20).c_str(),
              pad("INSTALLED", 34).c_str(), "DESCRIPTION");
  for (const auto& e : cat->entries()) {
    std::string formats;
    std::string here;
    for (const auto& src : e.sources) {
      formats += (formats.empty() ? "" : ", ") + std::string(model::model_format_name(src.format)) +
                 (&src == &e.default_source() ? "*" : "");
      const std::string dir = e.installed_name(src.format);
      if (std::find(installed.begin(), installed.end(), dir) != installed.end())
        here += (here.empty() ? "" : ", ") + dir;
    }
    std::printf("  %s%s%s%s\n", pad(e.name, 20).c_str(), pad(formats, 20).c_str(),
                pad(here.empty() ? "-" : here, 34).c_str(), e.description.c_str());
  }
  return kOk;
}

int pull(const Settings& s) {
  auto cat = catalog(s);
  if (!cat) return error(cat.status().message(), kUsage);
  const CatalogEntry* entry = cat->find(s.name);
  if (entry == nullptr) {
    std::string names;
    for (const auto& e : cat->entries()) names += (names.empty() ? "" : ", ") + e.name;
    return error("no model '" + s.name + "' in the catalog (it has: " + names + ")", kUsage);
  }
  PullOptions o;
  o.models_dir = s.models;
  if (s.format == "onnx") o.format = model::ModelFormat::kOnnx;
  if (s.format == "torchscript") o.format = model::ModelFormat::kTorchScript;
  o.mirror = s.mirror;
  o.force = s.force;
  o.download.max_bytes = s.max_bytes;
  o.download.connect_timeout = std::chrono::milliseconds(static_cast<int64_t>(s.connect_timeout_s * 1000));
  o.download.stall_timeout = std::chrono::milliseconds(static_cast<int64_t>(s.stall_timeout_s * 1000));
  o.convert.script = s.export_script;
  o.convert.python = s.python;
  o.out = stderr;
  o.tty = ProgressPrinter::is_terminal(stderr);
  auto result = pull_model(*entry, o);
  if (!result) return error(result.status().message(), exit_code(result.status()));
  if (result->already_installed) {
    std::printf("%s is already installed in %s and verified (--force pulls it again)\n",
                result->installed_name.c_str(), result->directory.string().c_str());
  } else {
    std::printf("installed %s in %s (sha256 %s)\n", result->installed_name.c_str(),
                result->directory.string().c_str(), result->sha256.c_str());
  }
  return kOk;
}

int verify(const Settings& s) {
  auto models = scan_repository(s.models, true);
  if (!models) return error(models.status().message(), kUsage);
  int bad = 0;
  for (const auto& m : *models) {
    if (m.state == LocalModel::State::kOk) {
      std::printf("ok        %s (%s)\n", m.name.c_str(), m.weights.filename().string().c_str());
    } else {
      ++bad;
      std::printf("%-9s %s: %s\n", state_name(m.state), m.name.c_str(), m.detail.c_str());
    }
  }
  if (bad > 0) {
    return error(std::to_string(bad) + " of " + std::to_string(models->size()) + " models in " + s.models +
                     " failed verification",
                 kChecksum);
  }
  std::printf("%zu model%s verified in %s\n", models->size(), models->size() == 1 ? "" : "s",
              s.models.c_str());
  return kOk;
}

int remove(const Settings& s) {
  const auto status = remove_model(s.models, s.name);
  if (!status) return error(status.message(), status.code() == common::Code::kNotFound ? kUsage : kFailed);
  std::printf("removed %s from %s\n", s.name.c_str(), s.models.c_str());
  return kOk;
}

void add_repository_options(CLI::App* command, Settings& s) {
  command->add_option("--models", s.models, "model repository directory")
      ->envname("SLUICE_MODELS")
      ->capture_default_str();
  command->add_option("--catalog", s.catalog_file,
                      "use this catalog (JSON, docs/models-cli.md) instead of the built-in one");
}

}  // namespace

int run_models_cli(int argc, char** argv) {
  Settings s;
  CLI::App app{
      "sluice-serve models: pull verified ImageNet classifiers into the model repository "
      "(docs/models-cli.md)",
      "sluice-serve models"};
  app.require_subcommand(1);
  auto* list_cmd = app.add_subcommand(
      "list", "what the repository holds (checksums verified) and what the catalog offers");
  add_repository_options(list_cmd, s);
  list_cmd->add_flag("--no-verify", s.no_verify, "do not recompute checksums (faster)");

  auto* pull_cmd = app.add_subcommand("pull", "download a catalog model, verify it and install it");
  add_repository_options(pull_cmd, s);
  pull_cmd->add_option("name", s.name, "catalog name (see `list`)")->required();
  pull_cmd->add_option("--format", s.format, "onnx or torchscript (default: onnx where the catalog has it)")
      ->check(CLI::IsMember({"onnx", "torchscript"}));
  pull_cmd->add_option("--from", s.mirror,
                       "mirror: a base URL (the file name is appended) or the file's URL");
  pull_cmd->add_flag("--force", s.force, "pull again although a verified copy is installed");
  pull_cmd->add_option("--max-bytes", s.max_bytes, "largest download when the catalog gives no size")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  pull_cmd->add_option("--connect-timeout", s.connect_timeout_s, "seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 3600.0));
  pull_cmd->add_option("--stall-timeout", s.stall_timeout_s, "give up after this many seconds under 1 KiB/s")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 86400.0));
  pull_cmd
      ->add_option("--export-script", s.export_script, "tools/export_model.py to convert checkpoints with")
      ->envname("SLUICE_EXPORT_SCRIPT");
  pull_cmd->add_option("--python", s.python, "python with torch and torchvision")->capture_default_str();

  auto* verify_cmd = app.add_subcommand("verify", "recompute every model's sha256; exit 1 on any mismatch");
  add_repository_options(verify_cmd, s);
  auto* remove_cmd = app.add_subcommand("remove", "delete a model directory from the repository");
  add_repository_options(remove_cmd, s);
  remove_cmd->add_option("name", s.name, "the model's directory name (see `list`)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kOk : kUsage;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  if (list_cmd->parsed()) return list(s);
  if (pull_cmd->parsed()) return pull(s);
  if (verify_cmd->parsed()) return verify(s);
  return remove(s);
}

}  // namespace sluice::serve::pull
