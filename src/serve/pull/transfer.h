#pragma once
// Internal to the downloader: the state of one HTTP transfer and the libcurl header and body callbacks that
// decide, response by response, where the body goes (resume at the partial's end for a 206 whose
// Content-Range starts there, start over for a 200, refuse anything else) and enforce the byte cap.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace sluice::serve::pull::internal {

// Why a callback stopped the transfer; curl itself only sees a write error.
enum class Abort { kNone, kStatus, kRangeNotSatisfiable, kBadRange, kTooLarge, kWrite };

struct Transfer {
  int fd = -1;
  int64_t offset = 0;  // bytes in the file when the request was made: where a 206 must start
  int64_t max_bytes = 0;
  const std::function<void(int64_t, int64_t)>* on_progress = nullptr;

  // Of the response being read; each redirect and 1xx starts a new one.
  long status = 0;
  bool in_body = false;
  std::string content_range;
  int64_t content_length = -1;

  int64_t base = 0;  // file offset the body starts at: `offset` for a 206, 0 for a 200
  int64_t written = 0;
  int64_t total = -1;
  bool restarted = false;
  Abort abort = Abort::kNone;
  int write_errno = 0;

  int64_t done() const { return base + written; }
};

// "bytes 100-999/1000" -> start 100, total 1000; "bytes */1000" -> start -1, total 1000; total -1 for "*".
bool parse_content_range(std::string_view value, int64_t& start, int64_t& total);

// CURLOPT_HEADERFUNCTION and CURLOPT_WRITEFUNCTION with a Transfer* as their data.
size_t on_header(char* data, size_t size, size_t count, void* user);
size_t on_body(char* data, size_t size, size_t count, void* user);

}  // namespace sluice::serve::pull::internal
