#pragma once
// The one shape every error takes on the wire: {"error": {"code", "message"}} with the right status.
#include <string>

#include "common/status.h"
#include "serve/http/server.h"

namespace sluice::serve::api {

struct ApiError {
  unsigned status = 500;
  std::string code;  // stable, machine-readable: "forbidden_destination", "overloaded", …
  std::string message;
  int retry_after_s = 0;  // > 0: a Retry-After header is sent
};

http::Response error_response(const ApiError& error);

// Where in a request an error arose decides its status: a kResourceExhausted while fetching is an image
// that is too large (413), while queueing it is an overloaded server (503).
enum class Phase { kRequest, kFetch, kDecode, kQueue, kInference };
ApiError api_error_from(const common::Status& status, Phase phase);

}  // namespace sluice::serve::api
