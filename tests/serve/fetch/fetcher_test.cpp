// fetch_url() against a real HTTP server on 127.0.0.1: answers, limits, timeouts, redirects and errors.
// The destination guard is switched off here (allow_private) and tested in fetcher_ssrf_test.cpp.
#include "serve/fetch/fetcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "serve/fetch/test_http_server.h"

namespace sluice::serve::fetch {
namespace {

using common::Code;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace sluice::serve::fetch::testing;  // NOLINT: test-server helpers

FetchOptions local() {
  FetchOptions o;
  o.allow_private = true;
  return o;
}

class FetcherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { fetch_global_init(); }
  void SetUp() override { ASSERT_TRUE(server_.ok()); }
  TestHttpServer server_;
};

TEST_F(FetcherTest, ReturnsBodyTypeAndUrl) {
  server_.route("/cat.jpg", respond(200, "JPEGDATA", {{"Content-Type", "Image/JPEG; charset=binary"}}));
  const auto r = fetch_url(server_.url("/cat.jpg"), local());
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->body, "JPEGDATA");
  EXPECT_EQ(r->content_type, "image/jpeg");
  EXPECT_EQ(r->final_url, server_.url("/cat.jpg"));
  EXPECT_EQ(r->redirects, 0);
}

TEST_F(FetcherTest, SendsTheUserAgent) {
  server_.route("/a", respond(200, "x"));
  FetchOptions o = local();
  o.user_agent = "sluice-test/1";
  ASSERT_TRUE(fetch_url(server_.url("/a"), o).is_ok());
  ASSERT_EQ(server_.requests().size(), 1u);
  EXPECT_THAT(server_.requests()[0], StartsWith("GET /a HTTP/1.1\r\n"));
  EXPECT_THAT(server_.requests()[0], HasSubstr("\r\nUser-Agent: sluice-test/1\r\n"));
}

TEST_F(FetcherTest, MissingContentTypeIsEmpty) {
  server_.route("/a", respond(200, "x"));
  const auto r = fetch_url(server_.url("/a"), local());
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->content_type, "");
}

TEST_F(FetcherTest, FollowsRedirectsAndReportsTheFinalResponse) {
  server_.route("/r1", redirect(server_.url("/r2"), 301, {{"Content-Type", "text/html"}}));
  server_.route("/r2", redirect("/r3", 307));  // relative Location
  server_.route("/r3", redirect(server_.url("/img"), 308));
  server_.route("/img", respond(200, "PNG"));  // no Content-Type: the redirects' text/html must not leak
  const auto r = fetch_url(server_.url("/r1"), local());
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->body, "PNG");
  EXPECT_EQ(r->content_type, "");
  EXPECT_EQ(r->final_url, server_.url("/img"));
  EXPECT_EQ(r->redirects, 3);
}

TEST_F(FetcherTest, OneRedirect) {
  server_.route("/old", redirect(server_.url("/new")));
  server_.route("/new", respond(200, "body", {{"Content-Type", "image/webp"}}));
  const auto r = fetch_url(server_.url("/old"), local());
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->content_type, "image/webp");
  EXPECT_EQ(r->redirects, 1);
}

TEST_F(FetcherTest, TooManyRedirectsIsUnavailable) {
  for (int i = 0; i < 4; ++i) server_.route("/r" + std::to_string(i), redirect("/r" + std::to_string(i + 1)));
  server_.route("/r4", respond(200, "never"));
  const auto r = fetch_url(server_.url("/r0"), local());  // 4 redirects, 3 allowed
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_THAT(r.status().message(), StartsWith("image_url: "));
  EXPECT_THAT(r.status().message(), HasSubstr("redirects"));
  EXPECT_THAT(server_.paths(), ::testing::Not(::testing::Contains("/r4")));
}

TEST_F(FetcherTest, NoRedirectsAllowed) {
  server_.route("/old", redirect("/new"));
  FetchOptions o = local();
  o.max_redirects = 0;
  const auto r = fetch_url(server_.url("/old"), o);
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
}

TEST_F(FetcherTest, RedirectToAnotherSchemeIsInvalidArgument) {
  for (const char* target : {"ftp://127.0.0.1/x.jpg", "file:///etc/passwd", "gopher://127.0.0.1/x"}) {
    server_.route("/go", redirect(target));
    const auto r = fetch_url(server_.url("/go"), local());
    ASSERT_FALSE(r.is_ok()) << target;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << target << ": " << r.status().message();
    EXPECT_THAT(r.status().message(), StartsWith("image_url: redirected to '" + std::string(target) + "'"));
  }
}

TEST_F(FetcherTest, UpstreamErrorStatusIsUnavailableAndNamed) {
  const auto r = fetch_url(server_.url("/nothing-here"), local());  // the server's 404
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_EQ(r.status().message(), "image_url: upstream answered 404");

  server_.route("/empty500", respond(500, ""));
  EXPECT_EQ(fetch_url(server_.url("/empty500"), local()).status().message(),
            "image_url: upstream answered 500");

  server_.route("/304", respond(304, ""));
  EXPECT_EQ(fetch_url(server_.url("/304"), local()).status().code(), Code::kUnavailable);
}

TEST_F(FetcherTest, RedirectToA404IsUnavailable) {
  server_.route("/old", redirect("/gone"));
  EXPECT_EQ(fetch_url(server_.url("/old"), local()).status().message(), "image_url: upstream answered 404");
}

TEST_F(FetcherTest, BodyAtTheCapIsAccepted) {
  server_.route("/exact", respond(200, std::string(1000, 'x')));
  server_.route("/chunked", chunked(250, 4));
  FetchOptions o = local();
  o.max_bytes = 1000;
  const auto exact = fetch_url(server_.url("/exact"), o);
  ASSERT_TRUE(exact.is_ok()) << exact.status().message();
  EXPECT_EQ(exact->body.size(), 1000u);
  const auto streamed = fetch_url(server_.url("/chunked"), o);
  ASSERT_TRUE(streamed.is_ok()) << streamed.status().message();
  EXPECT_EQ(streamed->body, std::string(1000, 'x'));
}

TEST_F(FetcherTest, StreamedBodyOverTheCapIsResourceExhausted) {
  server_.route("/big", chunked(4096, 1000));  // 4 MB, no Content-Length
  FetchOptions o = local();
  o.max_bytes = 10000;
  const auto r = fetch_url(server_.url("/big"), o);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  EXPECT_THAT(r.status().message(), HasSubstr("10000 bytes"));
}

TEST_F(FetcherTest, OneByteOverTheCapIsRefused) {
  server_.route("/a", respond(200, std::string(1001, 'x')));
  FetchOptions o = local();
  o.max_bytes = 1000;
  EXPECT_EQ(fetch_url(server_.url("/a"), o).status().code(), Code::kResourceExhausted);
}

TEST_F(FetcherTest, DeclaredLengthOverTheCapIsRefusedBeforeTheBody) {
  // The server promises 10^12 bytes and sends none: waiting for the body would end in the timeout instead.
  server_.route("/huge", declare_length(1'000'000'000'000));
  FetchOptions o = local();
  o.max_bytes = 20 * 1024 * 1024;
  o.total_timeout = std::chrono::milliseconds(60'000);
  const auto r = fetch_url(server_.url("/huge"), o);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  EXPECT_THAT(r.status().message(), HasSubstr("1000000000000"));
}

TEST_F(FetcherTest, LargeRedirectBodyDoesNotCount) {
  server_.route("/old", redirect("/new"));
  server_.route("/new", respond(200, "ok"));
  FetchOptions o = local();
  o.max_bytes = 5;  // smaller than the redirect's own body
  const auto r = fetch_url(server_.url("/old"), o);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->body, "ok");
}

TEST_F(FetcherTest, SlowBodyHitsTheTotalTimeout) {
  server_.route("/drip", drip());
  FetchOptions o = local();
  o.total_timeout = std::chrono::milliseconds(300);
  const auto r = fetch_url(server_.url("/drip"), o);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kDeadlineExceeded);
  EXPECT_EQ(r.status().message(), "image_url: the download did not finish within 300 ms");
}

TEST_F(FetcherTest, NoAnswerHitsTheTotalTimeout) {
  server_.route("/silent", silence());
  FetchOptions o = local();
  o.total_timeout = std::chrono::milliseconds(200);
  EXPECT_EQ(fetch_url(server_.url("/silent"), o).status().code(), Code::kDeadlineExceeded);
}

TEST_F(FetcherTest, ZeroTimeoutDoesNotMeanUnlimited) {
  server_.route("/silent", silence());
  FetchOptions o = local();
  o.total_timeout = std::chrono::milliseconds(0);  // curl's "no limit"; clamped to 1 ms
  EXPECT_EQ(fetch_url(server_.url("/silent"), o).status().code(), Code::kDeadlineExceeded);
}

TEST_F(FetcherTest, UnansweredConnectHitsTheConnectTimeout) {
  // A listener whose accept queue is full: Linux drops further SYNs, so connecting hangs as it would on a
  // filtered port, without leaving 127.0.0.1.
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), len), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 2; ++i) {
    fillers.push_back(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    ::connect(fillers.back(), reinterpret_cast<sockaddr*>(&a), len);
  }
  FetchOptions o = local();
  o.connect_timeout = std::chrono::milliseconds(200);
  o.total_timeout = std::chrono::milliseconds(30'000);
  const auto r = fetch_url("http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/", o);
  for (int fd : fillers) ::close(fd);
  ::close(listener);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kDeadlineExceeded);
  EXPECT_EQ(r.status().message(), "image_url: could not connect within 200 ms");
}

TEST_F(FetcherTest, RefusedConnectionIsUnavailable) {
  // A port that was just free: bind, read the port, close.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), len), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  ::close(fd);
  const auto r = fetch_url("http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/", local());
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_THAT(r.status().message(), StartsWith("image_url: "));
}

TEST_F(FetcherTest, NotAnHttpUrlIsInvalidArgumentWithoutConnecting) {
  for (const std::string url : {"", "not a url", "file:///etc/passwd", "ftp://127.0.0.1/a.jpg",
                                "gopher://127.0.0.1:70/", "127.0.0.1/a.jpg", "//127.0.0.1/a.jpg", "http://",
                                "javascript:alert(1)", "data:image/png;base64,AAAA"}) {
    const auto r = fetch_url(url, local());
    ASSERT_FALSE(r.is_ok()) << url;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << url << ": " << r.status().message();
    EXPECT_THAT(r.status().message(), StartsWith("image_url: ")) << url;
  }
  server_.stop();
  EXPECT_EQ(server_.connections(), 0);
}

TEST_F(FetcherTest, ConcurrentFetchesEachGetTheirOwnAnswer) {
  for (int i = 0; i < 4; ++i)
    server_.route("/" + std::to_string(i), respond(200, "body" + std::to_string(i)));
  std::vector<std::thread> threads;
  std::vector<std::string> bodies(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 5; ++k) {
        const auto r = fetch_url(server_.url("/" + std::to_string(i)), local());
        bodies[i] += r.is_ok() ? r->body : r.status().message();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 4; ++i) {
    std::string expected;
    for (int k = 0; k < 5; ++k) expected += "body" + std::to_string(i);
    EXPECT_EQ(bodies[i], expected);
  }
}

}  // namespace
}  // namespace sluice::serve::fetch
