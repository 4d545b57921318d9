#pragma once
// Parsing of server target URLs: scheme://user:password@host:port/database?key=value&...
// User, password and database are percent-decoded (a password may hold '@', ':' or '/' as %40, %3A, %2F).
//
// One grammar serves both parsing and redaction (split_database_url), so that what a message prints as
// "***" is exactly what the connection uses as the password:
//   - the userinfo ends at the LAST '@' before the query, so a sloppy unencoded '@' or '/' in the password
//     still parses (mysql://u:p@ss@host/db has the password "p@ss");
//   - the user ends at the FIRST ':' of the userinfo, the rest is the password;
//   - the query starts at the first '?'; an '@' after it is refused, because the split would be ambiguous
//     (a '?' in the password must be written %3F).
#include <map>
#include <string>
#include <string_view>

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

// The raw (still percent-encoded) pieces of a URL, as views into the text given to split_database_url.
struct DatabaseUrlSpans {
  std::string_view scheme;
  std::string_view user;
  std::string_view password;  // empty() with has_password means "user:@host"
  bool has_password = false;
  std::string_view authority;  // host[:port] or [v6]:port
  std::string_view database;
  std::string_view query;  // after '?', without it
};

// Splits url by the grammar above. Errors name the problem but quote nothing of the URL.
common::Result<DatabaseUrlSpans> split_database_url(std::string_view url);

// Errors quote the URL with the password redacted.
common::Result<DatabaseUrl> parse_database_url(const std::string& url);

// The url with the password (and any secret-looking query value: password, sslpassword, token, secret)
// replaced by "***", for logs and messages. When the URL cannot be split, everything between the first
// ':' after the scheme and the last '@' is replaced, so a malformed URL never leaks either.
std::string redact_url(std::string_view url);

std::string percent_decode(std::string_view text);

}  // namespace sluice::etl
