#pragma once
// Request ids for logs and the X-Request-Id header.
#include <string>
#include <string_view>

namespace sluice::serve::http {

// 16 random lowercase hex digits.
std::string generate_request_id();
// The client's id when it is 1–128 characters of [A-Za-z0-9._:-] (so it is safe to log and echo);
// a generated one otherwise.
std::string accept_or_generate_request_id(std::string_view client_id);
// UTC now as 2026-11-26T03:04:05.123Z.
std::string iso8601_now();

}  // namespace sluice::serve::http
