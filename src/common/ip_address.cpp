#include "common/ip_address.h"

#include <cstddef>

namespace sluice::common {
namespace internal {
namespace {

// ---- Prefix tables -------------------------------------------------------------------------------------
// Copied from Debian's /usr/lib/python3.11/ipaddress.py (_IPv4Constants, _IPv6Constants); the oracle test
// fails if one drifts from it.

struct V4Prefix {
  uint32_t value;
  uint32_t mask;
};

constexpr V4Prefix v4(uint32_t a, uint32_t b, uint32_t c, uint32_t d, int len) {
  return {(a << 24) | (b << 16) | (c << 8) | d, len == 0 ? 0u : ~uint32_t{0} << (32 - len)};
}

constexpr bool contains(const V4Prefix& p, uint32_t ip) { return (ip & p.mask) == p.value; }

constexpr V4Prefix kV4Private[] = {
    v4(0, 0, 0, 0, 8),      v4(10, 0, 0, 0, 8),         v4(127, 0, 0, 0, 8),     v4(169, 254, 0, 0, 16),
    v4(172, 16, 0, 0, 12),  v4(192, 0, 0, 0, 24),       v4(192, 0, 0, 170, 31),  v4(192, 0, 2, 0, 24),
    v4(192, 168, 0, 0, 16), v4(198, 18, 0, 0, 15),      v4(198, 51, 100, 0, 24), v4(203, 0, 113, 0, 24),
    v4(240, 0, 0, 0, 4),    v4(255, 255, 255, 255, 32),
};
constexpr V4Prefix kV4PrivateExceptions[] = {v4(192, 0, 0, 9, 32), v4(192, 0, 0, 10, 32)};
// Python's `_public_network`, despite the name: shared address space, neither private nor global.
constexpr V4Prefix kV4Shared = v4(100, 64, 0, 0, 10);
constexpr V4Prefix kV4Multicast = v4(224, 0, 0, 0, 4);

// Most addresses in real data are global; a bitmap of the first octets that can start a private block lets
// them skip the table walk. Built from the table so that the two cannot disagree.
struct OctetSet {
  uint64_t words[4] = {};
  constexpr bool has(uint32_t octet) const { return (words[octet >> 6] >> (octet & 63)) & 1; }
};

constexpr OctetSet private_first_octets() {
  OctetSet set;
  for (const V4Prefix& p : kV4Private) {
    const uint32_t lo = p.value >> 24;
    const uint32_t hi = (p.value | ~p.mask) >> 24;
    for (uint32_t o = lo; o <= hi; ++o) set.words[o >> 6] |= uint64_t{1} << (o & 63);
  }
  return set;
}
constexpr OctetSet kV4PrivateFirstOctets = private_first_octets();

struct V6Prefix {
  uint64_t hi, lo;  // the network address, as two big-endian halves
  uint64_t mask_hi, mask_lo;
};

constexpr V6Prefix v6(uint16_t h0, uint16_t h1, uint16_t h2, uint16_t h3, uint16_t h4, uint16_t h5,
                      uint16_t h6, uint16_t h7, int len) {
  const uint64_t hi = (uint64_t{h0} << 48) | (uint64_t{h1} << 32) | (uint64_t{h2} << 16) | h3;
  const uint64_t lo = (uint64_t{h4} << 48) | (uint64_t{h5} << 32) | (uint64_t{h6} << 16) | h7;
  const uint64_t mask_hi = len >= 64 ? ~uint64_t{0} : len == 0 ? 0 : ~uint64_t{0} << (64 - len);
  const uint64_t mask_lo = len >= 128 ? ~uint64_t{0} : len <= 64 ? 0 : ~uint64_t{0} << (128 - len);
  return {hi, lo, mask_hi, mask_lo};
}

struct V6 {
  uint64_t hi, lo;
};

constexpr bool contains(const V6Prefix& p, V6 ip) {
  return (ip.hi & p.mask_hi) == p.hi && (ip.lo & p.mask_lo) == p.lo;
}

constexpr V6Prefix kV6Private[] = {
    v6(0, 0, 0, 0, 0, 0, 0, 1, 128),          // ::1/128
    v6(0, 0, 0, 0, 0, 0, 0, 0, 128),          // ::/128
    v6(0, 0, 0, 0, 0, 0xffff, 0, 0, 96),      // ::ffff:0:0/96 (unreachable: mapped is answered by IPv4)
    v6(0x64, 0xff9b, 1, 0, 0, 0, 0, 0, 48),   // 64:ff9b:1::/48
    v6(0x100, 0, 0, 0, 0, 0, 0, 0, 64),       // 100::/64
    v6(0x2001, 0, 0, 0, 0, 0, 0, 0, 23),      // 2001::/23
    v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0, 32),  // 2001:db8::/32
    v6(0x2002, 0, 0, 0, 0, 0, 0, 0, 16),      // 2002::/16
    v6(0xfc00, 0, 0, 0, 0, 0, 0, 0, 7),       // fc00::/7
    v6(0xfe80, 0, 0, 0, 0, 0, 0, 0, 10),      // fe80::/10
};
constexpr V6Prefix kV6PrivateExceptions[] = {
    v6(0x2001, 1, 0, 0, 0, 0, 0, 1, 128),     // 2001:1::1/128
    v6(0x2001, 1, 0, 0, 0, 0, 0, 2, 128),     // 2001:1::2/128
    v6(0x2001, 3, 0, 0, 0, 0, 0, 0, 32),      // 2001:3::/32
    v6(0x2001, 4, 0x112, 0, 0, 0, 0, 0, 48),  // 2001:4:112::/48
    v6(0x2001, 0x20, 0, 0, 0, 0, 0, 0, 28),   // 2001:20::/28
    v6(0x2001, 0x30, 0, 0, 0, 0, 0, 0, 28),   // 2001:30::/28
};

// For the SSRF guard only; not part of Python's lists.
constexpr V6Prefix kV6GlobalUnicast = v6(0x2000, 0, 0, 0, 0, 0, 0, 0, 3);
constexpr V6Prefix kV6Documentation2 = v6(0x3fff, 0, 0, 0, 0, 0, 0, 0, 20);  // RFC 9637, newer than 3.11
constexpr V6Prefix kV6Mapped = v6(0, 0, 0, 0, 0, 0xffff, 0, 0, 96);
constexpr V6Prefix kV6Compatible = v6(0, 0, 0, 0, 0, 0, 0, 0, 96);
constexpr V6Prefix kV6Nat64 = v6(0x64, 0xff9b, 0, 0, 0, 0, 0, 0, 96);
constexpr V6Prefix kV6SixToFour = v6(0x2002, 0, 0, 0, 0, 0, 0, 0, 16);

template <typename Prefix, typename Ip, size_t N>
constexpr bool any_contains(const Prefix (&table)[N], Ip ip) {
  for (const Prefix& p : table) {
    if (contains(p, ip)) return true;
  }
  return false;
}

uint32_t load_v4(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

uint64_t load_u64(const uint8_t* b) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | b[i];
  return v;
}

V6 load_v6(const IpAddress& ip) { return {load_u64(ip.bytes.data()), load_u64(ip.bytes.data() + 8)}; }

bool v4_is_private(uint32_t ip) {
  if (!kV4PrivateFirstOctets.has(ip >> 24)) return false;
  return any_contains(kV4Private, ip) && !any_contains(kV4PrivateExceptions, ip);
}

bool v4_is_global(uint32_t ip) { return !contains(kV4Shared, ip) && !v4_is_private(ip); }

bool v4_is_forbidden(uint32_t ip) { return !v4_is_global(ip) || contains(kV4Multicast, ip); }

// ---- Parsing -------------------------------------------------------------------------------------------
// Mirrors the checks of ipaddress.py (_BaseV4._ip_int_from_string, _BaseV6._ip_int_from_string,
// _split_scope_id) without its str.split() allocations. Error messages are not needed: callers report the
// whole cell.

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<uint32_t> parse_v4(std::string_view s) {
  uint32_t result = 0;
  size_t i = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
    const size_t start = i;
    uint32_t value = 0;
    while (i < s.size() && is_digit(s[i]) && i - start < 3) value = value * 10 + (s[i++] - '0');
    const size_t len = i - start;
    if (len == 0 || value > 255) return std::nullopt;
    if (len > 1 && s[start] == '0') return std::nullopt;  // bpo-36384: octal-looking octets are ambiguous
    result = (result << 8) | value;
  }
  // A fourth digit or any other trailing character lands here.
  if (i != s.size()) return std::nullopt;
  return result;
}

std::optional<IpAddress> parse_v6(std::string_view text) {
  if (text.find('/') != std::string_view::npos) return std::nullopt;
  std::string_view addr = text;
  if (const size_t pct = text.find('%'); pct != std::string_view::npos) {
    const std::string_view scope = text.substr(pct + 1);
    if (scope.empty() || scope.find('%') != std::string_view::npos) return std::nullopt;
    addr = text.substr(0, pct);
  }
  if (addr.empty()) return std::nullopt;

  // Python splits on ':' first and rejects more than 9 parts after expanding a dotted tail into two; a tail
  // never shrinks the count, so more than 9 raw parts can be rejected on the spot.
  constexpr int kMaxParts = 9;
  uint16_t value[kMaxParts + 1];
  bool empty[kMaxParts + 1];
  int n = 0;
  size_t begin = 0;
  while (true) {
    size_t end = addr.find(':', begin);
    const bool last = end == std::string_view::npos;
    if (last) end = addr.size();
    if (n == kMaxParts) return std::nullopt;
    const std::string_view part = addr.substr(begin, end - begin);
    if (last && part.find('.') != std::string_view::npos) {
      const std::optional<uint32_t> tail = parse_v4(part);
      if (!tail) return std::nullopt;
      value[n] = static_cast<uint16_t>(*tail >> 16);
      empty[n++] = false;
      value[n] = static_cast<uint16_t>(*tail);
      empty[n++] = false;
      break;
    }
    // Every non-empty part ends up parsed as a hextet in any layout that Python accepts, so rejecting a bad
    // one before checking the layout accepts the same set.
    if (part.size() > 4) return std::nullopt;
    uint16_t v = 0;
    for (char c : part) {
      const int h = hex_value(c);
      if (h < 0) return std::nullopt;
      v = static_cast<uint16_t>((v << 4) | h);
    }
    value[n] = v;
    empty[n++] = part.empty();
    if (last) break;
    begin = end + 1;
  }
  // Python also wants 3 parts before it expands a dotted tail; "a:1.2.3.4" fails the layout checks below
  // all the same.
  if (n < 3 || n > kMaxParts) return std::nullopt;

  int skip = -1;
  for (int i = 1; i < n - 1; ++i) {
    if (!empty[i]) continue;
    if (skip >= 0) return std::nullopt;  // at most one '::'
    skip = i;
  }
  int hi_count, lo_count;
  if (skip >= 0) {
    hi_count = skip;
    lo_count = n - skip - 1;
    if (empty[0] && --hi_count != 0) return std::nullopt;      // a leading ':' must be part of '::'
    if (empty[n - 1] && --lo_count != 0) return std::nullopt;  // so must a trailing one
    if (hi_count + lo_count > 7) return std::nullopt;          // '::' must stand for at least one group
  } else {
    if (n != 8 || empty[0] || empty[n - 1]) return std::nullopt;
    hi_count = 8;
    lo_count = 0;
  }

  IpAddress ip;
  ip.is_v6 = true;
  auto put = [&ip](int group, uint16_t v) {
    ip.bytes[2 * group] = static_cast<uint8_t>(v >> 8);
    ip.bytes[2 * group + 1] = static_cast<uint8_t>(v);
  };
  for (int i = 0; i < hi_count; ++i) put(i, value[i]);
  for (int i = 0; i < lo_count; ++i) put(8 - lo_count + i, value[n - lo_count + i]);
  return ip;
}

}  // namespace
}  // namespace internal

std::optional<IpAddress> parse_ip(std::string_view text) {
  if (const std::optional<uint32_t> v4 = internal::parse_v4(text)) {
    IpAddress ip;
    for (int i = 0; i < 4; ++i) ip.bytes[i] = static_cast<uint8_t>(*v4 >> (24 - 8 * i));
    return ip;
  }
  return internal::parse_v6(text);
}

bool is_global(const IpAddress& ip) {
  using namespace internal;
  if (!ip.is_v6) return v4_is_global(load_v4(ip.bytes.data()));
  const V6 a = load_v6(ip);
  // ipaddress.py 3.11 answers `not ipv4_mapped.is_private` here, not `ipv4_mapped.is_global`.
  if (contains(kV6Mapped, a)) return !v4_is_private(static_cast<uint32_t>(a.lo));
  return !(any_contains(kV6Private, a) && !any_contains(kV6PrivateExceptions, a));
}

bool is_forbidden_destination(const IpAddress& ip) {
  using namespace internal;
  if (!ip.is_v6) return v4_is_forbidden(load_v4(ip.bytes.data()));
  const V6 a = load_v6(ip);
  // The compatible block also holds :: and ::1, which embed 0.0.0.0 and 0.0.0.1 and so come out forbidden.
  if (contains(kV6Mapped, a) || contains(kV6Compatible, a) || contains(kV6Nat64, a)) {
    return v4_is_forbidden(static_cast<uint32_t>(a.lo));
  }
  if (contains(kV6SixToFour, a)) return v4_is_forbidden(static_cast<uint32_t>(a.hi >> 16));
  if (!contains(kV6GlobalUnicast, a) || contains(kV6Documentation2, a)) return true;
  return any_contains(kV6Private, a) && !any_contains(kV6PrivateExceptions, a);
}

std::string IpAddress::to_string() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  if (!is_v6) {
    for (int i = 0; i < 4; ++i) {
      if (i > 0) out += '.';
      out += std::to_string(bytes[i]);
    }
    return out;
  }
  uint16_t groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = static_cast<uint16_t>((bytes[2 * i] << 8) | bytes[2 * i + 1]);
  // Python's _compress_hextets: the first longest run of two or more zero groups becomes '::'.
  int best_start = -1, best_len = 0;
  for (int i = 0, run = 0; i < 8; ++i) {
    run = groups[i] == 0 ? run + 1 : 0;
    if (run > best_len) {
      best_len = run;
      best_start = i - run + 1;
    }
  }
  if (best_len < 2) best_start = -1;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (i > 0 && i != best_start + best_len) out += ':';
    bool leading = true;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const int digit = (groups[i] >> shift) & 0xf;
      if (leading && digit == 0 && shift > 0) continue;
      leading = false;
      out += kHex[digit];
    }
  }
  return out;
}

}  // namespace sluice::common
