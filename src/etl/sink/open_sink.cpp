#include <regex>

#include "etl/sink/sink.h"

namespace sluice::etl {

common::Result<std::unique_ptr<Sink>> open_sink(const std::string& url, const SinkOptions& options) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (url.starts_with(kSqlite)) {
    // sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy spells them.
    std::string rest = url.substr(kSqlite.size());
    if (!rest.starts_with("/") || rest.size() < 2) {
      return common::invalid_argument("target '" + redact_url(url) +
                                      "': expected sqlite:///relative/path.db or sqlite:////absolute/path.db");
    }
    return internal::open_sqlite_sink(rest.substr(1), options);
  }
  for (const char* scheme : {"mysql://", "mariadb://", "postgresql://", "postgres://"}) {
    if (url.starts_with(scheme)) {
      return common::unsupported("target '" + redact_url(url) + "': " + std::string(scheme) +
                                 " targets are not available in this build yet; use sqlite:///FILE.db");
    }
  }
  return common::invalid_argument("target '" + redact_url(url) +
                                  "': unknown scheme (expected sqlite:///FILE.db)");
}

std::string redact_url(const std::string& url) {
  // scheme://user:password@host → scheme://user:***@host
  static const std::regex kPassword(R"(^([A-Za-z][A-Za-z0-9+.-]*://[^:/@]*):[^@/]*@)");
  return std::regex_replace(url, kPassword, "$1:***@", std::regex_constants::format_first_only);
}

const char* pandas_sql_type(ColumnType type) {
  switch (type) {
    case ColumnType::kInt: return "BIGINT";
    case ColumnType::kDouble: return "FLOAT";
    case ColumnType::kBool: return "BOOLEAN";
    case ColumnType::kDateTime: return "DATETIME";
    case ColumnType::kText:
    case ColumnType::kUnknown: return "TEXT";
  }
  return "TEXT";
}

}  // namespace sluice::etl
