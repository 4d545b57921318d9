#pragma once
// The SSRF guard of fetch_url(): curl calls open_vetted_socket() for every address it is about to connect to
// (the first request, each redirect, each address DNS returned, IPv6 and IPv4 alike), and the guard refuses
// the ones common::is_forbidden_destination() forbids. Vetting the sockaddr itself, rather than the URL's
// host name, is what defeats host names that resolve (or rebind, between a check and the connect) to a
// private address. Internal to the fetch area.
#include <curl/curl.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include "common/ip_address.h"
#include "common/status.h"
#include "serve/fetch/fetcher.h"

namespace sluice::serve::fetch::internal {

// One per fetch_url() call; not thread-safe (curl calls it from the thread that runs the transfer).
class DestinationGuard {
 public:
  // kInvalidArgument when an entry of options.allowed_addresses is not an IP address.
  static common::Result<DestinationGuard> create(const FetchOptions& options);

  // True when a socket to `address` may be opened. Anything but AF_INET/AF_INET6 is refused unless
  // allow_private. The first refused address is remembered for the error message.
  bool admit(const sockaddr* address, socklen_t length);

  // The first address refused, as text ("127.0.0.1", "::1", "::ffff:127.0.0.1"); empty when none was.
  const std::string& refused() const { return refused_; }

 private:
  bool allow_private_ = false;
  std::vector<common::IpAddress> allowed_;
  std::string refused_;
};

// A CURLOPT_OPENSOCKETFUNCTION; `guard` (CURLOPT_OPENSOCKETDATA) is a DestinationGuard*. Returns
// CURL_SOCKET_BAD for a refused address, which curl reports as CURLE_COULDNT_CONNECT.
curl_socket_t open_vetted_socket(void* guard, curlsocktype purpose, curl_sockaddr* address);

}  // namespace sluice::serve::fetch::internal
