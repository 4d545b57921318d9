// The SSRF guard of fetch_url(), end to end: every address curl would connect to is vetted, so a loopback,
// private or link-local destination is refused whether it is written in the URL, reached through a host
// name, or reached through a redirect, and the server behind it never sees a connection.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "serve/fetch/fetcher.h"
#include "serve/fetch/test_http_server.h"

namespace sluice::serve::fetch {
namespace {

using common::Code;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using testing::redirect;
using testing::respond;
using ::testing::StartsWith;
using testing::TestHttpServer;

// The guard on, and short limits so that a guard that let something through fails fast instead of hanging.
FetchOptions guarded() {
  FetchOptions o;
  o.connect_timeout = std::chrono::milliseconds(2000);
  o.total_timeout = std::chrono::milliseconds(4000);
  return o;
}

std::string refusal(const std::string& address) {
  return "image_url: destination " + address + " is not a public address";
}

class FetcherSsrfTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { fetch_global_init(); }
  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    server_.route("/img", respond(200, "secret", {{"Content-Type", "image/png"}}));
  }
  TestHttpServer server_;
  std::string port_ = std::to_string(server_.port());
};

TEST_F(FetcherSsrfTest, LoopbackAddressIsRefusedWithoutConnecting) {
  const auto r = fetch_url(server_.url("/img"), guarded());
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_THAT(r.status().message(), StartsWith(refusal("127.0.0.1")));
  server_.stop();
  EXPECT_EQ(server_.connections(), 0);
}

TEST_F(FetcherSsrfTest, HostNameThatResolvesToLoopbackIsRefused) {
  const auto r = fetch_url("http://localhost:" + port_ + "/img", guarded());
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_THAT(r.status().message(), AnyOf(StartsWith(refusal("127.0.0.1")), StartsWith(refusal("::1"))));
  server_.stop();
  EXPECT_EQ(server_.connections(), 0);
}

TEST_F(FetcherSsrfTest, Ipv4MappedLoopbackIsRefused) {
  // Linux routes ::ffff:127.0.0.1 to the IPv4 server, so a guard that missed it would connect.
  const auto r = fetch_url("http://[::ffff:127.0.0.1]:" + port_ + "/img", guarded());
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_THAT(r.status().message(), StartsWith(refusal("::ffff:127.0.0.1")));
  server_.stop();
  EXPECT_EQ(server_.connections(), 0);
}

TEST_F(FetcherSsrfTest, UnspecifiedAddressIsRefused) {
  // Linux sends a connect to 0.0.0.0 to loopback.
  const auto r = fetch_url("http://0.0.0.0:" + port_ + "/img", guarded());
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_THAT(r.status().message(), StartsWith(refusal("0.0.0.0")));
  server_.stop();
  EXPECT_EQ(server_.connections(), 0);
}

TEST_F(FetcherSsrfTest, Ipv6LoopbackIsRefused) {
  TestHttpServer v6("::1");
  if (!v6.ok()) GTEST_SKIP() << "no IPv6 loopback on this machine";
  v6.route("/img", respond(200, "secret"));
  const auto r = fetch_url(v6.url("/img"), guarded());
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_THAT(r.status().message(), StartsWith(refusal("::1")));
  v6.stop();
  EXPECT_EQ(v6.connections(), 0);
}

TEST_F(FetcherSsrfTest, PrivateAndSpecialPurposeAddressesAreRefused) {
  const std::pair<std::string, std::string> cases[] = {
      {"http://10.0.0.1/a.jpg", "10.0.0.1"},
      {"http://169.254.169.254/latest/meta-data/", "169.254.169.254"},
      {"http://192.168.1.1:8080/a.jpg", "192.168.1.1"},
      {"http://172.16.0.1/a.jpg", "172.16.0.1"},
      {"http://100.64.0.1/a.jpg", "100.64.0.1"},
      {"https://127.0.0.1/a.jpg", "127.0.0.1"},
      {"http://[fd00::1]/a.jpg", "fd00::1"},
      {"http://[::ffff:10.0.0.1]/a.jpg", "::ffff:10.0.0.1"},
      {"http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254"},
  };
  for (const auto& [url, address] : cases) {
    const auto r = fetch_url(url, guarded());
    ASSERT_FALSE(r.is_ok()) << url;
    EXPECT_EQ(r.status().code(), Code::kPermissionDenied) << url << ": " << r.status().message();
    EXPECT_THAT(r.status().message(), StartsWith(refusal(address))) << url;
  }
}

TEST_F(FetcherSsrfTest, TestAllowListLetsOnlyTheNamedAddressThrough) {
  FetchOptions o = guarded();
  o.allowed_addresses = {"127.0.0.1"};
  const auto r = fetch_url(server_.url("/img"), o);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->body, "secret");

  o.allowed_addresses = {"127.0.0.2"};
  EXPECT_EQ(fetch_url(server_.url("/img"), o).status().code(), Code::kPermissionDenied);

  o.allowed_addresses = {"localhost"};
  EXPECT_EQ(fetch_url(server_.url("/img"), o).status().code(), Code::kInvalidArgument);
}

TEST_F(FetcherSsrfTest, HostNameWithOneAllowedAddressConnectsThere) {
  // localhost may resolve to ::1 and 127.0.0.1: the refused one is skipped, the allowed one is used.
  FetchOptions o = guarded();
  o.allowed_addresses = {"127.0.0.1"};
  const auto r = fetch_url("http://localhost:" + port_ + "/img", o);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->body, "secret");
}

TEST_F(FetcherSsrfTest, RedirectToAPrivateAddressIsRefused) {
  TestHttpServer inner("127.0.0.2");  // Linux answers on all of 127/8
  ASSERT_TRUE(inner.ok());
  inner.route("/admin", respond(200, "internal"));
  server_.route("/hop", redirect(inner.url("/admin")));
  FetchOptions o = guarded();
  o.allowed_addresses = {"127.0.0.1"};  // stands in for a public first hop

  const auto r = fetch_url(server_.url("/hop"), o);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_THAT(r.status().message(), StartsWith(refusal("127.0.0.2")));
  EXPECT_EQ(server_.paths(), std::vector<std::string>{"/hop"});

  // The control: the same chain with the inner address allowed does reach it.
  o.allowed_addresses = {"127.0.0.1", "127.0.0.2"};
  const auto allowed = fetch_url(server_.url("/hop"), o);
  ASSERT_TRUE(allowed.is_ok()) << allowed.status().message();
  EXPECT_EQ(allowed->body, "internal");
  inner.stop();
  EXPECT_EQ(inner.connections(), 1);  // the control's, and only it
}

TEST_F(FetcherSsrfTest, RedirectToIpv6LoopbackIsRefused) {
  TestHttpServer inner("::1");
  if (!inner.ok()) GTEST_SKIP() << "no IPv6 loopback on this machine";
  inner.route("/admin", respond(200, "internal"));
  server_.route("/hop", redirect(inner.url("/admin")));
  FetchOptions o = guarded();
  o.allowed_addresses = {"127.0.0.1"};
  const auto r = fetch_url(server_.url("/hop"), o);
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_THAT(r.status().message(), StartsWith(refusal("::1")));
  inner.stop();
  EXPECT_EQ(inner.connections(), 0);
}

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) { ::setenv(name, value.c_str(), 1); }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

TEST_F(FetcherSsrfTest, ProxyFromTheEnvironmentIsNotUsed) {
  // Through a proxy, curl's socket goes to the proxy (allowed here), which would fetch the private target.
  server_.route("http://10.0.0.1/a.jpg", respond(200, "via proxy"));
  const ScopedEnv http_proxy("http_proxy", server_.url(""));
  const ScopedEnv all_proxy("ALL_PROXY", server_.url(""));
  FetchOptions o = guarded();
  o.allowed_addresses = {"127.0.0.1"};
  const auto r = fetch_url("http://10.0.0.1/a.jpg", o);
  ASSERT_FALSE(r.is_ok()) << r->body;
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_THAT(r.status().message(), StartsWith(refusal("10.0.0.1")));
  server_.stop();
  EXPECT_EQ(server_.connections(), 0);
}

}  // namespace
}  // namespace sluice::serve::fetch
