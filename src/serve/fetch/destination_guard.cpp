#include "serve/fetch/destination_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <optional>

namespace sluice::serve::fetch::internal {
namespace {

struct Destination {
  common::IpAddress ip;
  std::string text;  // inet_ntop's form, which keeps ::ffff:127.0.0.1 readable (IpAddress prints hex)
};

std::optional<Destination> destination_of(const sockaddr* address, socklen_t length) {
  Destination d;
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in in;
    std::memcpy(&in, address, sizeof in);
    std::memcpy(d.ip.bytes.data(), &in.sin_addr, 4);
    inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
  } else if (address->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 in6;
    std::memcpy(&in6, address, sizeof in6);
    d.ip.is_v6 = true;
    std::memcpy(d.ip.bytes.data(), &in6.sin6_addr, 16);
    inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
  } else {
    return std::nullopt;
  }
  d.text = text;
  return d;
}

}  // namespace

common::Result<DestinationGuard> DestinationGuard::create(const FetchOptions& options) {
  DestinationGuard guard;
  guard.allow_private_ = options.allow_private;
  for (const std::string& entry : options.allowed_addresses) {
    const std::optional<common::IpAddress> ip = common::parse_ip(entry);
    if (!ip) return common::invalid_argument("allowed_addresses: '" + entry + "' is not an IP address");
    guard.allowed_.push_back(*ip);
  }
  return guard;
}

bool DestinationGuard::admit(const sockaddr* address, socklen_t length) {
  if (allow_private_) return true;
  const std::optional<Destination> d = address == nullptr ? std::nullopt : destination_of(address, length);
  if (!d) {
    if (refused_.empty()) refused_ = "(not an IP address)";
    return false;
  }
  if (!common::is_forbidden_destination(d->ip)) return true;
  if (std::find(allowed_.begin(), allowed_.end(), d->ip) != allowed_.end()) return true;
  if (refused_.empty()) refused_ = d->text;
  return false;
}

curl_socket_t open_vetted_socket(void* guard, curlsocktype purpose, curl_sockaddr* address) {
  // CURLSOCKTYPE_ACCEPT only exists for FTP active mode, which the protocol list already excludes.
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  if (!static_cast<DestinationGuard*>(guard)->admit(&address->addr, address->addrlen)) return CURL_SOCKET_BAD;
  // SOCK_CLOEXEC: a request's socket must not leak into a process the server might start.
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

}  // namespace sluice::serve::fetch::internal
