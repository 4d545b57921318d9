#pragma once
// Streams a (large) file from an http(s) URL to disk through libcurl, resuming what an earlier attempt left.
// For operator-initiated pulls, so there is no SSRF guard (unlike serve/fetch), but:
//  - only http:// and https://, also after redirects, and at most `max_redirects` of them;
//  - a byte cap, checked against the declared length before the body and while it streams;
//  - resume: bytes already in `partial` are kept and the rest is asked for with a Range request; a server
//    that ignores Range (200 instead of 206) or answers 416 for a partial that no longer fits is restarted
//    from byte 0; the file is never appended to at the wrong offset;
//  - a connect timeout and a stall timeout (less than 1 KiB/s for that long) rather than a total timeout,
//    since a model of hundreds of megabytes on a slow line may rightly take an hour.
// What was received stays in `partial` after any failure, for the next attempt to resume. Verifying and
// renaming the complete file is the caller's job. Thread-compatible; call curl_global_init (or
// fetch::fetch_global_init) before threads start.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "common/status.h"

namespace sluice::serve::pull {

struct DownloadOptions {
  std::chrono::milliseconds connect_timeout{15'000};
  std::chrono::milliseconds stall_timeout{30'000};
  int64_t max_bytes = int64_t{4} << 30;
  int max_redirects = 5;
  std::string user_agent = "sluice-serve-models";
  // Called as bytes arrive (and once at the start) with the file's bytes so far, resumed part included, and
  // its total size (-1 while unknown).
  std::function<void(int64_t done, int64_t total)> on_progress;
};

struct DownloadReport {
  int64_t bytes = 0;         // the complete file's size
  int64_t resumed_from = 0;  // bytes that were already in `partial` and kept
  bool restarted = false;    // `partial` held bytes, but the server would not resume, so they were dropped
  std::string final_url;     // after redirects
  double seconds = 0;
};

// Errors:
//  - kInvalidArgument: not an http(s) URL, or redirected to another scheme;
//  - kUnavailable: the host cannot be reached ("cannot reach HOST: …": DNS, refused, TLS, connect timeout),
//    it answered an error status ("HOST answered 404 for URL"), too many redirects, or the connection broke
//    mid-transfer (partial kept);
//  - kDeadlineExceeded: the transfer stalled (partial kept);
//  - kResourceExhausted: the file is larger than max_bytes (partial deleted);
//  - kPermissionDenied / kUnavailable: `partial` cannot be written (message names the path).
common::Result<DownloadReport> download_to_file(const std::string& url, const std::filesystem::path& partial,
                                                const DownloadOptions& options);

// The host of an http(s) URL ("github.com", "127.0.0.1", "::1"), or the URL itself when it has none.
std::string url_host(const std::string& url);

}  // namespace sluice::serve::pull
