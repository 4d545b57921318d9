#include "etl/cli/target_url.h"

#include <cctype>
#include <cstdlib>

namespace sluice::etl {
namespace {
std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}
}  // namespace

std::string percent_encode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string resolve_target_url(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (std::string url = env("DATABASE_URL"); !url.empty()) return url;
  if (std::string host = env("MYSQL_HOST"); !host.empty()) {
    std::string url = "mysql://" + percent_encode(env("MYSQL_USERNAME"));
    if (std::string password = env("MYSQL_PASSWORD"); !password.empty())
      url += ":" + percent_encode(password);
    url += "@" + host;
    if (std::string port = env("MYSQL_PORT"); !port.empty()) url += ":" + port;
    return url + "/" + env("MYSQL_DATABASE");
  }
  return "sqlite:///data_engineering.db";
}

}  // namespace sluice::etl
