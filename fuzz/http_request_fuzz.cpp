// libFuzzer target: the bytes of one client connection, through the request path as sluice-serve's Session
// sees it: Beast's request parser with the Session's limits (head, body, read buffer, chunk-extension
// budget), the head checks of framing.h, trailer dropping, the closed-set method label, the request id, the
// JSON error body of a refusal, and the body dispatch of POST /v1/classify and POST / to the request parsers
// of the API. The classifier is not called: a fake stands in, so only parsing is fuzzed. Pipelined requests
// are parsed one after another, as on a keep-alive connection.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "serve/api/classify_request.h"
#include "serve/http/framing.h"
#include "serve/http/method_label.h"
#include "serve/http/request_id.h"

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using namespace sluice::serve;

constexpr size_t kHeaderLimit = 16 * 1024;                 // --max-header-bytes default
constexpr size_t kBufferLimit = kHeaderLimit + 64 * 1024;  // server.cpp kReadSlack
constexpr size_t kBodyLimit = 256 * 1024;                  // smaller than the default, to keep inputs fast

// What reply_and_close sends: it must never throw (nlohmann refuses invalid UTF-8 in dump()).
void render_refusal(const http::Refusal& r) {
  nlohmann::json body = {{"error", {{"code", r.code}, {"message", r.message}}}};
  (void)body.dump();
}

// Parses one request from the front of `in`; false when the connection would be closed.
bool one_request(std::string_view& in) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(kBodyLimit);
  http::HeadLimits limits;
  size_t extension_bytes = 0;
  auto on_chunk_header = [&](uint64_t, std::string_view ext, beast::error_code& ec) {
    extension_bytes += ext.size();
    if (extension_bytes > limits.max_chunk_extension_bytes) ec = bhttp::error::bad_chunk_extension;
  };
  parser.on_chunk_header(on_chunk_header);
  bool head_checked = false;
  size_t header_fields = 0;
  while (!parser.is_done()) {
    if (in.empty()) return false;  // the client stopped sending (Session: 408 after the deadline)
    beast::error_code ec;
    size_t offered = std::min(in.size(), kBufferLimit);
    size_t used = parser.put(boost::asio::buffer(in.data(), offered), ec);
    in.remove_prefix(used);
    if (ec == bhttp::error::need_more) {
      if (used == 0) return false;  // end of input, or a line longer than the buffer (Session: 400)
      continue;
    }
    if (ec) return false;  // Session: 400/413
    if (used == 0 && !parser.is_header_done()) return false;
    if (parser.is_header_done() && !head_checked) {
      head_checked = true;
      if (auto refusal = http::check_request_head(parser.get(), limits)) {
        render_refusal(*refusal);
        return false;
      }
      header_fields = static_cast<size_t>(std::distance(parser.get().begin(), parser.get().end()));
    }
  }
  http::Request req = parser.release();
  auto it = std::next(req.begin(), static_cast<std::ptrdiff_t>(header_fields));
  while (it != req.end()) it = req.erase(it);
  (void)http::method_label(req.method());
  (void)http::accept_or_generate_request_id(req["X-Request-Id"]);
  std::string_view target = req.target();
  std::string_view path = target.substr(0, target.find('?'));
  if (req.method() == bhttp::verb::post && path == "/v1/classify") {
    (void)api::parse_v1_request(req);
  } else if (req.method() == bhttp::verb::post && path == "/") {
    (void)api::parse_compat_request(req);
  }
  return req.keep_alive();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < 8 && !in.empty(); ++i) {
    if (!one_request(in)) break;
  }
  return 0;
}
