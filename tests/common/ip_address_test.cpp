#include "common/ip_address.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::common {
namespace {

using std::literals::string_view_literals::operator""sv;

// Python's answer for one string; see tools/gen_ip_oracle.py for how the table is made.
struct OracleCase {
  std::string_view group;
  std::string_view text;
  std::string_view packed_hex;  // empty when !valid
  std::string_view canonical;   // str() without the scope id; empty when !valid
  bool valid;
  bool is_v6;
  bool is_global;
};

constexpr OracleCase kOracle[] = {
#include "ip_oracle_cases.inc"
};

// The table holds NULs and non-ASCII bytes; print them so that a failure names its row.
std::string printable(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out + "'";
}

std::string packed_hex(const IpAddress& ip) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < (ip.is_v6 ? 16u : 4u); ++i) {
    out += kHex[ip.bytes[i] >> 4];
    out += kHex[ip.bytes[i] & 15];
  }
  return out;
}

IpAddress must_parse(std::string_view text) {
  std::optional<IpAddress> ip = parse_ip(text);
  EXPECT_TRUE(ip.has_value()) << printable(text);
  return ip.value_or(IpAddress{});
}

// Checks every row of one group against the oracle and returns how many rows the group has.
int check_group(std::string_view group) {
  int rows = 0;
  for (const OracleCase& c : kOracle) {
    if (c.group != group) continue;
    ++rows;
    SCOPED_TRACE(std::string(group) + " row " + printable(c.text));
    const std::optional<IpAddress> ip = parse_ip(c.text);
    EXPECT_EQ(ip.has_value(), c.valid) << "parse acceptance differs from Python";
    if (!ip || !c.valid) continue;
    EXPECT_EQ(ip->is_v6, c.is_v6);
    EXPECT_EQ(packed_hex(*ip), c.packed_hex);
    EXPECT_EQ(ip->to_string(), c.canonical);
    EXPECT_EQ(is_global(*ip), c.is_global);
  }
  return rows;
}

TEST(IpOracle, SpecialBlockBoundariesMatchPython) { EXPECT_GT(check_group("boundary"), 200); }

TEST(IpOracle, ParseAcceptanceMatchesPython) { EXPECT_GT(check_group("parse"), 100); }

TEST(IpOracle, RandomAddressesMatchPython) { EXPECT_EQ(check_group("random"), 2000); }

TEST(IpOracle, MutatedAddressesMatchPython) { EXPECT_GT(check_group("mutant"), 500); }

// The oracle could be regenerated from a broken interpreter; these pin the headline answers by hand.
TEST(ParseIp, AcceptsAndRejectsTheDocumentedForms) {
  for (std::string_view bad : {"01.2.3.4"sv, "999.1.2.3"sv, "1.2.3"sv, "1.2.3.4.5"sv, ""sv, " 1.2.3.4"sv,
                               "1.2.3.4 "sv, ":::"sv, "1::2::3"sv, "1:2:3:4:5:6:7:8:9"sv, "12345::"sv,
                               "fe80::1%"sv, "fe80::1%eth0/64"sv, "1.2.3.4%eth0"sv, "::ffff:01.2.3.4"sv}) {
    EXPECT_FALSE(parse_ip(bad).has_value()) << printable(bad);
  }
  EXPECT_EQ(must_parse("1.2.3.4").to_string(), "1.2.3.4");
  EXPECT_FALSE(must_parse("1.2.3.4").is_v6);
  EXPECT_EQ(must_parse("::").to_string(), "::");
  EXPECT_EQ(must_parse("::ffff:1.2.3.4").to_string(), "::ffff:102:304");
  EXPECT_EQ(must_parse("fe80::1%eth0"), must_parse("fe80::1"));
  EXPECT_EQ(must_parse("1:2:3:4:5:6:7::").to_string(), "1:2:3:4:5:6:7:0");
  EXPECT_EQ(must_parse("0:0:1:0:0:1:0:0").to_string(), "::1:0:0:1:0:0");
}

TEST(ParseIp, ReadsOnlyTheGivenView) {
  constexpr std::string_view kLine = "1.2.3.45,::1%eth0,x";
  EXPECT_EQ(must_parse(kLine.substr(0, 7)).to_string(), "1.2.3.4");
  EXPECT_EQ(must_parse(kLine.substr(9, 3)).to_string(), "::1");
  EXPECT_FALSE(parse_ip(kLine.substr(9, 4)).has_value());  // "::1%": empty scope
}

TEST(IsGlobal, FollowsPythonIncludingItsMappedQuirk) {
  EXPECT_TRUE(is_global(must_parse("8.8.8.8")));
  EXPECT_TRUE(is_global(must_parse("224.0.0.1")));  // multicast is global in Python
  EXPECT_FALSE(is_global(must_parse("100.64.0.1")));
  EXPECT_TRUE(is_global(must_parse("192.0.0.9")));
  EXPECT_FALSE(is_global(must_parse("192.0.0.8")));
  EXPECT_FALSE(is_global(must_parse("::ffff:10.0.0.1")));
  // 3.11 answers `not ipv4_mapped.is_private`, and 100.64/10 is not private.
  EXPECT_TRUE(is_global(must_parse("::ffff:100.64.0.1")));
  EXPECT_TRUE(is_global(must_parse("64:ff9b::a00:1")));
  EXPECT_FALSE(is_global(must_parse("2002:a00:1::")));
  EXPECT_TRUE(is_global(must_parse("ff02::1")));
  EXPECT_TRUE(is_global(must_parse("2001:4:112::1")));
  EXPECT_FALSE(is_global(must_parse("2001:4:113::1")));
}

TEST(IsForbiddenDestination, RefusesInternalAddresses) {
  for (std::string_view text : {"127.0.0.1"sv,
                                "::1"sv,
                                "10.1.2.3"sv,
                                "169.254.169.254"sv,
                                "0.0.0.0"sv,
                                "::"sv,
                                "::ffff:127.0.0.1"sv,
                                "::ffff:10.0.0.1"sv,
                                "64:ff9b::a00:1"sv,
                                "2002:a00:1::"sv,
                                "fc00::1"sv,
                                "fe80::1"sv,
                                "fe80::1%eth0"sv,
                                "ff02::1"sv,
                                "224.0.0.1"sv,
                                "100.64.0.1"sv,
                                "::ffff:100.64.0.1"sv,
                                "::127.0.0.1"sv,
                                "::ffff:169.254.169.254"sv,
                                "255.255.255.255"sv,
                                "192.0.2.1"sv,
                                "2001:db8::1"sv,
                                "3fff::1"sv,
                                "fec0::1"sv,
                                "100::1"sv,
                                "64:ff9b:1::1"sv,
                                "2001::1"sv,
                                "5f00::1"sv,
                                "::ffff:0:808:808"sv}) {
    EXPECT_TRUE(is_forbidden_destination(must_parse(text))) << printable(text);
  }
}

TEST(IsForbiddenDestination, AllowsGlobalUnicast) {
  // Embedded forms of an allowed IPv4 address reach that address, so they are allowed too.
  for (std::string_view text : {"8.8.8.8"sv, "2606:4700::1111"sv, "::ffff:8.8.8.8"sv, "64:ff9b::808:808"sv,
                                "2002:808:808::1"sv, "192.0.0.9"sv, "1.1.1.1"sv, "2001:4860:4860::8888"sv}) {
    EXPECT_FALSE(is_forbidden_destination(must_parse(text))) << printable(text);
  }
}

// Over the whole oracle table: whatever Python calls non-global is forbidden, except 6to4 (decided by its
// embedded IPv4 address); for IPv4, forbidden is exactly non-global or multicast.
TEST(IsForbiddenDestination, CoversEverythingPythonCallsNonGlobal) {
  const IpAddress kMulticast4 = must_parse("224.0.0.0");
  int checked = 0;
  for (const OracleCase& c : kOracle) {
    const std::optional<IpAddress> ip = parse_ip(c.text);
    if (!ip) continue;
    ++checked;
    if (!ip->is_v6) {
      const bool multicast = (ip->bytes[0] & 0xf0) == kMulticast4.bytes[0];
      EXPECT_EQ(is_forbidden_destination(*ip), !is_global(*ip) || multicast) << printable(c.text);
    } else if (!is_global(*ip) && !(ip->bytes[0] == 0x20 && ip->bytes[1] == 0x02)) {
      EXPECT_TRUE(is_forbidden_destination(*ip)) << printable(c.text);
    }
  }
  EXPECT_GT(checked, 2000);
}

}  // namespace
}  // namespace sluice::common
