#include "serve/http/framing.h"

#include <algorithm>
#include <string_view>
#include <vector>

namespace sluice::serve::http {

namespace bhttp = boost::beast::http;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? x + 32 : x) == (y >= 'A' && y <= 'Z' ? y + 32 : y);
         });
}

// At most 32 bytes of client text, printable ASCII only, so an error message stays small and plain.
std::string quoted_excerpt(std::string_view s) {
  std::string out = "'";
  for (char c : s.substr(0, 32)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (s.size() > 32) out += "...";
  return out + "'";
}

Refusal bad(std::string message) { return {400, "bad_request", std::move(message)}; }

// The transfer codings of every Transfer-Encoding field, in order (a list may span several fields; empty
// list elements are allowed and skipped, RFC 9110 §5.6.1).
std::vector<std::string_view> transfer_codings(const bhttp::request_header<>& head) {
  std::vector<std::string_view> codings;
  for (auto range = head.equal_range(bhttp::field::transfer_encoding); range.first != range.second;
       ++range.first) {
    std::string_view value = range.first->value();
    while (!value.empty()) {
      size_t comma = value.find(',');
      std::string_view element = trim(value.substr(0, comma));
      if (!element.empty()) codings.push_back(element);
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  return codings;
}

std::optional<Refusal> check_transfer_encoding(const bhttp::request_header<>& head) {
  if (head.find(bhttp::field::transfer_encoding) == head.end()) return std::nullopt;
  // RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing.
  if (head.version() < 11) return bad("Transfer-Encoding is not allowed in an HTTP/1.0 request");
  // §6.1/§6.3: both framings at once is the classic smuggling shape; refusing is the safe reading.
  if (head.find(bhttp::field::content_length) != head.end()) {
    return bad("a request must not have both Transfer-Encoding and Content-Length");
  }
  auto codings = transfer_codings(head);
  if (codings.empty()) return bad("Transfer-Encoding is empty");
  // §6.3: when chunked is not the final coding, the body length cannot be determined.
  if (!iequals(codings.back(), "chunked")) {
    return bad("the final transfer coding must be 'chunked', not " + quoted_excerpt(codings.back()));
  }
  if (codings.size() == 1) return std::nullopt;
  if (std::any_of(codings.begin(), codings.end() - 1, [](auto c) { return iequals(c, "chunked"); })) {
    return bad("'chunked' must be applied only once");
  }
  // §6.1: a coding the server does not understand (gzip, compress, deflate, …) gets 501.
  return Refusal{501, "not_implemented",
                 "transfer coding " + quoted_excerpt(codings.front()) + " is not supported (only 'chunked')"};
}

std::optional<Refusal> check_content_length(const bhttp::request_header<>& head) {
  auto range = head.equal_range(bhttp::field::content_length);
  if (range.first == range.second) return std::nullopt;
  if (std::next(range.first) != range.second) return bad("more than one Content-Length field");
  std::string_view value = range.first->value();
  // Beast accepts a list of equal values ("5, 5"); a proxy may not, so only one plain number is accepted.
  if (value.empty() ||
      !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return bad("Content-Length must be one decimal number, not " + quoted_excerpt(value));
  }
  return std::nullopt;
}

}  // namespace

std::optional<Refusal> check_request_head(const bhttp::request_header<>& head, const HeadLimits& limits) {
  if (head.target().size() > limits.max_target_bytes) {
    return Refusal{414, "uri_too_long",
                   "request target exceeds " + std::to_string(limits.max_target_bytes) + " bytes"};
  }
  size_t fields = static_cast<size_t>(std::distance(head.begin(), head.end()));
  if (fields > limits.max_header_fields) {
    return Refusal{431, "header_fields_too_large",
                   "more than " + std::to_string(limits.max_header_fields) + " header fields"};
  }
  // RFC 9112 §3.2: exactly one Host in HTTP/1.1, at most one in HTTP/1.0.
  size_t hosts = head.count(bhttp::field::host);
  if (hosts > 1) return bad("more than one Host field");
  if (hosts == 0 && head.version() >= 11) return bad("an HTTP/1.1 request needs a Host field");
  if (auto r = check_transfer_encoding(head)) return r;
  return check_content_length(head);
}

}  // namespace sluice::serve::http
