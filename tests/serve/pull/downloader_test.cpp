#include "serve/pull/downloader.h"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "serve/pull/file_server.h"
#include "test_support/temp_dir.h"

namespace sluice::serve::pull {
namespace {

namespace t = testing;
using common::Code;

// Deterministic bytes, large enough to arrive in several writes.
std::string payload(size_t size = 300'000) {
  std::mt19937 random(42);
  std::string out(size, '\0');
  for (auto& c : out) c = static_cast<char>(random() & 0xff);
  return out;
}

class DownloaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  void SetUp() override { ASSERT_TRUE(server.ok()); }

  DownloadOptions options() const {
    DownloadOptions o;
    o.connect_timeout = std::chrono::seconds(5);
    o.stall_timeout = std::chrono::seconds(1);
    return o;
  }
  std::string partial() const { return dir.file("model.onnx.partial"); }
  std::string contents() const { return sluice::testing::read_file(partial()); }

  sluice::testing::TempDir dir;
  t::FileServer server;
  const std::string body = payload();
};

TEST_F(DownloaderTest, DownloadsAFileWithProgress) {
  server.route("/m/model.onnx", t::file(body));
  int64_t last_done = -1;
  int64_t last_total = 0;
  int calls = 0;
  DownloadOptions o = options();
  o.on_progress = [&](int64_t done, int64_t total) {
    EXPECT_GE(done, last_done);
    last_done = done;
    last_total = total;
    ++calls;
  };
  auto report = download_to_file(server.url("/m/model.onnx"), partial(), o);
  ASSERT_TRUE(report) << report.status().message();
  EXPECT_EQ(report->bytes, static_cast<int64_t>(body.size()));
  EXPECT_EQ(report->resumed_from, 0);
  EXPECT_FALSE(report->restarted);
  EXPECT_EQ(contents(), body);
  EXPECT_GE(calls, 2);
  EXPECT_EQ(last_done, static_cast<int64_t>(body.size()));
  EXPECT_EQ(last_total, static_cast<int64_t>(body.size()));
  EXPECT_EQ(server.requests().at(0).header("range"), "");
}

TEST_F(DownloaderTest, ResumesATruncatedDownloadWithARangeRequest) {
  server.route("/m/model.onnx", t::sequence({t::cut_short(body, 100'000), t::file(body)}));
  auto first = download_to_file(server.url("/m/model.onnx"), partial(), options());
  ASSERT_FALSE(first);
  EXPECT_EQ(first.status().code(), Code::kUnavailable);
  EXPECT_NE(first.status().message().find("broke after 100000 of 300000 bytes"), std::string::npos)
      << first.status().message();
  EXPECT_EQ(contents(), body.substr(0, 100'000));  // kept for the next attempt

  auto second = download_to_file(server.url("/m/model.onnx"), partial(), options());
  ASSERT_TRUE(second) << second.status().message();
  EXPECT_EQ(second->resumed_from, 100'000);
  EXPECT_FALSE(second->restarted);
  EXPECT_EQ(server.requests().at(1).header("range"), "bytes=100000-");
  EXPECT_EQ(contents(), body);
}

TEST_F(DownloaderTest, RestartsWhenTheServerIgnoresRange) {
  dir.write("model.onnx.partial", std::string(5000, 'x'));  // bytes that do not belong to the file
  server.route("/m/model.onnx", t::file(body, /*ignore_range=*/true));
  auto report = download_to_file(server.url("/m/model.onnx"), partial(), options());
  ASSERT_TRUE(report) << report.status().message();
  EXPECT_EQ(server.requests().at(0).header("range"), "bytes=5000-");
  EXPECT_TRUE(report->restarted);
  EXPECT_EQ(report->resumed_from, 0);
  EXPECT_EQ(contents(), body);  // never appended at the wrong offset
}

TEST_F(DownloaderTest, APartialThatIsAlreadyCompleteIsAccepted) {
  dir.write("model.onnx.partial", body);
  server.route("/m/model.onnx", t::file(body));  // answers 416 with "bytes */SIZE"
  auto report = download_to_file(server.url("/m/model.onnx"), partial(), options());
  ASSERT_TRUE(report) << report.status().message();
  EXPECT_EQ(report->bytes, static_cast<int64_t>(body.size()));
  EXPECT_EQ(report->resumed_from, static_cast<int64_t>(body.size()));
  EXPECT_EQ(contents(), body);
}

TEST_F(DownloaderTest, APartialLongerThanTheFileIsDroppedAndTheFileFetchedAgain) {
  dir.write("model.onnx.partial", body + "trailing junk");
  server.route("/m/model.onnx", t::file(body));
  auto report = download_to_file(server.url("/m/model.onnx"), partial(), options());
  ASSERT_TRUE(report) << report.status().message();
  EXPECT_TRUE(report->restarted);
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(contents(), body);
}

TEST_F(DownloaderTest, AStalledTransferTimesOutAndKeepsWhatArrived) {
  server.route("/m/model.onnx", t::stall(body, 50'000));
  auto report = download_to_file(server.url("/m/model.onnx"), partial(), options());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.status().code(), Code::kDeadlineExceeded);
  EXPECT_NE(report.status().message().find("stalled"), std::string::npos) << report.status().message();
  EXPECT_NE(report.status().message().find("next pull resumes"), std::string::npos);
  EXPECT_EQ(contents(), body.substr(0, 50'000));
}

TEST_F(DownloaderTest, FollowsRedirects) {
  server.route("/m/model.onnx", t::redirect(server.url("/mirror/model.onnx")));
  server.route("/mirror/model.onnx", t::file(body));
  auto report = download_to_file(server.url("/m/model.onnx"), partial(), options());
  ASSERT_TRUE(report) << report.status().message();
  EXPECT_EQ(report->final_url, server.url("/mirror/model.onnx"));
  EXPECT_EQ(contents(), body);
}

TEST_F(DownloaderTest, ResumesThroughARedirect) {
  dir.write("model.onnx.partial", body.substr(0, 1234));
  server.route("/m/model.onnx", t::redirect(server.url("/mirror/model.onnx")));
  server.route("/mirror/model.onnx", t::file(body));
  auto report = download_to_file(server.url("/m/model.onnx"), partial(), options());
  ASSERT_TRUE(report) << report.status().message();
  EXPECT_EQ(report->resumed_from, 1234);
  EXPECT_EQ(server.requests().at(1).header("range"), "bytes=1234-");
  EXPECT_EQ(contents(), body);
}

TEST_F(DownloaderTest, StopsAfterFiveRedirects) {
  server.route("/loop", t::redirect(server.url("/loop")));
  auto report = download_to_file(server.url("/loop"), partial(), options());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.status().code(), Code::kUnavailable);
  EXPECT_NE(report.status().message().find("more than 5 redirects"), std::string::npos)
      << report.status().message();
  EXPECT_EQ(server.requests().size(), 6u);
}

TEST_F(DownloaderTest, RefusesARedirectToAnotherScheme) {
  server.route("/m/model.onnx", t::redirect("file:///etc/passwd"));
  auto report = download_to_file(server.url("/m/model.onnx"), partial(), options());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.status().code(), Code::kInvalidArgument) << report.status().message();
  EXPECT_FALSE(std::filesystem::exists(partial()));
}

TEST_F(DownloaderTest, RefusesANonHttpUrl) {
  auto report = download_to_file("file:///etc/passwd", partial(), options());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(partial()));
}

TEST_F(DownloaderTest, AnErrorStatusIsReportedWithTheHost) {
  server.route("/m/model.onnx", t::status(503));
  auto report = download_to_file(server.url("/m/model.onnx"), partial(), options());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.status().code(), Code::kUnavailable);
  EXPECT_EQ(report.status().message(), "127.0.0.1 answered 503 for " + server.url("/m/model.onnx"));
  auto missing = download_to_file(server.url("/nothing-here.onnx"), partial(), options());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.status().message().find("answered 404"), std::string::npos);
}

TEST_F(DownloaderTest, ADeclaredLengthAboveTheCapIsRefusedBeforeTheBody) {
  server.route("/m/model.onnx", t::file(body));
  DownloadOptions o = options();
  o.max_bytes = 1000;
  auto report = download_to_file(server.url("/m/model.onnx"), partial(), o);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.status().code(), Code::kResourceExhausted);
  EXPECT_NE(report.status().message().find("it declares 300000"), std::string::npos)
      << report.status().message();
  EXPECT_FALSE(std::filesystem::exists(partial()));
}

TEST_F(DownloaderTest, AnUndeclaredBodyIsCappedWhileItStreams) {
  server.route("/m/model.onnx", t::chunked(body));
  DownloadOptions o = options();
  o.max_bytes = 1000;
  auto report = download_to_file(server.url("/m/model.onnx"), partial(), o);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.status().code(), Code::kResourceExhausted);
  EXPECT_FALSE(std::filesystem::exists(partial()));

  o.max_bytes = static_cast<int64_t>(body.size());  // exactly at the cap is allowed
  auto fits = download_to_file(server.url("/m/model.onnx"), partial(), o);
  ASSERT_TRUE(fits) << fits.status().message();
  EXPECT_EQ(contents(), body);
}

TEST_F(DownloaderTest, AnUnreachableHostIsOneClearError) {
  // A port that was just free: nothing listens, so the connection is refused.
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), len), 0);
  ASSERT_EQ(::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len), 0);
  ::close(s);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/m/model.onnx";
  auto report = download_to_file(url, partial(), options());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.status().code(), Code::kUnavailable);
  EXPECT_TRUE(report.status().message().starts_with("cannot reach 127.0.0.1: ")) << report.status().message();
  EXPECT_EQ(report.status().message().find('\n'), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(partial()));  // nothing arrived, so no empty partial is left
}

TEST(UrlHost, NamesTheHost) {
  EXPECT_EQ(url_host("https://github.com/onnx/models/raw/main/x.onnx"), "github.com");
  EXPECT_EQ(url_host("http://127.0.0.1:8080/x"), "127.0.0.1");
  EXPECT_EQ(url_host("http://[::1]:8080/x"), "::1");
  EXPECT_EQ(url_host("not a url"), "not a url");
}

}  // namespace
}  // namespace sluice::serve::pull
