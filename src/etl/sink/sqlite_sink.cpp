// The embedded SQLite target. The whole load is one transaction: the rows go into a staging table and the
// swap (drop the old table, rename the staging one) happens in the same transaction, so a crash or kill -9 at
// any point rolls back to the previous table, byte for byte, through SQLite's journal.
#include <sqlite3.h>

#include <cinttypes>
#include <cstdio>
#include <vector>

#include "etl/sink/sink.h"

namespace sluice::etl {
namespace {

std::string quote_identifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// SQLAlchemy's SQLite dialect stores DATETIME and TIME as text with microseconds always present.
std::string sqlalchemy_datetime_text(const DateTime& dt) {
  std::string text = format_datetime(dt);
  if (dt.kind == DateTime::Kind::kDate) text += " 00:00:00";
  if (text.find('.') == std::string::npos) text += ".000000";
  return text;
}

class SqliteSink final : public Sink {
 public:
  SqliteSink(std::string path, SinkOptions options) : path_(std::move(path)), options_(std::move(options)) {}
  ~SqliteSink() override {
    abort();
    if (db_ != nullptr) sqlite3_close(db_);
  }

  common::Status open() {
    const int rc = sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) return fail(common::Code::kUnavailable, "cannot open database");
    sqlite3_busy_timeout(db_, 10000);
    // A larger page cache keeps the B-tree of a big load in memory; bounded, so RSS stays bounded.
    return exec("PRAGMA cache_size=-65536");
  }

  common::Status begin(const Schema& schema) override {
    schema_ = schema;
    SLUICE_RETURN_IF_ERROR(exec("BEGIN IMMEDIATE"));
    in_transaction_ = true;
    const bool exists = table_exists(options_.table);
    if (exists && options_.if_exists == IfExists::kFail) {
      return {common::Code::kAlreadyExists, target_name() + ": table '" + options_.table +
                                                "' already exists (--if-exists fail); nothing was written"};
    }
    std::string load_table = options_.table;
    if (options_.if_exists == IfExists::kReplace) {
      load_table = staging_name();
      // A staging table can only survive a run that committed half-way through a swap, which one transaction
      // rules out; dropping any leftover keeps the promise even for files written by other tools.
      SLUICE_RETURN_IF_ERROR(exec("DROP TABLE IF EXISTS " + quote_identifier(load_table)));
    }
    if (options_.if_exists == IfExists::kReplace || !exists) {
      std::string ddl = "CREATE TABLE " + quote_identifier(load_table) + " (";
      for (size_t i = 0; i < schema.size(); ++i) {
        if (i) ddl += ", ";
        ddl += quote_identifier(schema[i].name) + " " + pandas_sql_type(schema[i].type);
      }
      SLUICE_RETURN_IF_ERROR(exec(ddl + ")"));
    }
    std::string insert = "INSERT INTO " + quote_identifier(load_table) + " (";
    std::string params;
    for (size_t i = 0; i < schema.size(); ++i) {
      insert += (i ? ", " : "") + quote_identifier(schema[i].name);
      params += i ? ", ?" : "?";
    }
    insert += ") VALUES (" + params + ")";
    if (sqlite3_prepare_v2(db_, insert.c_str(), -1, &insert_, nullptr) != SQLITE_OK) {
      return fail(common::Code::kInvalidArgument, "cannot prepare the insert into '" + load_table + "'");
    }
    return {};
  }

  common::Status write(const Batch& batch) override {
    const size_t rows = batch.num_rows();
    const size_t cols = batch.columns.size();
    for (size_t r = 0; r < rows; ++r) {
      for (size_t c = 0; c < cols; ++c) bind(static_cast<int>(c + 1), batch.columns[c][r]);
      if (sqlite3_step(insert_) != SQLITE_DONE) {
        sqlite3_reset(insert_);
        return fail(common::Code::kUnavailable, "insert failed");
      }
      sqlite3_reset(insert_);
    }
    return {};
  }

  common::Status commit() override {
    finalize_insert();
    if (options_.if_exists == IfExists::kReplace) {
      SLUICE_RETURN_IF_ERROR(exec("DROP TABLE IF EXISTS " + quote_identifier(options_.table)));
      SLUICE_RETURN_IF_ERROR(exec("ALTER TABLE " + quote_identifier(staging_name()) + " RENAME TO " +
                                  quote_identifier(options_.table)));
    }
    SLUICE_RETURN_IF_ERROR(exec("COMMIT"));
    in_transaction_ = false;
    return {};
  }

  void abort() override {
    finalize_insert();
    if (in_transaction_ && db_ != nullptr) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      in_transaction_ = false;
    }
  }

 private:
  void bind(int index, const Value& value) {
    switch (value.index()) {
      case 1:
        sqlite3_bind_int64(insert_, index, std::get<int64_t>(value));
        break;
      case 2:
        sqlite3_bind_double(insert_, index, std::get<double>(value));
        break;
      case 3:
        sqlite3_bind_int(insert_, index, std::get<bool>(value) ? 1 : 0);
        break;
      case 4: {
        const auto& s = std::get<std::string>(value);
        // The batch outlives the step, so SQLite need not copy the text.
        sqlite3_bind_text(insert_, index, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
        break;
      }
      case 5: {
        const std::string text = sqlalchemy_datetime_text(std::get<DateTime>(value));
        sqlite3_bind_text(insert_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
        break;
      }
      default:
        sqlite3_bind_null(insert_, index);
        break;
    }
  }

  bool table_exists(const std::string& name) {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db_, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", -1, &stmt, nullptr);
    sqlite3_bind_text(stmt, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    const bool found = sqlite3_step(stmt) == SQLITE_ROW;
    sqlite3_finalize(stmt);
    return found;
  }

  std::string staging_name() const { return "_sluice_staging_" + options_.table; }
  std::string target_name() const { return "sqlite:///" + path_; }

  void finalize_insert() {
    if (insert_ != nullptr) {
      sqlite3_finalize(insert_);
      insert_ = nullptr;
    }
  }

  common::Status exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : "unknown error";
      sqlite3_free(error);
      const int code = sqlite3_errcode(db_);
      const auto canonical = (code == SQLITE_FULL || code == SQLITE_IOERR || code == SQLITE_BUSY ||
                              code == SQLITE_READONLY || code == SQLITE_CANTOPEN)
                                 ? common::Code::kUnavailable
                                 : common::Code::kInvalidArgument;
      return {canonical, target_name() + ": " + message};
    }
    return {};
  }

  common::Status fail(common::Code code, const std::string& what) {
    return {code, target_name() + ": " + what + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory")};
  }

  std::string path_;
  SinkOptions options_;
  Schema schema_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  bool in_transaction_ = false;
};

}  // namespace

namespace internal {
common::Result<std::unique_ptr<Sink>> open_sqlite_sink(const std::string& path, const SinkOptions& options) {
  auto sink = std::make_unique<SqliteSink>(path, options);
  SLUICE_RETURN_IF_ERROR(sink->open());
  return std::unique_ptr<Sink>(std::move(sink));
}
}  // namespace internal

}  // namespace sluice::etl
