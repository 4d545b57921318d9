#include "serve/api/api_error.h"

#include <nlohmann/json.hpp>

#include "serve/api/client_text.h"

namespace sluice::serve::api {

namespace {
constexpr size_t kMaxMessageBytes = 1024;
}  // namespace

http::Response error_response(const ApiError& error) {
  // Each handler bounds the client text it quotes (client_text.h); this is the backstop for the rest.
  std::string message =
      error.message.size() > kMaxMessageBytes ? client_text(error.message, kMaxMessageBytes) : error.message;
  nlohmann::json body = {{"error", {{"code", error.code}, {"message", std::move(message)}}}};
  auto res =
      http::json_response(error.status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (error.retry_after_s > 0) res.set("Retry-After", std::to_string(error.retry_after_s));
  return res;
}

ApiError api_error_from(const common::Status& status, Phase phase) {
  using common::Code;
  const std::string& m = status.message();
  switch (status.code()) {
    case Code::kInvalidArgument:
      return {400, phase == Phase::kFetch ? "invalid_url" : "invalid_request", m};
    case Code::kPermissionDenied:
      return {403, "forbidden_destination", m};
    case Code::kNotFound:
      return {404, "not_found", m};
    case Code::kUnsupported:
      return {415, "unsupported_media_type", m};
    case Code::kInvalidInput:
      return {422, "undecodable_image", m};
    case Code::kResourceExhausted:
      if (phase == Phase::kQueue) return {503, "overloaded", m, 1};
      return {413, "payload_too_large", m};
    case Code::kDeadlineExceeded:
      return {504, phase == Phase::kFetch ? "fetch_timeout" : "deadline_exceeded", m};
    case Code::kUnavailable:
      if (phase == Phase::kFetch) return {502, "upstream_failed", m};
      return {503, "unavailable", m, 1};
    case Code::kUnauthenticated:
      return {401, "unauthenticated", m};
    case Code::kOk:
    case Code::kAlreadyExists:
    case Code::kInternal:
      break;
  }
  return {500, "internal", m};
}

}  // namespace sluice::serve::api
