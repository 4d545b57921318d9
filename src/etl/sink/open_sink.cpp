#include "etl/sink/database_url.h"
#include "etl/sink/sink.h"

namespace sluice::etl {

common::Result<std::unique_ptr<Sink>> open_sink(const std::string& url, const SinkOptions& options) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (url.starts_with(kSqlite)) {
    // sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy spells them.
    std::string rest = url.substr(kSqlite.size());
    if (!rest.starts_with("/") || rest.size() < 2) {
      return common::invalid_argument(
          "target '" + redact_url(url) +
          "': expected sqlite:///relative/path.db or sqlite:////absolute/path.db");
    }
    return internal::open_sqlite_sink(rest.substr(1), options);
  }
  if (url.starts_with("mysql://") || url.starts_with("mariadb://"))
    return internal::open_mysql_sink(url, options);
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return internal::open_postgres_sink(url, options);
  }
  return common::invalid_argument("target '" + redact_url(url) +
                                  "': unknown scheme (expected sqlite:///FILE.db, mysql://, mariadb://, "
                                  "postgresql:// or postgres://)");
}

const char* pandas_sql_type(ColumnType type) {
  switch (type) {
    case ColumnType::kInt:
      return "BIGINT";
    case ColumnType::kDouble:
      return "FLOAT";
    case ColumnType::kBool:
      return "BOOLEAN";
    case ColumnType::kDateTime:
      return "DATETIME";
    case ColumnType::kTime:
      return "TIME";  // SQLAlchemy's Time, as pandas declares a column of datetime.time
    case ColumnType::kText:
    case ColumnType::kUnknown:
      return "TEXT";
  }
  return "TEXT";
}

}  // namespace sluice::etl
