#pragma once
// Where the rows go when --target is not given, in the reference project's order of precedence.
#include <string>

namespace sluice::etl {

// flag if set; else $DATABASE_URL; else a mysql:// URL built from MYSQL_USERNAME, MYSQL_PASSWORD,
// MYSQL_HOST, MYSQL_DATABASE (and MYSQL_PORT) when MYSQL_HOST is set; else sqlite:///data_engineering.db.
std::string resolve_target_url(const std::string& flag);

// RFC 3986 percent-encoding of a URL's user or password part.
std::string percent_encode(const std::string& text);

}  // namespace sluice::etl
