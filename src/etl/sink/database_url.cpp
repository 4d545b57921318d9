#include "etl/sink/database_url.h"

#include <algorithm>
#include <cctype>

#include "etl/sink/sink.h"

namespace sluice::etl {

std::string percent_decode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

common::Result<DatabaseUrl> parse_database_url(const std::string& url) {
  auto bad = [&](const std::string& what) {
    return common::invalid_argument("target '" + redact_url(url) + "': " + what);
  };
  DatabaseUrl out;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return bad("expected scheme://user:password@host:port/database");
  out.scheme = url.substr(0, scheme_end);
  std::transform(out.scheme.begin(), out.scheme.end(), out.scheme.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::string rest = url.substr(scheme_end + 3);
  if (const size_t q = rest.find('?'); q != std::string::npos) {
    std::string query = rest.substr(q + 1);
    rest.resize(q);
    size_t start = 0;
    while (start <= query.size()) {
      size_t amp = query.find('&', start);
      if (amp == std::string::npos) amp = query.size();
      const std::string pair = query.substr(start, amp - start);
      if (!pair.empty()) {
        const size_t eq = pair.find('=');
        if (eq == std::string::npos) return bad("query parameter '" + pair + "' has no value");
        out.params[percent_decode(pair.substr(0, eq))] = percent_decode(pair.substr(eq + 1));
      }
      start = amp + 1;
    }
  }
  // The password may contain an unencoded '@' in sloppy URLs: the host starts after the last one.
  std::string authority = rest;
  if (const size_t slash = rest.find('/', rest.rfind('@') == std::string::npos ? 0 : rest.rfind('@'));
      slash != std::string::npos) {
    authority = rest.substr(0, slash);
    out.database = percent_decode(rest.substr(slash + 1));
  }
  if (const size_t at = authority.rfind('@'); at != std::string::npos) {
    const std::string userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const size_t colon = userinfo.find(':');
    out.user = percent_decode(userinfo.substr(0, colon));
    if (colon != std::string::npos) out.password = percent_decode(userinfo.substr(colon + 1));
  }
  std::string port;
  if (!authority.empty() && authority.front() == '[') {  // [::1]:5432
    const size_t close = authority.find(']');
    if (close == std::string::npos) return bad("unterminated '[' in the host");
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
  } else if (const size_t colon = authority.rfind(':'); colon != std::string::npos) {
    out.host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  } else {
    out.host = authority;
  }
  if (!port.empty()) {
    if (!std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }) ||
        port.size() > 5 || std::stoi(port) == 0 || std::stoi(port) > 65535) {
      return bad("port '" + port + "' is not a number from 1 to 65535");
    }
    out.port = std::stoi(port);
  }
  return out;
}

}  // namespace sluice::etl
