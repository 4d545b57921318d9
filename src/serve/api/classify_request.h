#pragma once
// What a classification request asks for, parsed from any of the shapes the API accepts:
//  - the reference's `POST /` JSON: {"image_url", "prediction_count"};
//  - `POST /v1/classify` JSON: {"image_url" | "image_base64", "top_k", "model"};
//  - `POST /v1/classify` with the raw image as the body (Content-Type image/…), top_k and model in the query;
//  - `POST /v1/classify` multipart/form-data: a file part (field "image" or "file", or any part with a
//    filename) and optional fields top_k, model, image_url.
// Every error is an ApiError naming the request field; client text quoted in it is bounded (client_text.h).
// A JSON body with a NUL byte or nested deeper than kMaxJsonDepth is refused (400); so is a URL holding a
// control character (400 invalid_url).
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "serve/api/api_error.h"
#include "serve/http/server.h"

namespace sluice::serve::api {

struct ClassifyRequest {
  std::string image_url;    // set, or
  std::string image_bytes;  // set (exactly one of the two)
  int top_k = 5;            // capped at kMaxTopK
  int64_t asked_count = 5;  // POST /: prediction_count as asked, uncapped (the reference echoes it)
  std::string model;        // empty: the default model
};

constexpr int kDefaultTopK = 5;
constexpr int kMaxTopK = 1'000'000;
// Arrays and objects in a JSON body nest at most this deep (400 beyond): the API's own bodies nest 1 level.
constexpr int kMaxJsonDepth = 32;

// The reference's shape. `prediction_count` may be an integer or a string of digits (Python's int() took
// both), must be >= 1, and defaults to 5.
std::variant<ClassifyRequest, ApiError> parse_compat_request(const http::Request& request);
std::variant<ClassifyRequest, ApiError> parse_v1_request(const http::Request& request);

// "/v1/classify?top_k=3&model=x" → the value of `key` (percent-decoded), or nullopt.
std::optional<std::string> query_parameter(std::string_view target, std::string_view key);

}  // namespace sluice::serve::api
