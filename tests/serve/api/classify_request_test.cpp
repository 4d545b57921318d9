#include "serve/api/classify_request.h"

#include <gtest/gtest.h>

namespace sluice::serve::api {
namespace {

namespace bhttp = boost::beast::http;

http::Request make(std::string target, std::string content_type, std::string body) {
  http::Request r{bhttp::verb::post, target, 11};
  if (!content_type.empty()) r.set(bhttp::field::content_type, content_type);
  r.body() = std::move(body);
  r.prepare_payload();
  return r;
}

ClassifyRequest ok(const std::variant<ClassifyRequest, ApiError>& v) {
  if (auto* e = std::get_if<ApiError>(&v)) ADD_FAILURE() << e->status << " " << e->message;
  return std::holds_alternative<ClassifyRequest>(v) ? std::get<ClassifyRequest>(v) : ClassifyRequest{};
}

ApiError err(const std::variant<ClassifyRequest, ApiError>& v) {
  EXPECT_TRUE(std::holds_alternative<ApiError>(v));
  return std::holds_alternative<ApiError>(v) ? std::get<ApiError>(v) : ApiError{};
}

TEST(CompatRequest, DefaultsPredictionCountToFive) {
  auto r = ok(parse_compat_request(make("/", "application/json", R"({"image_url":"https://x/a.jpg"})")));
  EXPECT_EQ(r.image_url, "https://x/a.jpg");
  EXPECT_EQ(r.top_k, 5);
}

TEST(CompatRequest, AcceptsIntegerAndDigitString) {
  EXPECT_EQ(
      ok(parse_compat_request(make("/", "application/json", R"({"image_url":"u","prediction_count":10})")))
          .top_k,
      10);
  EXPECT_EQ(ok(parse_compat_request(make("/", "", R"({"image_url":"u","prediction_count":"3"})"))).top_k, 3);
}

TEST(CompatRequest, RefusesBadFieldsNamingThem) {
  auto e =
      err(parse_compat_request(make("/", "application/json", R"({"image_url":"u","prediction_count":0})")));
  EXPECT_EQ(e.status, 400u);
  EXPECT_NE(e.message.find("prediction_count"), std::string::npos);
  e = err(
      parse_compat_request(make("/", "application/json", R"({"image_url":"u","prediction_count":"ten"})")));
  EXPECT_NE(e.message.find("prediction_count"), std::string::npos);
  e = err(parse_compat_request(make("/", "application/json", R"({"prediction_count":3})")));
  EXPECT_NE(e.message.find("image_url"), std::string::npos);
  e = err(parse_compat_request(make("/", "application/json", R"({"image_url":42})")));
  EXPECT_NE(e.message.find("image_url"), std::string::npos);
  e = err(parse_compat_request(make("/", "application/json", R"({"image_url": )")));
  EXPECT_NE(e.message.find("JSON"), std::string::npos);
  e = err(parse_compat_request(make("/", "application/json", R"([1,2])")));
  EXPECT_EQ(e.status, 400u);
}

TEST(V1Request, JsonWithUrlOrBase64) {
  auto r = ok(parse_v1_request(
      make("/v1/classify", "application/json", R"({"image_url":"http://h/i","top_k":3,"model":"m"})")));
  EXPECT_EQ(r.image_url, "http://h/i");
  EXPECT_EQ(r.top_k, 3);
  EXPECT_EQ(r.model, "m");
  r = ok(parse_v1_request(
      make("/v1/classify", "application/json; charset=utf-8", R"({"image_base64":"aGVsbG8="})")));
  EXPECT_EQ(r.image_bytes, "hello");
  r = ok(parse_v1_request(
      make("/v1/classify", "application/json", R"({"image_base64":"data:image/png;base64,aGVsbG8"})")));
  EXPECT_EQ(r.image_bytes, "hello");
}

TEST(V1Request, JsonRefusals) {
  EXPECT_EQ(err(parse_v1_request(make("/v1/classify", "application/json", R"({})"))).status, 400u);
  EXPECT_EQ(err(parse_v1_request(
                    make("/v1/classify", "application/json", R"({"image_url":"u","image_base64":"aGk="})")))
                .status,
            400u);
  auto e = err(parse_v1_request(make("/v1/classify", "application/json", R"({"image_url":"u","topk":3})")));
  EXPECT_NE(e.message.find("topk: unknown field"), std::string::npos);
  e = err(parse_v1_request(make("/v1/classify", "application/json", R"({"image_base64":"a$b"})")));
  EXPECT_NE(e.message.find("image_base64"), std::string::npos);
  e = err(parse_v1_request(make("/v1/classify", "application/json", R"({"image_url":"u","top_k":-1})")));
  EXPECT_NE(e.message.find("top_k"), std::string::npos);
  e = err(parse_v1_request(make("/v1/classify", "application/json", R"({"image_url":"u","top_k":"2"})")));
  EXPECT_NE(e.message.find("top_k"), std::string::npos);
}

TEST(V1Request, RawBodyWithQuery) {
  auto r = ok(parse_v1_request(
      make("/v1/classify?top_k=7&model=tiny%5Fonnx", "image/png", std::string("\x89PNG", 4))));
  EXPECT_EQ(r.image_bytes.size(), 4u);
  EXPECT_EQ(r.top_k, 7);
  EXPECT_EQ(r.model, "tiny_onnx");
  EXPECT_EQ(err(parse_v1_request(make("/v1/classify", "image/jpeg", ""))).status, 400u);
  EXPECT_EQ(err(parse_v1_request(make("/v1/classify?top_k=x", "image/jpeg", "abc"))).status, 400u);
}

TEST(V1Request, UnsupportedContentTypeIs415) {
  auto e = err(parse_v1_request(make("/v1/classify", "text/plain", "hello")));
  EXPECT_EQ(e.status, 415u);
  EXPECT_NE(e.message.find("text/plain"), std::string::npos);
  EXPECT_EQ(err(parse_v1_request(make("/v1/classify", "image/gif", "GIF89a"))).status, 415u);
}

TEST(V1Request, Multipart) {
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"top_k\"\r\n\r\n2\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: "
      "image/png\r\n\r\n"
      "PIXELS\r\n--XyZ--\r\n";
  auto r = ok(parse_v1_request(make("/v1/classify", "multipart/form-data; boundary=XyZ", body)));
  EXPECT_EQ(r.image_bytes, "PIXELS");
  EXPECT_EQ(r.top_k, 2);
  std::string no_file = "--XyZ\r\nContent-Disposition: form-data; name=\"top_k\"\r\n\r\n2\r\n--XyZ--\r\n";
  EXPECT_EQ(err(parse_v1_request(make("/v1/classify", "multipart/form-data; boundary=XyZ", no_file))).status,
            400u);
  EXPECT_EQ(err(parse_v1_request(make("/v1/classify", "multipart/form-data", body))).status, 400u);
}

TEST(QueryParameter, DecodesAndFindsExactKey) {
  EXPECT_EQ(query_parameter("/a?x=1&top_k=3", "top_k"), "3");
  EXPECT_EQ(query_parameter("/a?top_kk=3", "top_k"), std::nullopt);
  EXPECT_EQ(query_parameter("/a?m=a+b%2Fc%zz", "m"), "a b/c%zz");
  EXPECT_EQ(query_parameter("/a", "m"), std::nullopt);
  EXPECT_EQ(query_parameter("/a?m", "m"), "");
}

}  // namespace
}  // namespace sluice::serve::api

namespace sluice::serve::api {
namespace {

std::string nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonLimits, RefusesNestingBeyondTheLimitWithoutRecursing) {
  auto e = err(parse_v1_request(
      make("/v1/classify", "application/json", R"({"image_url":"u","top_k":)" + nested(100000) + "}")));
  EXPECT_EQ(e.status, 400u);
  EXPECT_NE(e.message.find(std::to_string(kMaxJsonDepth)), std::string::npos) << e.message;
  e = err(parse_compat_request(
      make("/", "application/json", R"({"image_url":"u","prediction_count":)" + nested(100000) + "}")));
  EXPECT_NE(e.message.find("nested"), std::string::npos) << e.message;
  // The body object is level 1: 31 more levels are accepted (and then refused as a bad top_k).
  e = err(parse_v1_request(make("/v1/classify", "application/json",
                                R"({"image_url":"u","top_k":)" + nested(kMaxJsonDepth - 1) + "}")));
  EXPECT_NE(e.message.find("top_k"), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find("nested"), std::string::npos) << e.message;
}

TEST(JsonLimits, RefusesANulByteAnywhere) {
  for (std::string body : {std::string(R"({"image_url":"u"})") + '\0', std::string(1, '\0'),
                           std::string(R"({"image_url":"a)") + '\0' + R"(b"})"}) {
    auto e = err(parse_v1_request(make("/v1/classify", "application/json", body)));
    EXPECT_EQ(e.status, 400u);
    EXPECT_NE(e.message.find("NUL"), std::string::npos) << e.message;
    e = err(parse_compat_request(make("/", "application/json", body)));
    EXPECT_NE(e.message.find("NUL"), std::string::npos) << e.message;
  }
}

TEST(JsonLimits, RefusesControlCharactersInImageUrl) {
  auto e =
      err(parse_v1_request(make("/v1/classify", "application/json", R"({"image_url":"http://a\u0000b/"})")));
  EXPECT_EQ(e.status, 400u);
  EXPECT_EQ(e.code, "invalid_url");
  EXPECT_NE(e.message.find("http://a\\x00b/"), std::string::npos) << e.message;
  e = err(parse_compat_request(make("/", "application/json", R"({"image_url":"http://a/\u001f"})")));
  EXPECT_EQ(e.code, "invalid_url");
}

TEST(JsonLimits, BoundsEveryEchoedValue) {
  std::string big(1'000'000, 'k');
  auto e = err(parse_v1_request(make("/v1/classify", "application/json", "{\"" + big + "\":1}")));
  EXPECT_LT(e.message.size(), 200u);
  EXPECT_NE(e.message.find("(1000000 bytes)"), std::string::npos) << e.message;
  e = err(parse_v1_request(make("/v1/classify?top_k=" + big, "image/png", "x")));
  EXPECT_LT(e.message.size(), 200u);
  e = err(parse_v1_request(make("/v1/classify", "text/" + std::string(8000, 't'), "x")));
  EXPECT_LT(e.message.size(), 300u);
  e = err(parse_v1_request(make("/v1/classify", "application/json",
                                R"({"image_url":"u","top_k":[)" + std::string(50000, '1') + "]}")));
  EXPECT_LT(e.message.size(), 200u);
}

TEST(CompatRequest, KeepsPredictionCountAsAskedForTheEcho) {
  auto r = ok(parse_compat_request(
      make("/", "application/json", R"({"image_url":"u","prediction_count":1000000000})")));
  EXPECT_EQ(r.asked_count, 1'000'000'000);
  EXPECT_EQ(r.top_k, kMaxTopK);
  r = ok(parse_compat_request(make("/", "application/json", R"({"image_url":"u","prediction_count":"12"})")));
  EXPECT_EQ(r.asked_count, 12);
  auto e = err(parse_compat_request(
      make("/", "application/json", R"({"image_url":"u","prediction_count":100000000000000000000})")));
  EXPECT_EQ(e.status, 400u);
}

}  // namespace
}  // namespace sluice::serve::api
