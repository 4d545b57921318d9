#include "serve/api/classify_request.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "serve/api/base64.h"
#include "serve/api/client_text.h"
#include "serve/multipart/multipart.h"
#include "serve/vision/image_decode.h"

namespace sluice::serve::api {
namespace {

using Json = nlohmann::json;

ApiError bad(std::string message) { return {400, "invalid_request", std::move(message)}; }

// The DOM parser, refusing (and stopping at) the first array or object nested deeper than kMaxJsonDepth.
// nlohmann's parser is iterative, but dump(), comparison and copying a value recurse: a body of 100,000
// nested arrays would overflow the stack in the first of them.
class DepthLimitedSax : public nlohmann::detail::json_sax_dom_parser<Json> {
 public:
  explicit DepthLimitedSax(Json& root) : json_sax_dom_parser(root, /*allow_exceptions=*/false) {}
  bool start_object(std::size_t n) { return enter() && json_sax_dom_parser::start_object(n); }
  bool start_array(std::size_t n) { return enter() && json_sax_dom_parser::start_array(n); }
  bool end_object() { return --depth_, json_sax_dom_parser::end_object(); }
  bool end_array() { return --depth_, json_sax_dom_parser::end_array(); }
  bool too_deep() const { return too_deep_; }

 private:
  bool enter() {
    if (++depth_ <= kMaxJsonDepth) return true;
    too_deep_ = true;
    return false;
  }
  int depth_ = 0;
  bool too_deep_ = false;
};

std::variant<Json, ApiError> parse_json_object(const std::string& body) {
  // nlohmann's lexer takes a NUL for the end of the input: '{"a":1}\0<anything>' would parse as '{"a":1}'.
  if (auto nul = body.find('\0'); nul != std::string::npos) {
    return bad("body: a NUL byte at offset " + std::to_string(nul) + " (JSON text may not contain one)");
  }
  Json doc;
  DepthLimitedSax sax(doc);
  bool parsed = Json::sax_parse(body, &sax, nlohmann::json::input_format_t::json, /*strict=*/true);
  if (sax.too_deep()) {
    return bad("body: arrays and objects nested deeper than " + std::to_string(kMaxJsonDepth) +
               " levels are refused");
  }
  if (!parsed || sax.is_errored()) return bad("body: not valid JSON");
  if (!doc.is_object()) return bad("body: expected a JSON object");
  return doc;
}

// top_k from a JSON value (integer) or a text field (digits). `out` is capped at kMaxTopK (no model has more
// classes); `asked`, when given, receives the value as asked, for the reference's echo.
std::optional<ApiError> read_count(const Json& value, const char* field, bool allow_digit_string, int& out,
                                   int64_t* asked = nullptr) {
  int64_t n = 0;
  if (value.is_number_unsigned() && value.get<uint64_t>() > uint64_t{INT64_MAX}) {
    return bad(std::string(field) + ": " + value.dump() + " is too large");
  } else if (value.is_number_integer()) {
    n = value.get<int64_t>();
  } else if (value.is_number_float() && std::abs(value.get<double>()) < 9.2e18 &&
             value.get<double>() == static_cast<double>(static_cast<int64_t>(value.get<double>()))) {
    n = static_cast<int64_t>(value.get<double>());
  } else if (allow_digit_string && value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) {
      return bad(std::string(field) + ": expected a positive integer, got \"" + client_text(s) + "\"");
    }
  } else {
    // A value nested within kMaxJsonDepth, so dump() is safe; its length is bounded by client_text.
    return bad(std::string(field) + ": expected a positive integer, got " +
               client_text(value.dump(-1, ' ', false, Json::error_handler_t::replace)));
  }
  if (n < 1) return bad(std::string(field) + ": must be at least 1, got " + std::to_string(n));
  out = static_cast<int>(std::min<int64_t>(n, kMaxTopK));
  if (asked) *asked = n;
  return std::nullopt;
}

// A URL with a control character is refused here, before fetching: curl would read "http://a\0b" as
// "http://a".
std::optional<ApiError> check_url_text(const std::string& url, const char* field) {
  if (has_control_character(url)) {
    return ApiError{400, "invalid_url",
                    std::string(field) + ": a control character in the URL \"" + client_text(url) + "\""};
  }
  return std::nullopt;
}

std::optional<ApiError> read_url(const Json& value, const char* field, std::string& out) {
  if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
    return bad(std::string(field) + ": expected a non-empty string URL");
  }
  if (auto e = check_url_text(value.get_ref<const std::string&>(), field)) return e;
  out = value.get<std::string>();
  return std::nullopt;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string media_type(const http::Request& request) {
  std::string ct = lower(std::string(request[boost::beast::http::field::content_type]));
  auto semi = ct.find(';');
  if (semi != std::string::npos) ct.resize(semi);
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  return ct;
}

std::variant<ClassifyRequest, ApiError> parse_v1_json(const http::Request& request) {
  auto parsed = parse_json_object(request.body());
  if (auto* e = std::get_if<ApiError>(&parsed)) return *e;
  const Json& doc = std::get<Json>(parsed);
  ClassifyRequest out;
  for (const auto& [key, value] : doc.items()) {
    if (key == "image_url") {
      if (auto e = read_url(value, "image_url", out.image_url)) return *e;
    } else if (key == "image_base64") {
      if (!value.is_string()) return bad("image_base64: expected a base64 string");
      auto bytes = decode_base64(value.get_ref<const std::string&>());
      if (!bytes) return bad(bytes.status().message());
      out.image_bytes = std::move(bytes.value());
      if (out.image_bytes.empty()) return bad("image_base64: is empty");
    } else if (key == "top_k") {
      if (auto e = read_count(value, "top_k", false, out.top_k)) return *e;
    } else if (key == "model") {
      if (!value.is_string()) return bad("model: expected a model name string");
      out.model = value.get<std::string>();
    } else {
      return bad(client_text(key) + ": unknown field (expected image_url, image_base64, top_k, model)");
    }
  }
  if (doc.contains("image_url") == doc.contains("image_base64")) {
    return bad("body: give exactly one of image_url and image_base64");
  }
  return out;
}

std::optional<ApiError> apply_query(const http::Request& request, ClassifyRequest& out) {
  if (auto k = query_parameter(request.target(), "top_k")) {
    if (auto e = read_count(Json(*k), "top_k", true, out.top_k)) return e;
  }
  if (auto m = query_parameter(request.target(), "model")) out.model = *m;
  return std::nullopt;
}

std::variant<ClassifyRequest, ApiError> parse_v1_multipart(const http::Request& request) {
  auto boundary = multipart::boundary_from_content_type(request[boost::beast::http::field::content_type]);
  if (!boundary) return bad("Content-Type: " + boundary.status().message());
  auto parts = multipart::parse_multipart(request.body(), boundary.value());
  if (!parts) return bad("body: " + parts.status().message());
  ClassifyRequest out;
  bool have_file = false;
  for (const auto& part : parts.value()) {
    if (part.name == "top_k") {
      if (auto e = read_count(Json(std::string(part.body)), "top_k", true, out.top_k)) return *e;
    } else if (part.name == "model") {
      out.model = std::string(part.body);
    } else if (part.name == "image_url") {
      out.image_url = std::string(part.body);
      if (auto e = check_url_text(out.image_url, "image_url")) return *e;
    } else if (part.name == "image" || part.name == "file" || !part.filename.empty()) {
      if (have_file) return bad(client_text(part.name) + ": only one image per request");
      out.image_bytes = std::string(part.body);
      have_file = true;
    } else {
      return bad(client_text(part.name) + ": unknown form field (expected image, top_k, model)");
    }
  }
  if (have_file == !out.image_url.empty())
    return bad("body: give exactly one of an image file and image_url");
  if (have_file && out.image_bytes.empty()) return bad("image: the file part is empty");
  if (auto e = apply_query(request, out)) return *e;
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> query_parameter(std::string_view target, std::string_view key) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) != key) continue;
    std::string_view raw = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    std::string value;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '+') {
        value.push_back(' ');
      } else if (raw[i] == '%' && i + 2 < raw.size() && hex_value(raw[i + 1]) >= 0 &&
                 hex_value(raw[i + 2]) >= 0) {
        value.push_back(static_cast<char>(hex_value(raw[i + 1]) * 16 + hex_value(raw[i + 2])));
        i += 2;
      } else {
        value.push_back(raw[i]);
      }
    }
    return value;
  }
  return std::nullopt;
}

std::variant<ClassifyRequest, ApiError> parse_compat_request(const http::Request& request) {
  auto parsed = parse_json_object(request.body());
  if (auto* e = std::get_if<ApiError>(&parsed)) return *e;
  const Json& doc = std::get<Json>(parsed);
  ClassifyRequest out;
  auto url = doc.find("image_url");
  if (url == doc.end()) return bad("image_url: missing (expected {\"image_url\": \"https://…\"})");
  if (auto e = read_url(*url, "image_url", out.image_url)) return *e;
  auto count = doc.find("prediction_count");
  if (count != doc.end() && !count->is_null()) {
    if (auto e = read_count(*count, "prediction_count", true, out.top_k, &out.asked_count)) return *e;
  }
  return out;
}

std::variant<ClassifyRequest, ApiError> parse_v1_request(const http::Request& request) {
  std::string type = media_type(request);
  if (type == "application/json" || type.ends_with("+json")) return parse_v1_json(request);
  if (type == "multipart/form-data") return parse_v1_multipart(request);
  if (vision::image_type_from_content_type(type) != vision::ImageType::kUnknown ||
      type == "application/octet-stream") {
    if (request.body().empty()) return bad("body: the image is empty");
    ClassifyRequest out;
    out.image_bytes = request.body();
    if (auto e = apply_query(request, out)) return *e;
    return out;
  }
  return ApiError{415, "unsupported_media_type",
                  "Content-Type: '" + client_text(type) +
                      "' is not accepted (expected application/json, multipart/form-data or "
                      "image/jpeg|png|webp|bmp|tiff)"};
}

}  // namespace sluice::serve::api
