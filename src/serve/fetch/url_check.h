#pragma once
// The first gate of fetch_url(): decides, before any socket exists, whether a string is an absolute http(s)
// URL that curl will read the way we did. Internal to the fetch area; fetch_url() is the interface.
#include <string>

#include "common/status.h"

namespace sluice::serve::fetch::internal {

// Parses `url` with curl's own URL parser (curl_url), so that the URL we vet is the URL curl fetches.
// Returns the normalised URL (lowercase scheme, host and so on as curl writes it back), or kInvalidArgument
// ("image_url: ...") for: an empty string, anything without a scheme, a scheme other than http or https,
// or a URL with no host. Needs nothing but curl's URL API; no DNS, no network.
common::Result<std::string> check_fetch_url(const std::string& url);

}  // namespace sluice::serve::fetch::internal
