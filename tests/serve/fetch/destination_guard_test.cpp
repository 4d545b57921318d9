#include "serve/fetch/destination_guard.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/un.h>

namespace sluice::serve::fetch::internal {
namespace {

// Asks the guard about `text` as curl would hand it over: a sockaddr_in or sockaddr_in6.
bool admits(DestinationGuard& guard, const std::string& text) {
  if (text.find(':') == std::string::npos) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(80);
    EXPECT_EQ(inet_pton(AF_INET, text.c_str(), &a.sin_addr), 1) << text;
    return guard.admit(reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_port = htons(80);
  EXPECT_EQ(inet_pton(AF_INET6, text.c_str(), &a.sin6_addr), 1) << text;
  return guard.admit(reinterpret_cast<sockaddr*>(&a), sizeof a);
}

DestinationGuard make(FetchOptions o = {}) { return DestinationGuard::create(o).value(); }

TEST(DestinationGuardTest, AdmitsPublicAddresses) {
  DestinationGuard g = make();
  for (const char* ip : {"8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2a00:1450::1"}) {
    EXPECT_TRUE(admits(g, ip)) << ip;
  }
  EXPECT_EQ(g.refused(), "");
}

TEST(DestinationGuardTest, RefusesSpecialPurposeAddressesAndRemembersTheFirst) {
  DestinationGuard g = make();
  for (const char* ip :
       {"127.0.0.1", "10.1.2.3", "169.254.169.254", "0.0.0.0", "192.168.0.1", "100.64.0.1", "224.0.0.1",
        "255.255.255.255", "::1", "::", "fe80::1", "fd12::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
        "64:ff9b::a00:1", "2002:7f00:1::", "2001:db8::1"}) {
    EXPECT_FALSE(admits(g, ip)) << ip;
  }
  EXPECT_EQ(g.refused(), "127.0.0.1");
}

TEST(DestinationGuardTest, NamesMappedAddressesInDottedForm) {
  DestinationGuard g = make();
  EXPECT_FALSE(admits(g, "::ffff:127.0.0.1"));
  EXPECT_EQ(g.refused(), "::ffff:127.0.0.1");
}

TEST(DestinationGuardTest, RefusesNonIpSocketsAndShortAddresses) {
  DestinationGuard g = make();
  sockaddr_un u{};
  u.sun_family = AF_UNIX;
  EXPECT_FALSE(g.admit(reinterpret_cast<sockaddr*>(&u), sizeof u));
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  EXPECT_FALSE(g.admit(reinterpret_cast<sockaddr*>(&a), sizeof(sockaddr_in)));  // truncated
  EXPECT_FALSE(g.admit(nullptr, 0));
}

TEST(DestinationGuardTest, AllowPrivateAdmitsEverything) {
  FetchOptions o;
  o.allow_private = true;
  DestinationGuard g = make(o);
  EXPECT_TRUE(admits(g, "127.0.0.1"));
  EXPECT_TRUE(admits(g, "::1"));
}

TEST(DestinationGuardTest, TestAllowListIsExact) {
  FetchOptions o;
  o.allowed_addresses = {"127.0.0.1", "::1"};
  DestinationGuard g = make(o);
  EXPECT_TRUE(admits(g, "127.0.0.1"));
  EXPECT_TRUE(admits(g, "::1"));
  EXPECT_FALSE(admits(g, "127.0.0.2"));
  EXPECT_FALSE(admits(g, "::ffff:127.0.0.1"));

  o.allowed_addresses = {"127.0.0.0/8"};
  EXPECT_EQ(DestinationGuard::create(o).status().code(), common::Code::kInvalidArgument);
}

}  // namespace
}  // namespace sluice::serve::fetch::internal
