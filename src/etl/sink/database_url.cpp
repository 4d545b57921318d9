#include "etl/sink/database_url.h"

#include <algorithm>
#include <cctype>

namespace sluice::etl {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A query key whose value is a secret: libpq's password and sslpassword, and the usual token names.
bool is_secret_key(std::string_view raw_key) {
  const std::string key = lower(percent_decode(raw_key));
  return key.find("password") != std::string::npos || key.find("secret") != std::string::npos ||
         key.find("token") != std::string::npos;
}

// Replaces the value of every secret query parameter in query by "***".
std::string redact_query(std::string_view query) {
  std::string out;
  size_t start = 0;
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    const std::string_view pair = query.substr(start, amp - start);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && is_secret_key(pair.substr(0, eq))) {
      out.append(pair.substr(0, eq + 1)).append("***");
    } else {
      out.append(pair);
    }
    if (amp < query.size()) out += '&';
    start = amp + 1;
  }
  return out;
}

// For text that does not split: hide everything from the first ':' after the scheme to the last '@', and
// any query value after a secret-looking key.
std::string redact_unsplittable(std::string_view url) {
  const size_t scheme_end = url.find("://");
  const size_t body = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const size_t at = url.rfind('@');
  std::string out(url);
  if (at != std::string_view::npos && at >= body) {
    const size_t colon = url.find(':', body);
    if (colon != std::string_view::npos && colon < at) {
      out = std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
    }
  }
  const size_t q = out.find('?', out.rfind('@') == std::string::npos ? 0 : out.rfind('@'));
  if (q != std::string::npos) out = out.substr(0, q + 1) + redact_query(std::string_view(out).substr(q + 1));
  return out;
}

}  // namespace

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const int hi = text[i] == '%' && i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
    const int lo = hi >= 0 ? hex_value(text[i + 2]) : -1;
    if (lo >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

common::Result<DatabaseUrlSpans> split_database_url(std::string_view url) {
  DatabaseUrlSpans out;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) {
    return common::invalid_argument("expected scheme://user:password@host:port/database");
  }
  out.scheme = url.substr(0, scheme_end);
  std::string_view rest = url.substr(scheme_end + 3);
  if (const size_t q = rest.find('?'); q != std::string_view::npos) {
    if (rest.find('@', q) != std::string_view::npos) {
      return common::invalid_argument(
          "an '@' follows the '?' of the query, so where the password ends is ambiguous: percent-encode "
          "'?' in a password as %3F and '@' in a query value as %40");
    }
    out.query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  const size_t at = rest.rfind('@');
  std::string_view after_userinfo = rest;
  if (at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    after_userinfo = rest.substr(at + 1);
    const size_t colon = userinfo.find(':');
    out.user = userinfo.substr(0, colon);
    if (colon != std::string_view::npos) {
      out.has_password = true;
      out.password = userinfo.substr(colon + 1);
    }
  }
  const size_t slash = after_userinfo.find('/');
  out.authority = after_userinfo.substr(0, slash);
  if (slash != std::string_view::npos) out.database = after_userinfo.substr(slash + 1);
  return out;
}

std::string redact_url(std::string_view url) {
  auto spans = split_database_url(url);
  if (!spans) return redact_unsplittable(url);
  const DatabaseUrlSpans& s = spans.value();
  std::string out;
  if (s.has_password) {
    // Offsets into url: everything before the password, "***", then everything after it.
    const size_t begin = static_cast<size_t>(s.password.data() - url.data());
    out.append(url.substr(0, begin)).append("***");
    out.append(url.substr(begin + s.password.size()));
  } else {
    out.assign(url);
  }
  if (!s.query.empty()) {
    // The query is the end of the text, after a '?'.
    out.resize(out.size() - s.query.size());
    out += redact_query(s.query);
  }
  return out;
}

common::Result<DatabaseUrl> parse_database_url(const std::string& url) {
  auto bad = [&](const std::string& what) {
    return common::invalid_argument("target '" + redact_url(url) + "': " + what);
  };
  auto spans = split_database_url(url);
  if (!spans) return bad(spans.status().message());
  const DatabaseUrlSpans& s = spans.value();
  DatabaseUrl out;
  out.scheme = lower(s.scheme);
  out.user = percent_decode(s.user);
  out.password = percent_decode(s.password);
  out.database = percent_decode(s.database);
  size_t start = 0;
  const std::string_view query = s.query;
  while (!query.empty() && start <= query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    const std::string_view pair = query.substr(start, amp - start);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos) {
        return bad("query parameter '" + percent_decode(pair) + "' has no value");
      }
      out.params[percent_decode(pair.substr(0, eq))] = percent_decode(pair.substr(eq + 1));
    }
    start = amp + 1;
  }
  const std::string_view authority = s.authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // [::1]:5432
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated '[' in the host");
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    out.host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  } else {
    out.host = authority;
  }
  if (!port.empty()) {
    const bool digits =
        std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); });
    const int value = digits && port.size() <= 5 ? std::stoi(std::string(port)) : 0;
    if (value < 1 || value > 65535) {
      return bad("port '" + std::string(port) + "' is not a number from 1 to 65535");
    }
    out.port = value;
  }
  return out;
}

}  // namespace sluice::etl
