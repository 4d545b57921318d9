#pragma once
// Parsing of server target URLs: scheme://user:password@host:port/database?key=value&...
// User, password and database are percent-decoded (a password may hold '@', ':' or '/' as %40, %3A, %2F).
#include <map>
#include <string>

#include "common/status.h"

namespace sluice::etl {

struct DatabaseUrl {
  std::string scheme;  // lower-case: mysql, mariadb, postgresql, postgres
  std::string user;
  std::string password;  // never put in a message: use redact_url() on the original text
  std::string host;      // may be empty (then the client library's default, e.g. a local socket)
  int port = 0;          // 0 = the scheme's default
  std::string database;
  std::map<std::string, std::string> params;
};

// Errors quote the URL with the password redacted.
common::Result<DatabaseUrl> parse_database_url(const std::string& url);

std::string percent_decode(const std::string& text);

}  // namespace sluice::etl
