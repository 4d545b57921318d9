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
//    resolves or rebinds to 127.0.0.1, 10.x, 169.254.169.254, [::1], ::ffff:127.0.0.1, … is refused.
//
// Thread-safe: each call uses its own curl easy handle. Call fetch_global_init() once before threads start.
#include <chrono>
#include <cstdint>
#include <string>

#include "common/status.h"

namespace sluice::serve::fetch {

struct FetchOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{10000};
  int64_t max_bytes = 20 * 1024 * 1024;
  int max_redirects = 3;
  // Development and tests only: lets loopback and private destinations through.
  bool allow_private = false;
  std::string user_agent = "sluice-serve";
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
