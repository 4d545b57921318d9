#pragma once
// A Sink writes the transformed batches into one table of a database. Implementations: the embedded SQLite
// file (this file's open_sink), later MySQL/MariaDB and PostgreSQL. The life of a load:
//   begin(schema) → write(batch)* → commit()     or, on any failure, abort()
// With IfExists::kReplace the rows go to a staging table and commit() swaps it in atomically, so a failure at
// any point (including kill -9) leaves the previous table exactly as it was. A sink is used from one thread.
#include <memory>
#include <string>

#include "common/status.h"
#include "etl/batch.h"

namespace sluice::etl {

enum class IfExists { kReplace, kAppend, kFail };

struct SinkOptions {
  std::string table = "data_engineering";
  IfExists if_exists = IfExists::kReplace;
  // Server targets: connection attempts retried with exponential backoff before loading starts (--retries).
  int connect_retries = 3;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Prepares the load; every field of schema has a resolved type (no kUnknown).
  virtual common::Status begin(const Schema& schema) = 0;
  virtual common::Status write(const Batch& batch) = 0;
  // Makes the load visible, atomically.
  virtual common::Status commit() = 0;
  // Undoes what begin/write did; safe to call at any point, and more than once.
  virtual void abort() = 0;
};

// Opens the target named by url: "sqlite:///relative.db", "sqlite:////abs/path.db",
// "mysql://user:pass@host:port/db" (also mariadb://), "postgresql://user:pass@host:port/db" (also
// postgres://).
common::Result<std::unique_ptr<Sink>> open_sink(const std::string& url, const SinkOptions& options);

// SQL column type that pandas.DataFrame.to_sql (through SQLAlchemy) declares for a column type.
const char* pandas_sql_type(ColumnType type);

namespace internal {
common::Result<std::unique_ptr<Sink>> open_sqlite_sink(const std::string& path, const SinkOptions& options);
common::Result<std::unique_ptr<Sink>> open_mysql_sink(const std::string& url, const SinkOptions& options);
common::Result<std::unique_ptr<Sink>> open_postgres_sink(const std::string& url, const SinkOptions& options);
}  // namespace internal

}  // namespace sluice::etl
