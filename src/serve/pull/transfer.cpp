#include "serve/pull/transfer.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>

namespace sluice::serve::pull::internal {
namespace {

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool parse_int(std::string_view s, int64_t& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out >= 0;
}

}  // namespace

bool parse_content_range(std::string_view value, int64_t& start, int64_t& total) {
  if (!value.starts_with("bytes ")) return false;
  value = trim(value.substr(6));
  const size_t slash = value.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view range = value.substr(0, slash);
  const std::string_view length = value.substr(slash + 1);
  total = -1;
  if (length != "*" && !parse_int(length, total)) return false;
  if (range == "*") {
    start = -1;
    return true;
  }
  const size_t dash = range.find('-');
  return dash != std::string_view::npos && parse_int(range.substr(0, dash), start);
}

namespace {

// The end of a 2xx response's headers: decide where its body goes before any of it arrives.
bool begin_body(Transfer& t) {
  t.in_body = true;
  t.written = 0;
  if (t.status == 206) {
    int64_t start = 0;
    int64_t total = -1;
    if (!parse_content_range(t.content_range, start, total) || start != t.offset) {
      t.abort = Abort::kBadRange;
      return false;
    }
    t.base = t.offset;
    t.total = total >= 0 ? total : (t.content_length >= 0 ? t.offset + t.content_length : -1);
  } else {
    // A 200 to a Range request: the server ignored it and sends the whole file, so start over.
    if (t.offset > 0) {
      if (::ftruncate(t.fd, 0) != 0) {
        t.write_errno = errno;
        t.abort = Abort::kWrite;
        return false;
      }
      t.restarted = true;
    }
    t.base = 0;
    t.total = t.content_length;
  }
  if (t.total > t.max_bytes) {
    t.abort = Abort::kTooLarge;
    return false;
  }
  if (*t.on_progress) (*t.on_progress)(t.done(), t.total);
  return true;
}

}  // namespace

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t length = size * count;
  const std::string_view raw(data, length);
  const std::string_view line = trim(raw);
  if (t->in_body) return length;  // chunked trailers
  if (line.starts_with("HTTP/")) {
    const size_t space = line.find(' ');
    t->status = 0;
    if (space != std::string_view::npos)
      std::from_chars(line.data() + space + 1, line.data() + line.size(), t->status);
    t->content_range.clear();
    t->content_length = -1;
    return length;
  }
  if (line.empty()) {  // end of this response's headers
    if (t->status >= 200 && t->status < 300) return begin_body(*t) ? length : 0;
    if (t->status == 416) {
      t->abort = Abort::kRangeNotSatisfiable;
      return 0;
    }
    if (t->status >= 400) {
      t->abort = Abort::kStatus;
      return 0;
    }
    return length;  // 1xx, or a redirect curl follows
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return length;
  const std::string_view name = trim(line.substr(0, colon));
  const std::string_view value = trim(line.substr(colon + 1));
  if (iequals(name, "content-range")) {
    t->content_range = std::string(value);
  } else if (iequals(name, "content-length")) {
    int64_t n = -1;
    if (parse_int(value, n)) t->content_length = n;
  }
  return length;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t length = size * count;
  if (!t->in_body) {  // a body without a 2xx status (a redirect curl did not follow, say): not ours
    t->abort = Abort::kStatus;
    return 0;
  }
  if (t->done() + static_cast<int64_t>(length) > t->max_bytes) {
    t->abort = Abort::kTooLarge;
    return 0;
  }
  size_t put = 0;
  while (put < length) {
    const ssize_t n = ::pwrite(t->fd, data + put, length - put, t->done() + static_cast<int64_t>(put));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      t->write_errno = n < 0 ? errno : EIO;
      t->abort = Abort::kWrite;
      return 0;
    }
    put += static_cast<size_t>(n);
  }
  t->written += static_cast<int64_t>(length);
  if (*t->on_progress) (*t->on_progress)(t->done(), t->total);
  return length;
}

}  // namespace sluice::serve::pull::internal
