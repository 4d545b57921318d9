#pragma once
// Checks a parsed request head against the message-framing rules of RFC 9112 §6 and the head limits, before
// any body byte is read. Beast's parser accepts some heads whose body length a proxy in front of us could
// read differently (`Transfer-Encoding: chunked, identity`, `gzip`, `Transfer-Encoding` beside
// `Content-Length`, `Content-Length: 5, 5`): answering those would let a body be read as the next request
// (request smuggling), so each is refused and the connection closed. docs/http.md lists every rule.
#include <boost/beast/http/message.hpp>
#include <cstddef>
#include <optional>
#include <string>

namespace sluice::serve::http {

struct HeadLimits {
  size_t max_target_bytes = 8 * 1024;           // 414 above
  size_t max_header_fields = 100;               // 431 above
  size_t max_chunk_extension_bytes = 4 * 1024;  // over all chunks of one request; 400 above (server.cpp)
};

// Why a request is refused: the status, the error code of the JSON body, and a message for the client
// (which never echoes more than a few bytes of what the client sent).
struct Refusal {
  unsigned status = 400;
  std::string code;
  std::string message;
};

// std::nullopt when the head may be answered; otherwise the refusal. Every refusal closes the connection.
std::optional<Refusal> check_request_head(const boost::beast::http::request_header<>& head,
                                          const HeadLimits& limits);

}  // namespace sluice::serve::http
