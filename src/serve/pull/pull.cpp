#include "serve/pull/pull.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "serve/model/repository.h"
#include "serve/pull/model_files.h"
#include "serve/pull/progress.h"

namespace sluice::serve::pull {
namespace {

using common::Result;
using common::Status;
namespace fs = std::filesystem;

// Held for the whole pull, so that a second pull into the same repository cannot append to the same
// partial or race the installation. A lock on the directory itself leaves no lock file behind.
class DirectoryLock {
 public:
  explicit DirectoryLock(const fs::path& dir) : fd_(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    locked_ = fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
  }
  ~DirectoryLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  bool locked() const { return locked_; }

 private:
  int fd_;
  bool locked_ = false;
};

// Removes the staging directory unless the installation consumed it.
class StagingDir {
 public:
  explicit StagingDir(fs::path path) : path_(std::move(path)) {}
  ~StagingDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  StagingDir(const StagingDir&) = delete;
  StagingDir& operator=(const StagingDir&) = delete;
  const fs::path& path() const { return path_; }
  void release() { path_.clear(); }

 private:
  fs::path path_;
};

std::string format_list(const CatalogEntry& entry) {
  std::string out;
  for (const auto& s : entry.sources)
    out += (out.empty() ? "" : ", ") + std::string(model::model_format_name(s.format));
  return out;
}

Status rename_file(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec)
    return common::unavailable("cannot move " + from.string() + " to " + to.string() + ": " + ec.message());
  return Status::ok();
}

// A model directory without its weights, so that weights copied there by hand are verified and served.
void install_skeleton(const CatalogEntry& entry, const Source& source, const std::string& installed,
                      const fs::path& models_dir) {
  std::error_code ec;
  const fs::path target = models_dir / installed;
  if (fs::exists(target, ec)) return;
  StagingDir staging(models_dir / (".staging-" + installed + "-" + std::to_string(::getpid())));
  fs::create_directories(staging.path(), ec);
  const auto config = make_model_config(installed, source, weights_file_name(source.format), source.sha256);
  if (ec || !write_model_files(staging.path(), config, entry.labels) ||
      !install_directory(staging.path(), target)) {
    return;
  }
  staging.release();
}

// Adds to a failed download what the operator can do without a network.
Status download_failure(const Status& status, const CatalogEntry& entry, const Source& source,
                        const std::string& installed, const fs::path& complete, const PullOptions& o) {
  if (status.code() != common::Code::kUnavailable && status.code() != common::Code::kDeadlineExceeded) {
    return status;
  }
  std::string hint;
  if (source.convert_arch.empty() && !source.sha256.empty()) {
    install_skeleton(entry, source, installed, o.models_dir);
    hint = "copy the file by hand to " +
           (o.models_dir / installed / weights_file_name(source.format)).string() +
           " and run `sluice-serve models verify`";
  } else {
    hint = "copy the file by hand to " + complete.string() + " and run `sluice-serve models pull " +
           entry.name + " --format " + model::model_format_name(source.format) + "` again";
  }
  return {status.code(), status.message() + "; " + hint + " (source: " + source.url + ")"};
}

}  // namespace

std::string source_url(const Source& source, const std::string& mirror) {
  if (mirror.empty()) return source.url;
  std::string base = mirror;
  const std::string_view path = std::string_view(base).substr(0, base.find_first_of("?#"));
  if (path.ends_with("/" + source.file_name)) return base;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + source.file_name;
}

Result<PullResult> pull_model(const CatalogEntry& entry, const PullOptions& o) {
  const Source* source = o.format ? entry.source(*o.format) : &entry.default_source();
  if (source == nullptr) {
    return common::not_found(entry.name + " has no " + model::model_format_name(*o.format) +
                             " source in the catalog (it has: " + format_list(entry) + ")");
  }
  const std::string installed = entry.installed_name(source->format);
  const std::string weights_name = weights_file_name(source->format);
  const fs::path target = o.models_dir / installed;
  std::error_code ec;
  fs::create_directories(o.models_dir, ec);
  if (ec) return common::unavailable(o.models_dir.string() + ": cannot create: " + ec.message());

  if (!o.force && fs::exists(target / "config.json", ec)) {
    auto config = model::load_model_config(target);
    if (config) {
      auto sha = model::sha256_file(config->weights);
      if (sha && *sha == config->sha256) return PullResult{installed, target, *sha, true};
    }
  }

  const fs::path downloads = o.models_dir / ".downloads";
  fs::create_directories(downloads, ec);
  if (ec) return common::unavailable(downloads.string() + ": cannot create: " + ec.message());
  const DirectoryLock lock(downloads);
  if (!lock.locked())
    return common::unavailable("another pull into " + o.models_dir.string() + " is running");
  const fs::path complete = downloads / source->file_name;
  const fs::path partial = complete.string() + ".partial";
  const std::string url = source_url(*source, o.mirror);
  std::fprintf(o.out, "pulling %s (%s) from %s\n", entry.name.c_str(),
               model::model_format_name(source->format), url.c_str());

  std::string digest;
  if (fs::exists(complete, ec)) {  // verified by an earlier pull, or copied here by hand
    auto sha = model::sha256_file(complete);
    if (sha && checksum_matches(*source, *sha)) {
      digest = *sha;
      std::fprintf(o.out, "using %s, downloaded before\n", complete.string().c_str());
    } else {
      fs::remove(complete, ec);
      std::fprintf(o.out, "%s does not match the catalog's checksum; deleted it, downloading again\n",
                   complete.string().c_str());
    }
  }
  if (digest.empty()) {
    DownloadOptions download = o.download;
    if (source->size > 0) download.max_bytes = source->size;
    ProgressPrinter printer(o.out, o.tty, source->file_name);
    download.on_progress = [&printer](int64_t done, int64_t total) { printer.update(done, total); };
    auto report = download_to_file(url, partial, download);
    if (!report) {
      printer.abandon();
      return download_failure(report.status(), entry, *source, installed, complete, o);
    }
    printer.finish(report->bytes, report->resumed_from, report->restarted, report->seconds);
    auto sha = model::sha256_file(partial);
    if (!sha) return sha.status();
    if (!checksum_matches(*source, *sha)) {
      fs::remove(partial, ec);
      std::string size_note;
      if (source->size > 0 && report->bytes != source->size) {
        size_note = " (" + std::to_string(report->bytes) + " bytes; the catalog says " +
                    std::to_string(source->size) + ")";
      }
      return common::invalid_input("checksum mismatch: " + source->file_name + " from " + report->final_url +
                                   " has sha256 " + *sha + size_note + ", the catalog expects " +
                                   expected_checksum_text(*source) + "; the file was deleted");
    }
    SLUICE_RETURN_IF_ERROR(rename_file(partial, complete));
    digest = *sha;
  }
  std::fprintf(o.out, "verified %s: sha256 %s\n", source->file_name.c_str(), digest.c_str());

  StagingDir staging(o.models_dir / (".staging-" + installed + "-" + std::to_string(::getpid())));
  fs::remove_all(staging.path(), ec);
  fs::create_directories(staging.path(), ec);
  if (ec) return common::unavailable(staging.path().string() + ": cannot create: " + ec.message());
  std::string weights_sha = digest;
  Source installed_source = *source;
  if (!source->convert_arch.empty()) {
    std::fprintf(o.out, "converting %s to TorchScript (%s)\n", source->file_name.c_str(),
                 source->convert_arch.c_str());
    const fs::path work = staging.path() / "convert";
    auto converted = convert_checkpoint(source->convert_arch, complete, work, installed, o.convert);
    if (!converted) return converted.status();
    SLUICE_RETURN_IF_ERROR(rename_file(converted->weights, staging.path() / weights_name));
    fs::remove_all(work, ec);
    auto sha = model::sha256_file(staging.path() / weights_name);
    if (!sha) return sha.status();
    weights_sha = *sha;
    // Resize and crop belong to the checkpoint's evaluation recipe, which the catalog states; the
    // normalisation belongs to the exported graph, which the script knows (it may fold one into mean/std).
    for (const char* key : {"mean", "std", "channel_order"}) {
      if (converted->input.is_object() && converted->input.contains(key)) {
        installed_source.input[key] = converted->input[key];
      }
    }
  }
  SLUICE_RETURN_IF_ERROR(write_model_files(
      staging.path(), make_model_config(installed, installed_source, weights_name, weights_sha),
      entry.labels));
  // The server's own reader checks the generated files before anything is installed.
  if (auto check = model::load_model_config(staging.path()); !check) {
    return common::internal_error("the catalog entry " + entry.name +
                                  " gives an invalid config.json: " + check.status().message());
  }
  if (source->convert_arch.empty())
    SLUICE_RETURN_IF_ERROR(rename_file(complete, staging.path() / weights_name));
  SLUICE_RETURN_IF_ERROR(install_directory(staging.path(), target));
  staging.release();
  if (!source->convert_arch.empty()) fs::remove(complete, ec);  // the checkpoint has served its purpose
  return PullResult{installed, target, weights_sha, false};
}

}  // namespace sluice::serve::pull
