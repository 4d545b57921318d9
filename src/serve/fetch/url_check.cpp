#include "serve/fetch/url_check.h"

#include <curl/curl.h>

#include <memory>
#include <string_view>

namespace sluice::serve::fetch::internal {
namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlStringDeleter {
  void operator()(char* s) const { curl_free(s); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

CurlString get_part(CURLU* u, CURLUPart part) {
  char* out = nullptr;
  if (curl_url_get(u, part, &out, 0) != CURLUE_OK) return nullptr;
  return CurlString(out);
}

common::Status bad_url(std::string_view why) {
  return common::invalid_argument("image_url: " + std::string(why) +
                                  " (expected an absolute http:// or https:// URL)");
}

}  // namespace

common::Result<std::string> check_fetch_url(const std::string& url) {
  if (url.empty()) return bad_url("is empty");
  // curl_url_set takes a C string: a NUL would cut the URL short ("http://a\0b" is fetched as "http://a"),
  // and no control character is valid in a URL (RFC 3986).
  for (char c : url) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return bad_url("contains a control character");
  }
  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  if (!u) return common::internal_error("image_url: out of memory parsing the URL");
  // CURLU_NON_SUPPORT_SCHEME lets ftp:// or gopher:// parse, so that the error below can name the scheme
  // instead of curl's generic "bad scheme". No CURLU_DEFAULT_SCHEME/GUESS_SCHEME: "example.com/a.jpg" is not
  // silently taken as http.
  const CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (rc != CURLUE_OK) return bad_url(std::string("is not a valid URL: ") + curl_url_strerror(rc));

  const CurlString scheme = get_part(u.get(), CURLUPART_SCHEME);
  const std::string_view s = scheme ? std::string_view(scheme.get()) : std::string_view();
  if (s != "http" && s != "https") return bad_url("scheme '" + std::string(s) + "' is not fetched");

  const CurlString host = get_part(u.get(), CURLUPART_HOST);
  if (!host || host.get()[0] == '\0') return bad_url("has no host");

  const CurlString normalised = get_part(u.get(), CURLUPART_URL);
  if (!normalised) return bad_url("cannot be written back as a URL");
  return std::string(normalised.get());
}

}  // namespace sluice::serve::fetch::internal
