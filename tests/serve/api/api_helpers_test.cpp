#include <gtest/gtest.h>

#include "serve/api/api_error.h"
#include "serve/api/base64.h"
#include "serve/api/classifier.h"

namespace sluice::serve::api {
namespace {

TEST(Base64, DecodesStandardAlphabetWithAndWithoutPadding) {
  EXPECT_EQ(decode_base64("aGVsbG8gd29ybGQ=").value(), "hello world");
  EXPECT_EQ(decode_base64("aGVsbG8gd29ybGQ").value(), "hello world");
  EXPECT_EQ(decode_base64("aGVs\nbG8=\r\n").value(), "hello");
  EXPECT_EQ(decode_base64("").value(), "");
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  // Python: base64.b64encode(bytes(range(256)))[:12] is 'AAECAwQFBgcI'
  EXPECT_EQ(decode_base64("AAECAwQFBgcI").value(), all.substr(0, 9));
}

TEST(Base64, RefusesGarbageNamingTheOffset) {
  auto r = decode_base64("aGV$bG8=");
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("offset 3"), std::string::npos);
  EXPECT_FALSE(decode_base64("aGVsbG8=x").is_ok());  // data after padding
  EXPECT_FALSE(decode_base64("a").is_ok());          // 6 bits cannot make a byte
  EXPECT_FALSE(decode_base64("data:image/png,abc").is_ok());
}

TEST(ApiError, StatusDependsOnPhase) {
  using common::Status;
  EXPECT_EQ(api_error_from(common::resource_exhausted("x"), Phase::kFetch).status, 413u);
  auto overload = api_error_from(common::resource_exhausted("x"), Phase::kQueue);
  EXPECT_EQ(overload.status, 503u);
  EXPECT_GT(overload.retry_after_s, 0);
  EXPECT_EQ(api_error_from(common::permission_denied("x"), Phase::kFetch).status, 403u);
  EXPECT_EQ(api_error_from(common::unavailable("x"), Phase::kFetch).status, 502u);
  EXPECT_EQ(api_error_from(common::deadline_exceeded("x"), Phase::kFetch).status, 504u);
  EXPECT_EQ(api_error_from(common::deadline_exceeded("x"), Phase::kInference).status, 504u);
  EXPECT_EQ(api_error_from(common::unsupported("x"), Phase::kDecode).status, 415u);
  EXPECT_EQ(api_error_from(common::invalid_input("x"), Phase::kDecode).status, 422u);
  EXPECT_EQ(api_error_from(common::invalid_argument("x"), Phase::kFetch).status, 400u);
  EXPECT_EQ(api_error_from(common::internal_error("x"), Phase::kInference).status, 500u);
}

TEST(ApiError, ResponseBodyAndRetryAfter) {
  auto res = error_response({503, "overloaded", "queue \"full\"", 2});
  EXPECT_EQ(res.result_int(), 503u);
  EXPECT_EQ(res["Retry-After"], "2");
  EXPECT_EQ(res.body(), R"({"error":{"code":"overloaded","message":"queue \"full\""}})");
}

TEST(TopK, OrdersByProbabilityThenIndexAndCaps) {
  std::vector<float> p{0.1f, 0.4f, 0.1f, 0.4f, 0.0f};
  EXPECT_EQ(top_k_indices(p, 3), (std::vector<int>{1, 3, 0}));
  EXPECT_EQ(top_k_indices(p, 99).size(), 5u);
  EXPECT_TRUE(top_k_indices(p, 0).empty());
}

}  // namespace
}  // namespace sluice::serve::api
