#pragma once
// Fetches an image URL for the classifier, safely: the reference fetched any URL with no timeout, no size
// limit and no check of where it connected, which is a server-side request forgery hole.
//
// Through libcurl:
//  - only http:// and https:// (also after redirects);
//  - connect and total timeouts;
//  - a byte cap checked while the body streams in (a Content-Length above the cap is refused before any body
//    is read), never after;
//  - at most `max_redirects` redirects, each one re-vetted;
//  - every address curl is about to connect to (first request, each redirect, each address DNS returned) is
//    vetted in curl's open-socket callback with common::is_forbidden_destination(), so a hostname that
//    resolves or rebinds to 127.0.0.1, 10.x, 169.254.169.254, [::1], ::ffff:127.0.0.1, … is refused;
//  - no proxy, whatever http_proxy/https_proxy/all_proxy say: through a proxy the socket curl opens goes to
//    the proxy, so the check above would vet the proxy's address and the proxy would reach the private
//    target for us. A deployment that must egress through a proxy has to enforce the same rule there.
//
// Thread-safe: each call uses its own curl easy handle. Call fetch_global_init() once before threads start.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::serve::fetch {

// A timeout of zero or less is taken as 1 ms (never as curl's "no limit"); max_bytes and max_redirects below
// zero as 0.
struct FetchOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{10000};
  int64_t max_bytes = 20 * 1024 * 1024;
  int max_redirects = 3;
  // Development and tests only: lets loopback and private destinations through.
  bool allow_private = false;
  std::string user_agent = "sluice-serve";
  // Exact addresses ("10.1.2.3", "::1") let through although they are not public: an internal image host the
  // operator trusts (`--allow-destination`), or a loopback first hop in tests. Every other address, including
  // where such a host redirects, is still vetted. An entry that is not an IP address makes fetch_url() fail
  // with kInvalidArgument.
  std::vector<std::string> allowed_addresses;
};

struct FetchResult {
  std::string body;
  std::string content_type;  // the final response's Content-Type, lowercased, parameters removed
  std::string final_url;     // after redirects
  int redirects = 0;
};

// Errors (their code decides the HTTP status the server answers):
//  - kInvalidArgument: not an absolute http(s) URL, or a redirect to another scheme (400)
//  - kPermissionDenied: a forbidden destination; the message names the address, e.g.
//    "image_url: destination 127.0.0.1 is not a public address" (403)
//  - kResourceExhausted: the body exceeds max_bytes (413)
//  - kDeadlineExceeded: connect or total timeout (504)
//  - kUnavailable: DNS failure, refused connection, TLS failure, too many redirects, or an upstream status
//    other than 2xx, naming it: "image_url: upstream answered 404" (502)
common::Result<FetchResult> fetch_url(const std::string& url, const FetchOptions& options);

// curl_global_init; idempotent and thread-safe, but call it from main before other threads exist.
void fetch_global_init();

}  // namespace sluice::serve::fetch
