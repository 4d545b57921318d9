#pragma once
// IP address parsing and classification, bit-for-bit compatible with Python's `ipaddress` module as shipped
// by Debian 12 (/usr/bin/python3, 3.11.2 with the CVE-2024-4032 patch, whose special-purpose lists equal
// CPython 3.11.10+/3.12.4+/3.13). The ETL uses it to validate and classify IP cells the way the Python
// pipeline it replaces did; the HTTP client uses is_forbidden_destination() as its SSRF guard.
//
// Every function here is pure, thread-safe, and allocation-free (except IpAddress::to_string()): they run
// once per row on millions of rows.
//
// The expected answers in tests/common/ip_oracle_cases.inc are produced by tools/gen_ip_oracle.py, which asks
// the Python above; rerun it if the reference Python changes.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::common {

struct IpAddress {
  bool is_v6 = false;
  // Network byte order. An IPv4 address lives in bytes[0..3]; bytes[4..15] are then zero, so that the
  // defaulted == compares addresses.
  std::array<uint8_t, 16> bytes{};

  // Python's str() of the address: dotted quad, or RFC 5952-style compressed lowercase IPv6 in which an
  // IPv4-mapped address prints as hex (`::ffff:102:304`, as 3.11 does). The scope id is not kept.
  std::string to_string() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// Parses exactly the strings that Python's ipaddress.ip_address(str) accepts:
//  - IPv4: four decimal octets 0..255 of 1-3 ASCII digits, no leading zeros ("01.2.3.4" is rejected, as
//    Python >= 3.9.5 does);
//  - IPv6: every RFC 4291 text form, including "::", an embedded dotted-quad tail ("::ffff:1.2.3.4", held
//    to the IPv4 rules above), hextets of 1-4 hex digits in either case, and a "%scope" suffix made of any
//    bytes except '%' and '/' (the scope is validated, then dropped);
//  - no surrounding whitespace, no '/', no prefix length.
// Returns nullopt when `text` is not an address. `text` is taken as UTF-8 bytes; Python sees characters, but
// only ASCII is accepted outside a scope id, so the two agree on every valid UTF-8 input.
std::optional<IpAddress> parse_ip(std::string_view text);

// Python's `ip_address(...).is_global` (Debian 3.11.2):
//  - IPv4: not in 100.64.0.0/10 and not in the IANA "not globally reachable" list (0/8, 10/8, 127/8,
//    169.254/16, 172.16/12, 192.0.0/24 except 192.0.0.9 and .10, 192.0.2/24, 192.168/16, 198.18/15,
//    198.51.100/24, 203.0.113/24, 240/4, 255.255.255.255). Multicast 224/4 IS global.
//  - IPv6: not in the IANA list (::1, ::, ::ffff:0:0/96, 64:ff9b:1::/48, 100::/64, 2001::/23 except its
//    globally reachable sub-blocks, 2001:db8::/32, 2002::/16, fc00::/7, fe80::/10). Multicast, site-local
//    fec0::/10, NAT64 64:ff9b::/96 and IPv4-compatible ::a.b.c.d are global.
//  - IPv4-mapped ::ffff:a.b.c.d answers `not a.b.c.d.is_private`, which makes ::ffff:100.64.x.y global
//    although 100.64.x.y is not (python/cpython#107205); kept because the oracle answers so.
bool is_global(const IpAddress& ip);

// The SSRF guard for outgoing HTTP: true unless `ip` is a plain globally reachable unicast address.
//  - IPv4: forbidden when !is_global() or multicast 224/4: loopback, private, link-local (169.254.169.254),
//    unspecified, reserved, documentation, shared 100.64/10, benchmarking, broadcast.
//  - IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96, so :: and ::1 too), NAT64 (64:ff9b::/96) and 6to4
//    (2002::/16) addresses: forbidden exactly when the embedded IPv4 address is. So ::ffff:8.8.8.8 is
//    allowed, as reaching 8.8.8.8 through it is as safe as asking for 8.8.8.8, and ::ffff:100.64.0.1 is
//    forbidden although is_global() says true; 2002:808:808:: is allowed although is_global() says false.
//  - Any other IPv6: forbidden outside 2000::/3 (unique-local, link-local, site-local, multicast, discard
//    100::/64, 64:ff9b:1::/48, ...), in documentation 3fff::/20 (RFC 9637, newer than Python's lists), and
//    wherever !is_global() (Teredo and the rest of 2001::/23, 2001:db8::/32).
bool is_forbidden_destination(const IpAddress& ip);

}  // namespace sluice::common
