#pragma once
// `sluice-serve models pull`: fetches one catalog model into the repository, verified and installed
// atomically.
//
//   DIR/.downloads/FILE.partial   the download in progress; kept on failure, resumed by the next pull
//   DIR/.downloads/FILE           a complete, verified file waiting for its next step (a checkpoint that
//   could
//                                 not be converted yet, or one copied there by hand)
//   DIR/.staging-NAME-PID/        the model directory being assembled (weights, config.json, labels.txt),
//                                 checked with the server's own config reader, then renamed to DIR/NAME
//
// Directories starting with '.' are skipped by the server, so nothing half-done is ever served. A checksum
// mismatch deletes the file. Two pulls into one repository at once are refused (a lock on DIR/.downloads).
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include "common/status.h"
#include "serve/pull/catalog.h"
#include "serve/pull/convert.h"
#include "serve/pull/downloader.h"

namespace sluice::serve::pull {

struct PullOptions {
  std::filesystem::path models_dir = "models";
  std::optional<model::ModelFormat> format;  // none: the entry's default_source()
  std::string mirror;                        // --from: replaces the catalog's origin (see source_url)
  bool force = false;                        // pull again although a verified copy is installed
  DownloadOptions download;                  // its max_bytes caps files whose size the catalog does not know
  ConvertOptions convert;
  std::FILE* out = stderr;  // progress and notes
  bool tty = false;         // draw a progress bar on `out`
};

struct PullResult {
  std::string installed_name;
  std::filesystem::path directory;
  std::string sha256;  // of the installed weights
  bool already_installed = false;
};

// Errors (one line each, naming the file and what to do):
//  - kNotFound: the entry has no source in the requested format;
//  - kUnavailable / kDeadlineExceeded: the download failed ("cannot reach HOST: …; copy the file by hand to
//    PATH and run `sluice-serve models verify`"), what arrived is kept for the next pull;
//  - kInvalidInput: the file's checksum is not the catalog's (the file is deleted);
//  - kResourceExhausted: the file is larger than the catalog's size or the cap;
//  - kUnsupported: a checkpoint could not be converted to TorchScript (how to do it by hand);
//  - kUnavailable / kPermissionDenied: the repository cannot be written.
common::Result<PullResult> pull_model(const CatalogEntry& entry, const PullOptions& options);

// The URL to fetch `source` from: its own, or with `mirror` given, `mirror` itself when its last path segment
// is the file's name, else `mirror`/FILE ("http://127.0.0.1:8000/models" → ".../models/mobilenetv2-7.onnx").
std::string source_url(const Source& source, const std::string& mirror);

}  // namespace sluice::serve::pull
