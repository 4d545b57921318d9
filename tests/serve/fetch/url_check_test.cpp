#include "serve/fetch/url_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sluice::serve::fetch::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(UrlCheckTest, AcceptsHttpAndHttpsAndNormalises) {
  EXPECT_EQ(check_fetch_url("http://example.com/a.jpg").value(), "http://example.com/a.jpg");
  EXPECT_EQ(check_fetch_url("HTTPS://Example.COM:8443/x?y=1").value(), "https://Example.COM:8443/x?y=1");
  // curl reads one to three slashes alike; what matters is that curl then fetches the string we vetted.
  EXPECT_EQ(check_fetch_url("http:///a.jpg").value(), "http://a.jpg/");
  EXPECT_EQ(check_fetch_url("http://example.com").value(), "http://example.com/");
  EXPECT_EQ(check_fetch_url("http://[::1]:8080/a").value(), "http://[::1]:8080/a");
}

TEST(UrlCheckTest, RefusesOtherSchemesNamingThem) {
  for (const char* url : {"file:///etc/passwd", "ftp://example.com/a.jpg", "gopher://example.com/",
                          "dict://example.com:11211/stats", "ldap://example.com/", "javascript:alert(1)"}) {
    const auto r = check_fetch_url(url);
    ASSERT_FALSE(r.is_ok()) << url;
    EXPECT_EQ(r.status().code(), common::Code::kInvalidArgument) << url;
    EXPECT_THAT(r.status().message(), StartsWith("image_url: ")) << url;
  }
  EXPECT_THAT(check_fetch_url("ftp://example.com/a.jpg").status().message(), HasSubstr("'ftp'"));
}

TEST(UrlCheckTest, RefusesWhatIsNotAnAbsoluteUrl) {
  for (const char* url : {"", "not a url", "example.com/a.jpg", "//example.com/a.jpg", "/a.jpg", "http://",
                          "http://exa mple.com/", "http://example.com:99999/"}) {
    const auto r = check_fetch_url(url);
    ASSERT_FALSE(r.is_ok()) << url << " -> " << r.value();
    EXPECT_EQ(r.status().code(), common::Code::kInvalidArgument) << url;
    EXPECT_THAT(r.status().message(), StartsWith("image_url: ")) << url;
  }
}

}  // namespace
}  // namespace sluice::serve::fetch::internal
