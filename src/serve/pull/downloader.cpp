#include "serve/pull/downloader.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "serve/pull/transfer.h"

namespace sluice::serve::pull {
namespace {

using common::Result;
using common::Status;
using internal::Abort;
using internal::Transfer;

constexpr long kStallBytesPerSecond = 1024;

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

long clamp_ms(std::chrono::milliseconds ms) {
  return static_cast<long>(std::clamp<int64_t>(ms.count(), 1, int64_t{24} * 3600 * 1000));
}

std::string seconds_text(std::chrono::milliseconds ms) {
  const int64_t count = ms.count();
  if (count % 1000 == 0) return std::to_string(count / 1000) + " s";
  return std::to_string(count) + " ms";
}

std::string progress_text(const Transfer& t) {
  return std::to_string(t.done()) + (t.total >= 0 ? " of " + std::to_string(t.total) : "") + " bytes";
}

// Proxies from the environment are honoured (an operator's pull may have to go through one), but never for
// loopback, where the tests' mirror lives.
std::string no_proxy_list() {
  std::string list;
  for (const char* name : {"no_proxy", "NO_PROXY"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') {
      list = value;
      break;
    }
  }
  if (list == "*") return list;
  return list + (list.empty() ? "" : ",") + "localhost,127.0.0.1,::1";
}

Status failure(CURL* h, CURLcode rc, const Transfer& t, const std::string& url,
               const std::filesystem::path& partial, const DownloadOptions& o, const char* curl_message) {
  const char* effective = nullptr;
  curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
  const std::string where = effective != nullptr ? effective : url;
  const std::string host = url_host(where);
  const std::string detail = curl_message[0] != '\0' ? curl_message : curl_easy_strerror(rc);
  const std::string kept =
      "; the " + std::to_string(t.done()) + " bytes received are kept and the next pull resumes from there";
  switch (t.abort) {
    case Abort::kStatus:
      return common::unavailable(host + " answered " + std::to_string(t.status) + " for " + where);
    case Abort::kBadRange:
      return common::unavailable(host + " answered a range request for bytes " + std::to_string(t.offset) +
                                 "- with 'Content-Range: " + t.content_range + "'");
    case Abort::kTooLarge: {
      std::error_code ec;
      std::filesystem::remove(partial, ec);
      return common::resource_exhausted(
          where + " is larger than the limit of " + std::to_string(o.max_bytes) + " bytes" +
          (t.total > o.max_bytes ? " (it declares " + std::to_string(t.total) + ")" : "") +
          "; the partial download was deleted");
    }
    case Abort::kWrite:
      return common::unavailable(partial.string() + ": cannot write: " + std::strerror(t.write_errno));
    case Abort::kRangeNotSatisfiable:
      return common::unavailable(host + " answered 416 (range not satisfiable) for " + where);
    case Abort::kNone:
      break;
  }
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT: {
      curl_off_t connect_us = 0;
      curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
      if (connect_us == 0) {
        return common::unavailable("cannot reach " + host + ": no connection within " +
                                   seconds_text(o.connect_timeout));
      }
      return common::deadline_exceeded("the download from " + host + " stalled (under " +
                                       std::to_string(kStallBytesPerSecond) + " bytes/s for " +
                                       seconds_text(o.stall_timeout) + ") after " + progress_text(t) + kept);
    }
    case CURLE_TOO_MANY_REDIRECTS:
      return common::unavailable(url + ": more than " + std::to_string(std::max(o.max_redirects, 0)) +
                                 " redirects");
    case CURLE_UNSUPPORTED_PROTOCOL:
      return common::invalid_argument(url + ": redirected to '" + where +
                                      "', which is not an http:// or https:// URL");
    case CURLE_URL_MALFORMAT:
      return common::invalid_argument(url + ": " + detail);
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
      if (t.in_body) {
        return common::unavailable("the connection to " + host + " broke after " + progress_text(t) + kept);
      }
      return common::unavailable("cannot reach " + host + ": " + detail);
    default:  // DNS, refused connection, TLS, proxy
      return common::unavailable("cannot reach " + host + ": " + detail);
  }
}

// One request; `retry_from_zero` is set when the server refused the range and the partial was emptied.
Result<DownloadReport> attempt(const std::string& url, const std::filesystem::path& partial,
                               const DownloadOptions& o, bool& retry_from_zero) {
  retry_from_zero = false;
  const Fd fd(::open(partial.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0) {
    const int e = errno;
    const std::string message = partial.string() + ": cannot open for writing: " + std::strerror(e);
    return e == EACCES || e == EPERM ? common::permission_denied(message) : common::unavailable(message);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return common::unavailable(partial.string() + ": " + std::strerror(errno));

  const std::unique_ptr<CURL, EasyDeleter> handle(curl_easy_init());
  if (!handle) return common::internal_error("curl_easy_init failed");
  CURL* h = handle.get();
  Transfer t;
  t.fd = fd.get();
  t.offset = static_cast<int64_t>(st.st_size);
  t.max_bytes = o.max_bytes;
  t.on_progress = &o.on_progress;
  char curl_message[CURL_ERROR_SIZE] = {};
  const std::string range = std::to_string(t.offset) + "-";
  const std::string no_proxy = no_proxy_list();

  CURLcode rc = CURLE_OK;
  const auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(h, option, value);
  };
  set(CURLOPT_URL, url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set(CURLOPT_FOLLOWLOCATION, 1L);
  set(CURLOPT_MAXREDIRS, static_cast<long>(std::max(o.max_redirects, 0)));
  set(CURLOPT_NOPROXY, no_proxy.c_str());
  set(CURLOPT_CONNECTTIMEOUT_MS, clamp_ms(o.connect_timeout));
  set(CURLOPT_LOW_SPEED_LIMIT, kStallBytesPerSecond);
  set(CURLOPT_LOW_SPEED_TIME, std::max(1L, clamp_ms(o.stall_timeout) / 1000));
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_USERAGENT, o.user_agent.c_str());
  set(CURLOPT_ERRORBUFFER, curl_message);
  set(CURLOPT_HEADERFUNCTION, &internal::on_header);
  set(CURLOPT_HEADERDATA, static_cast<void*>(&t));
  set(CURLOPT_WRITEFUNCTION, &internal::on_body);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&t));
  // Identity encoding only: a byte offset into a compressed stream is not an offset into the file.
  set(CURLOPT_ACCEPT_ENCODING, nullptr);
  if (t.offset > 0) set(CURLOPT_RANGE, range.c_str());
  if (rc != CURLE_OK) return common::internal_error(std::string("libcurl: ") + curl_easy_strerror(rc));

  const auto started = std::chrono::steady_clock::now();
  rc = curl_easy_perform(h);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (t.abort == Abort::kRangeNotSatisfiable && t.offset > 0) {
    int64_t start = 0;
    int64_t total = -1;
    // "bytes */SIZE" with SIZE equal to what we hold: the partial was complete already.
    if (internal::parse_content_range(t.content_range, start, total) && total == t.offset) {
      return DownloadReport{t.offset, t.offset, false, url, seconds};
    }
    if (::ftruncate(fd.get(), 0) != 0)
      return common::unavailable(partial.string() + ": " + std::strerror(errno));
    retry_from_zero = true;
    return common::unavailable("range not satisfiable");
  }
  if (rc != CURLE_OK || t.abort != Abort::kNone) return failure(h, rc, t, url, partial, o, curl_message);
  if (!t.in_body) {  // a final 3xx curl did not follow (no Location), or an empty exchange
    return common::unavailable(url_host(url) + " answered " + std::to_string(t.status) + " for " + url);
  }
  if (t.total >= 0 && t.done() != t.total) {
    return common::unavailable("the connection to " + url_host(url) + " ended after " + progress_text(t) +
                               "; the next pull resumes from there");
  }
  if (::fsync(fd.get()) != 0)
    return common::unavailable(partial.string() + ": fsync: " + std::strerror(errno));
  const char* effective = nullptr;
  curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
  DownloadReport report;
  report.bytes = t.done();
  report.resumed_from = t.status == 206 ? t.offset : 0;
  report.restarted = t.restarted;
  report.final_url = effective != nullptr ? effective : url;
  report.seconds = seconds;
  return report;
}

}  // namespace

Result<DownloadReport> download_to_file(const std::string& url, const std::filesystem::path& partial,
                                        const DownloadOptions& options) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return common::invalid_argument("'" + url + "' is not an http:// or https:// URL");
  }
  bool retry = false;
  auto result = attempt(url, partial, options, retry);
  if (retry) {
    result = attempt(url, partial, options, retry);
    if (result) result->restarted = true;
  }
  std::error_code ec;
  if (!result && std::filesystem::file_size(partial, ec) == 0 && !ec) {
    std::filesystem::remove(partial, ec);  // nothing arrived: nothing to resume
  }
  return result;
}

std::string url_host(const std::string& url) {
  CURLU* u = curl_url();
  if (u == nullptr) return url;
  std::string host = url;
  char* part = nullptr;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &part, 0) == CURLUE_OK && part != nullptr) {
    host = part;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  }
  curl_free(part);
  curl_url_cleanup(u);
  return host;
}

}  // namespace sluice::serve::pull
