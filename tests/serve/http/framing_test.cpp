#include "serve/http/framing.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>

namespace sluice::serve::http {
namespace {

namespace bhttp = boost::beast::http;

bhttp::request_header<> head(std::initializer_list<std::pair<const char*, const char*>> fields,
                             unsigned version = 11) {
  bhttp::request_header<> h;
  h.method(bhttp::verb::post);
  h.target("/v1/classify");
  h.version(version);
  for (const auto& [name, value] : fields) h.insert(name, value);
  return h;
}

unsigned status_of(const bhttp::request_header<>& h, HeadLimits limits = {}) {
  auto r = check_request_head(h, limits);
  return r ? r->status : 0;
}

TEST(Framing, AcceptsPlainFramings) {
  EXPECT_EQ(status_of(head({{"Host", "x"}})), 0u);
  EXPECT_EQ(status_of(head({{"Host", "x"}, {"Content-Length", "12"}})), 0u);
  EXPECT_EQ(status_of(head({{"Host", "x"}, {"Transfer-Encoding", "chunked"}})), 0u);
  EXPECT_EQ(status_of(head({{"Host", "x"}, {"Transfer-Encoding", "CHUNKED"}})), 0u);
  EXPECT_EQ(status_of(head({{"Host", "x"}, {"Transfer-Encoding", " , chunked"}})), 0u);  // empty element
  EXPECT_EQ(status_of(head({}, 10)), 0u);  // HTTP/1.0 needs no Host
}

TEST(Framing, FinalCodingMustBeExactlyChunked) {
  for (const char* te : {"gzip", "identity", "chunked, identity", "xchunked", "chunked;a=b", "", " , "}) {
    auto r = check_request_head(head({{"Host", "x"}, {"Transfer-Encoding", te}}), {});
    ASSERT_TRUE(r) << te;
    EXPECT_EQ(r->status, 400u) << te;
    EXPECT_EQ(r->code, "bad_request") << te;
  }
  EXPECT_EQ(status_of(head({{"Host", "x"}, {"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "gzip"}})),
            400u);
  EXPECT_EQ(status_of(head({{"Host", "x"}, {"Transfer-Encoding", "chunked, chunked"}})), 400u);
}

TEST(Framing, UnknownCodingBeforeChunkedIsNotImplemented) {
  auto r = check_request_head(head({{"Host", "x"}, {"Transfer-Encoding", "gzip, chunked"}}), {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 501u);
  EXPECT_EQ(r->code, "not_implemented");
  EXPECT_NE(r->message.find("'gzip'"), std::string::npos);
  EXPECT_EQ(status_of(head({{"Host", "x"}, {"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}})),
            501u);
}

TEST(Framing, RefusesTransferEncodingWithContentLengthOrInHttp10) {
  EXPECT_EQ(status_of(head({{"Host", "x"}, {"Transfer-Encoding", "chunked"}, {"Content-Length", "3"}})),
            400u);
  EXPECT_EQ(status_of(head({{"Transfer-Encoding", "chunked"}}, 10)), 400u);
}

TEST(Framing, ContentLengthIsOnePlainNumber) {
  EXPECT_EQ(status_of(head({{"Host", "x"}, {"Content-Length", "5, 5"}})), 400u);
  EXPECT_EQ(status_of(head({{"Host", "x"}, {"Content-Length", "5"}, {"Content-Length", "5"}})), 400u);
  EXPECT_EQ(status_of(head({{"Host", "x"}, {"Content-Length", "+5"}})), 400u);
  EXPECT_EQ(status_of(head({{"Host", "x"}, {"Content-Length", ""}})), 400u);
}

TEST(Framing, HostRules) {
  EXPECT_EQ(status_of(head({})), 400u);
  EXPECT_EQ(status_of(head({{"Host", "a"}, {"Host", "b"}})), 400u);
  EXPECT_EQ(status_of(head({{"Host", "a"}, {"Host", "b"}}, 10)), 400u);
}

TEST(Framing, HeadLimits) {
  HeadLimits limits;
  limits.max_target_bytes = 10;
  limits.max_header_fields = 3;
  auto h = head({{"Host", "x"}});
  h.target("/0123456789");
  EXPECT_EQ(status_of(h, limits), 414u);
  h.target("/012345678");
  EXPECT_EQ(status_of(h, limits), 0u);
  limits.max_target_bytes = 100;
  EXPECT_EQ(status_of(head({{"Host", "x"}, {"A", "1"}, {"B", "2"}}), limits), 0u);
  EXPECT_EQ(status_of(head({{"Host", "x"}, {"A", "1"}, {"B", "2"}, {"C", "3"}}), limits), 431u);
}

TEST(Framing, MessagesQuoteAtMost32BytesOfClientText) {
  std::string long_coding(10'000, 'z');
  auto r = check_request_head(head({{"Host", "x"}, {"Transfer-Encoding", long_coding.c_str()}}), {});
  ASSERT_TRUE(r);
  EXPECT_LT(r->message.size(), 120u);
}

}  // namespace
}  // namespace sluice::serve::http
