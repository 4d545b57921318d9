#include "serve/fetch/fetcher.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>

#include "serve/fetch/destination_guard.h"
#include "serve/fetch/url_check.h"

namespace sluice::serve::fetch {
namespace {

using common::Status;

// Why a callback stopped the transfer; curl itself only sees CURLE_WRITE_ERROR.
enum class Abort { kNone, kDeclaredTooLarge, kTooLarge, kUpstreamStatus, kNoMemory };

// State the header and write callbacks share with fetch_url() for one transfer.
struct Transfer {
  uint64_t max_bytes = 0;
  long status = 0;           // of the response being read; each redirect and 1xx starts a new one
  bool in_body = false;      // headers after the body are chunked trailers, not the response's headers
  std::string content_type;  // of the response being read
  uint64_t declared_length = 0;
  std::string body;
  Abort abort = Abort::kNone;
};

bool is_2xx(long status) { return status >= 200 && status < 300; }

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

// "Image/JPEG; charset=binary" -> "image/jpeg".
std::string media_type(std::string_view value) {
  std::string out(trim(value.substr(0, value.find(';'))));
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t length = size * count;
  const std::string_view line = trim(std::string_view(data, length));
  if (line.starts_with("HTTP/")) {  // "HTTP/1.1 302 Found", "HTTP/2 200": a new response begins
    const size_t space = line.find(' ');
    long status = 0;
    if (space != std::string_view::npos) {
      std::from_chars(line.data() + space + 1, line.data() + line.size(), status);
    }
    t->status = status;
    t->in_body = false;
    t->content_type.clear();
    t->declared_length = 0;
    t->body.clear();
    return length;
  }
  const size_t colon = line.find(':');
  if (t->in_body || colon == std::string_view::npos) return length;
  const std::string_view name = trim(line.substr(0, colon));
  const std::string_view value = trim(line.substr(colon + 1));
  if (iequals(name, "content-type")) {
    t->content_type = media_type(value);
  } else if (iequals(name, "content-length") && is_2xx(t->status)) {
    uint64_t declared = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), declared);
    // An unparsable or overflowing length is left to curl, which rejects it; the body is still capped.
    if (ec == std::errc() && end == value.data() + value.size()) {
      t->declared_length = declared;
      if (declared > t->max_bytes) {
        t->abort = Abort::kDeclaredTooLarge;
        return 0;  // refused before the body: curl stops with CURLE_WRITE_ERROR
      }
    }
  }
  return length;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t length = size * count;
  if (!t->in_body) {
    t->in_body = true;
    // curl discards the bodies of redirects it follows, so a body that is not 2xx is the final answer: an
    // error page, which there is no point downloading.
    if (!is_2xx(t->status)) {
      t->abort = Abort::kUpstreamStatus;
      return 0;
    }
  }
  if (t->body.size() + length > t->max_bytes) {
    t->abort = Abort::kTooLarge;
    return 0;
  }
  try {
    if (t->body.empty() && t->declared_length > length) t->body.reserve(t->declared_length);
    t->body.append(data, length);
  } catch (const std::bad_alloc&) {  // no exception may unwind through curl's C frames
    t->abort = Abort::kNoMemory;
    return 0;
  }
  return length;
}

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};

// Every option the guard relies on is checked: a libcurl that refused CURLOPT_PROTOCOLS_STR, say, must not
// go on to fetch with its defaults.
class Options {
 public:
  explicit Options(CURL* h) : h_(h) {}
  template <typename V>
  Options& set(CURLoption option, V value) {
    if (rc_ == CURLE_OK) rc_ = curl_easy_setopt(h_, option, value);
    return *this;
  }
  CURLcode result() const { return rc_; }

 private:
  CURL* h_;
  CURLcode rc_ = CURLE_OK;
};

long clamp_ms(std::chrono::milliseconds ms) {
  // curl reads 0 as "no limit" (or its 300 s default for connecting): never let a zero or negative option
  // switch a limit off.
  return static_cast<long>(std::clamp<int64_t>(ms.count(), 1, int64_t{24} * 3600 * 1000));
}

std::string limit_text(const FetchOptions& o) { return std::to_string(o.max_bytes) + " bytes"; }

Status transfer_error(CURL* h, CURLcode rc, const Transfer& t, const internal::DestinationGuard& guard,
                      const FetchOptions& o, const char* curl_message) {
  const std::string detail = curl_message[0] != '\0' ? curl_message : curl_easy_strerror(rc);
  switch (t.abort) {
    case Abort::kDeclaredTooLarge:
      return common::resource_exhausted("image_url: the upstream declares " +
                                        std::to_string(t.declared_length) + " bytes, above the limit of " +
                                        limit_text(o));
    case Abort::kTooLarge:
      return common::resource_exhausted("image_url: the image is larger than the limit of " + limit_text(o));
    case Abort::kUpstreamStatus:
      return common::unavailable("image_url: upstream answered " + std::to_string(t.status));
    case Abort::kNoMemory:
      return common::resource_exhausted("image_url: out of memory while downloading");
    case Abort::kNone:
      break;
  }
  // A refused address makes curl fail to connect; when DNS gave several addresses and another one answered,
  // the transfer went on (to a public address) and this is not the cause.
  if (!guard.refused().empty() && rc == CURLE_COULDNT_CONNECT) {
    return common::permission_denied("image_url: destination " + guard.refused() +
                                     " is not a public address (loopback, private, link-local and other "
                                     "special-purpose addresses are refused)");
  }
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT: {
      curl_off_t connect_us = 0;
      curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
      if (connect_us == 0) {
        return common::deadline_exceeded(
            "image_url: could not connect within " +
            std::to_string(std::min(clamp_ms(o.connect_timeout), clamp_ms(o.total_timeout))) + " ms");
      }
      return common::deadline_exceeded("image_url: the download did not finish within " +
                                       std::to_string(clamp_ms(o.total_timeout)) + " ms");
    }
    case CURLE_TOO_MANY_REDIRECTS:
      return common::unavailable("image_url: more than " + std::to_string(std::max(o.max_redirects, 0)) +
                                 " redirects");
    case CURLE_UNSUPPORTED_PROTOCOL: {
      const char* target = nullptr;
      curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &target);  // the refused target, once curl tried it
      std::string shown = target != nullptr ? target : "";
      if (shown.size() > 200) shown = shown.substr(0, 200) + "...";
      return common::invalid_argument("image_url: redirected to '" + shown +
                                      "', which is not an http:// or https:// URL");
    }
    case CURLE_URL_MALFORMAT:
      return common::invalid_argument("image_url: " + detail);
    case CURLE_FILESIZE_EXCEEDED:
      return common::resource_exhausted("image_url: the image is larger than the limit of " + limit_text(o));
    case CURLE_OUT_OF_MEMORY:
      return common::resource_exhausted("image_url: out of memory while downloading");
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
    case CURLE_NOT_BUILT_IN:
    case CURLE_FAILED_INIT:
      return common::internal_error("image_url: libcurl: " + detail);
    default:  // DNS, refused connection, TLS, a connection reset, a malformed answer
      return common::unavailable("image_url: " + detail);
  }
}

}  // namespace

void fetch_global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

common::Result<FetchResult> fetch_url(const std::string& url, const FetchOptions& options) {
  common::Result<std::string> checked = internal::check_fetch_url(url);
  if (!checked) return checked.status();
  common::Result<internal::DestinationGuard> guard = internal::DestinationGuard::create(options);
  if (!guard) return guard.status();

  fetch_global_init();
  const std::unique_ptr<CURL, EasyDeleter> handle(curl_easy_init());
  if (!handle) return common::internal_error("image_url: curl_easy_init failed");
  CURL* h = handle.get();

  Transfer transfer;
  transfer.max_bytes = static_cast<uint64_t>(std::max<int64_t>(options.max_bytes, 0));
  char curl_message[CURL_ERROR_SIZE] = {};

  Options set(h);
  set.set(CURLOPT_URL, checked.value().c_str())
      .set(CURLOPT_PROTOCOLS_STR, "http,https")
      .set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
      .set(CURLOPT_FOLLOWLOCATION, 1L)
      .set(CURLOPT_MAXREDIRS, static_cast<long>(std::max(options.max_redirects, 0)))
      // "" turns proxies off, the environment's included (see fetcher.h); so CURLOPT_NOPROXY has nothing
      // left to exempt and stays unset.
      .set(CURLOPT_PROXY, "")
      .set(CURLOPT_OPENSOCKETFUNCTION, &internal::open_vetted_socket)
      .set(CURLOPT_OPENSOCKETDATA, static_cast<void*>(&guard.value()))
      .set(CURLOPT_CONNECTTIMEOUT_MS, clamp_ms(options.connect_timeout))
      .set(CURLOPT_TIMEOUT_MS, clamp_ms(options.total_timeout))
      .set(CURLOPT_NOSIGNAL, 1L)  // signals are process-wide; timeouts must not depend on SIGALRM
      .set(CURLOPT_HEADERFUNCTION, &on_header)
      .set(CURLOPT_HEADERDATA, static_cast<void*>(&transfer))
      .set(CURLOPT_WRITEFUNCTION, &on_body)
      .set(CURLOPT_WRITEDATA, static_cast<void*>(&transfer))
      .set(CURLOPT_ERRORBUFFER, curl_message)
      .set(CURLOPT_USERAGENT, options.user_agent.c_str());
  if (set.result() != CURLE_OK) {
    return common::internal_error(std::string("image_url: libcurl refused an option: ") +
                                  curl_easy_strerror(set.result()));
  }

  const CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) return transfer_error(h, rc, transfer, guard.value(), options, curl_message);

  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  // Reached with an empty non-2xx body, or a 3xx that curl did not follow (no Location, 304).
  if (!is_2xx(status)) return common::unavailable("image_url: upstream answered " + std::to_string(status));

  FetchResult result;
  result.body = std::move(transfer.body);
  result.content_type = std::move(transfer.content_type);
  const char* final_url = nullptr;
  curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &final_url);
  result.final_url = final_url != nullptr ? final_url : checked.value();
  long redirects = 0;
  curl_easy_getinfo(h, CURLINFO_REDIRECT_COUNT, &redirects);
  result.redirects = static_cast<int>(redirects);
  return result;
}

}  // namespace sluice::serve::fetch
