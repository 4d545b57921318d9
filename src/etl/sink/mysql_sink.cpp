// The MySQL/MariaDB target (mysql:// and mariadb:// URLs), through libmariadb.
//
// replace (and append or fail to a table that does not exist yet) loads a staging table named
// _sluice_staging_<table>_<run> and makes it visible with one atomic RENAME TABLE: the previous table stays
// byte for byte as it was until that rename, whatever happens before it (a lost connection, a KILL, kill -9
// of sluice-etl, a full disk). pandas' replace drops the table first, and MySQL commits a DROP at once.
// append to an existing table is one InnoDB transaction. <run> is the server's connection id of the run,
// which holds the user lock sluice_load_<run> while it lives: a later run drops leftover work tables whose
// lock it can take (their run is gone) and leaves those of a run still loading alone.
//
// Rows go through one streaming LOAD DATA LOCAL INFILE (mysql_infile_stream.h); a server that refuses
// local infile gets multi-row INSERTs, each as large as its max_allowed_packet allows, with every value
// escaped by the client library.
#include <mysql.h>
#include <mysqld_error.h>

#include <charconv>
#include <cmath>
#include <cstdio>

#include "etl/sink/database_url.h"
#include "etl/sink/mysql_connection.h"
#include "etl/sink/mysql_infile_stream.h"
#include "etl/sink/mysql_text.h"
#include "etl/sink/sink.h"

namespace sluice::etl {
namespace {

using internal::InfileStream;
using internal::mysql_quote_identifier;
using internal::MysqlConnection;

constexpr std::string_view kStagingPrefix = "_sluice_staging_";
constexpr std::string_view kOldPrefix = "_sluice_old_";
// Batches in flight between write() and the LOAD DATA thread: bounds memory at a few MB.
constexpr size_t kQueueChunks = 4;
// An INSERT is kept under the server's max_allowed_packet, and under this: larger ones gain nothing.
constexpr size_t kMaxInsertBytes = 16u << 20;
// How long begin() waits for a dying run (its connection killed, its statement rolling back) to release a
// leftover work table before leaving it to a later run.
constexpr int kLeftoverLockWaitS = 10;

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The part of a work table's name that stands for the target table. MySQL names hold at most 64
// characters: the prefix (16), this part, '_' and a connection id (up to 20 digits) leave 27. A longer
// table name is cut to 18 characters and completed with a hash of the whole name, so that two long names
// with the same start do not share work tables.
std::string table_part(const std::string& table) {
  constexpr size_t kMaxChars = 27, kKeepChars = 18;
  size_t chars = 0, cut = table.size();
  for (size_t i = 0; i < table.size(); ++i) {
    if (is_continuation_byte(table[i])) continue;
    if (chars == kKeepChars) cut = i;
    ++chars;
  }
  if (chars <= kMaxChars) return table;
  uint32_t hash = 2166136261u;  // FNV-1a
  for (unsigned char c : table) hash = (hash ^ c) * 16777619u;
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", hash);
  return table.substr(0, cut) + "_" + hex;
}

std::string lock_name(uint64_t run) { return "sluice_load_" + std::to_string(run); }

// The run id of a work table of `table`, or 0 when name is not one.
uint64_t work_table_run(const std::string& name, const std::string& table) {
  for (std::string_view prefix : {kStagingPrefix, kOldPrefix}) {
    const std::string head = std::string(prefix) + table_part(table) + "_";
    if (!name.starts_with(head) || name.size() == head.size() || name.size() - head.size() > 20) continue;
    uint64_t run = 0;
    const char* begin = name.data() + head.size();
    const char* end = name.data() + name.size();
    const auto [ptr, ec] = std::from_chars(begin, end, run);
    if (ec == std::errc() && ptr == end && *begin != '0') return run;
  }
  return 0;
}

class MysqlSink final : public Sink {
 public:
  MysqlSink(std::string label, internal::MysqlConnectOptions connect, SinkOptions options)
      : label_(std::move(label)), connect_(std::move(connect)), options_(std::move(options)) {}
  ~MysqlSink() override { abort(); }

  common::Status open() {
    auto connection = MysqlConnection::open(connect_, label_, options_.connect_retries);
    if (!connection) return connection.status();
    conn_ = std::move(connection.value());
    return {};
  }

  common::Status begin(const Schema& schema) override {
    schema_ = schema;
    run_ = conn_->thread_id();
    auto locked = conn_->query("SELECT GET_LOCK(" + conn_->quote(lock_name(run_)) + ", 0)");
    if (!locked) return locked.status();
    auto exists = table_exists(options_.table);
    if (!exists) return exists.status();
    target_existed_ = exists.value();
    if (target_existed_ && options_.if_exists == IfExists::kFail) {
      return {common::Code::kAlreadyExists, label_ + ": table '" + options_.table +
                                                "' already exists (--if-exists fail); nothing was written"};
    }
    SLUICE_RETURN_IF_ERROR(drop_leftovers());

    if (options_.if_exists == IfExists::kAppend && target_existed_) {
      load_table_ = options_.table;
      SLUICE_RETURN_IF_ERROR(conn_->execute("START TRANSACTION"));
      in_transaction_ = true;
    } else {
      load_table_ = work_table_name(kStagingPrefix);
      std::string ddl = "CREATE TABLE " + mysql_quote_identifier(load_table_) + " (";
      for (size_t i = 0; i < schema.size(); ++i) {
        if (i) ddl += ", ";
        ddl += mysql_quote_identifier(schema[i].name) + " " + internal::mysql_column_type(schema[i].type);
      }
      staging_created_ = true;
      SLUICE_RETURN_IF_ERROR(conn_->execute(ddl + ") DEFAULT CHARSET=utf8mb4"));
    }

    column_list_ = "(";
    for (size_t i = 0; i < schema.size(); ++i) {
      column_list_ += (i ? ", " : "") + mysql_quote_identifier(schema[i].name);
    }
    column_list_ += ")";
    const std::string load_data = "LOAD DATA LOCAL INFILE 'sluice-etl rows' INTO TABLE " +
                                  mysql_quote_identifier(load_table_) + " CHARACTER SET utf8mb4 " +
                                  column_list_;
    // An empty LOAD DATA tells whether the server takes local infile at all, before any row is sent.
    InfileStream probe(*conn_, load_data, 1);
    probe.start();
    if (auto st = probe.finish(); !st) {
      const unsigned error = conn_->last_error_number();
      if (error != ER_NOT_ALLOWED_COMMAND && error != ER_LOAD_INFILE_CAPABILITY_DISABLED && error != 3948) {
        return st;
      }
      return begin_inserts();
    }
    stream_ = std::make_unique<InfileStream>(*conn_, load_data, kQueueChunks);
    stream_->start();
    return {};
  }

  common::Status write(const Batch& batch) override {
    if (stream_ == nullptr) return write_inserts(batch);
    std::string chunk;
    chunk.reserve(last_chunk_bytes_ + last_chunk_bytes_ / 8);
    SLUICE_RETURN_IF_ERROR(internal::append_infile_rows(schema_, batch, chunk));
    last_chunk_bytes_ = chunk.size();
    return stream_->push(std::move(chunk));
  }

  common::Status commit() override {
    if (stream_ != nullptr) {
      common::Status st = stream_->finish();
      stream_.reset();
      if (!st) {
        connection_suspect_ = true;
        return st;
      }
    } else {
      SLUICE_RETURN_IF_ERROR(flush_inserts());
    }
    if (in_transaction_) {
      SLUICE_RETURN_IF_ERROR(conn_->execute("COMMIT"));
      in_transaction_ = false;
      return release_lock();
    }
    // The swap. RENAME TABLE of several pairs is atomic, also across a crash of the server.
    const std::string target = mysql_quote_identifier(options_.table);
    const std::string staging = mysql_quote_identifier(load_table_);
    bool replace_existing = false;
    if (options_.if_exists == IfExists::kReplace) {
      auto exists = table_exists(options_.table);  // again: it may have been created or dropped meanwhile
      if (!exists) return exists.status();
      replace_existing = exists.value();
    }
    std::string old;
    if (replace_existing) {
      old = work_table_name(kOldPrefix);
      if (auto st = conn_->execute("RENAME TABLE " + target + " TO " + mysql_quote_identifier(old) + ", " +
                                   staging + " TO " + target);
          !st) {
        return st;
      }
    } else if (auto st = conn_->execute("RENAME TABLE " + staging + " TO " + target); !st) {
      if (st.code() == common::Code::kAlreadyExists) {
        return {common::Code::kAlreadyExists, label_ + ": table '" + options_.table +
                                                  "' was created by someone else during the load; nothing "
                                                  "was written"};
      }
      return st;
    }
    staging_created_ = false;
    if (!old.empty()) {
      // The new table is in place: a failure to drop the old one only leaves a leftover for the next run.
      if (auto st = conn_->execute("DROP TABLE IF EXISTS " + mysql_quote_identifier(old)); !st) {
        std::fprintf(stderr, "sluice-etl: note: %s; the next run will drop it\n", st.message().c_str());
      }
    }
    return release_lock();
  }

  void abort() override {
    if (stream_ != nullptr) {
      stream_->cancel();
      stream_.reset();
      connection_suspect_ = true;
    }
    if (!in_transaction_ && !staging_created_) return;
    if (connection_suspect_) {
      // A cancelled or failed LOAD DATA may leave the protocol out of step: closing the connection rolls
      // back its transaction; a fresh one drops the staging table.
      conn_.reset();
      in_transaction_ = false;
    }
    if (conn_ != nullptr && in_transaction_) {
      if (!conn_->execute("ROLLBACK")) conn_.reset();  // gone: the server rolls back on its own
      in_transaction_ = false;
    }
    if (!staging_created_) return;
    staging_created_ = false;
    const std::string drop = "DROP TABLE IF EXISTS " + mysql_quote_identifier(load_table_);
    if (conn_ != nullptr && conn_->execute(drop)) return;
    auto fresh = MysqlConnection::open(connect_, label_, 0);
    if (fresh) {
      conn_ = std::move(fresh.value());
      if (conn_->execute(drop)) return;
    }
    // The server is unreachable: the next run recognises the table by its name and drops it.
  }

 private:
  std::string work_table_name(std::string_view prefix) const {
    return std::string(prefix) + table_part(options_.table) + "_" + std::to_string(run_);
  }

  // Asks the server itself, so that its rules for names (case, lower_case_table_names) apply.
  common::Result<bool> table_exists(const std::string& name) {
    auto st = conn_->execute("SELECT 1 FROM " + mysql_quote_identifier(name) + " LIMIT 0");
    if (st) return true;
    if (conn_->last_error_number() == ER_NO_SUCH_TABLE) return false;
    return st;
  }

  // Drops the staging and old tables that earlier runs of this table left behind, unless their run still
  // holds its lock (it is loading now).
  common::Status drop_leftovers() {
    auto tables = conn_->query(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
        "TABLE_NAME LIKE '!_sluice!_%' ESCAPE '!'");
    if (!tables) return tables.status();
    for (const auto& row : tables.value()) {
      const std::string name = row.empty() ? "" : row[0].value_or("");
      const uint64_t run = work_table_run(name, options_.table);
      if (run == 0 || run == run_) continue;
      const std::string lock = conn_->quote(lock_name(run));
      auto got = conn_->query("SELECT GET_LOCK(" + lock + ", " + std::to_string(kLeftoverLockWaitS) + ")");
      if (!got) return got.status();
      if (got.value().empty() || got.value()[0].empty() || got.value()[0][0] != "1") continue;
      common::Status dropped = conn_->execute("DROP TABLE IF EXISTS " + mysql_quote_identifier(name));
      (void)conn_->query("SELECT RELEASE_LOCK(" + lock + ")");
      SLUICE_RETURN_IF_ERROR(dropped);
    }
    return {};
  }

  common::Status release_lock() {
    (void)conn_->query("SELECT RELEASE_LOCK(" + conn_->quote(lock_name(run_)) + ")");
    return {};
  }

  common::Status begin_inserts() {
    std::fprintf(stderr,
                 "sluice-etl: note: the server refuses LOAD DATA LOCAL INFILE (local_infile=OFF); loading "
                 "with multi-row INSERTs, which is slower\n");
    auto packet = conn_->query("SELECT @@max_allowed_packet");
    if (!packet) return packet.status();
    size_t max_packet = 1u << 20;
    if (!packet.value().empty() && !packet.value()[0].empty() && packet.value()[0][0]) {
      max_packet = std::stoull(*packet.value()[0][0]);
    }
    // Room for the packet header and the server's own bookkeeping.
    max_insert_bytes_ = std::min(kMaxInsertBytes, max_packet > 4096 ? max_packet - 1024 : max_packet / 2);
    insert_prefix_ = "INSERT INTO " + mysql_quote_identifier(load_table_) + " " + column_list_ + " VALUES ";
    insert_.clear();
    return {};
  }

  common::Status write_inserts(const Batch& batch) {
    std::string row;
    char digits[24];
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      row.assign("(");
      for (size_t c = 0; c < batch.columns.size(); ++c) {
        if (c) row += ',';
        const Value& value = batch.columns[c][r];
        switch (value.index()) {
          case 1: {
            const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, std::get<int64_t>(value));
            row.append(digits, end);
            break;
          }
          case 2: {
            const double d = std::get<double>(value);
            if (std::isnan(d)) {
              row += "NULL";
            } else if (std::isinf(d)) {
              return common::invalid_input("column '" + schema_[c].name + "', source row " +
                                           std::to_string(batch.source_rows[r]) +
                                           ": an infinite number cannot be stored in MySQL/MariaDB");
            } else {
              internal::append_double(row, d);
            }
            break;
          }
          case 3:
            row += std::get<bool>(value) ? '1' : '0';
            break;
          case 4:
            conn_->append_quoted(row, std::get<std::string>(value));
            break;
          case 5:
            conn_->append_quoted(row, internal::mysql_datetime_text(std::get<DateTime>(value)));
            break;
          default:
            row += "NULL";
            break;
        }
      }
      row += ')';
      if (insert_prefix_.size() + row.size() > max_insert_bytes_) {
        return {common::Code::kResourceExhausted,
                label_ + ": source row " + std::to_string(batch.source_rows[r]) + " needs an INSERT of " +
                    std::to_string(insert_prefix_.size() + row.size()) +
                    " bytes, more than the server's max_allowed_packet allows"};
      }
      if (!insert_.empty() && insert_.size() + 1 + row.size() > max_insert_bytes_) {
        SLUICE_RETURN_IF_ERROR(flush_inserts());
      }
      if (insert_.empty()) {
        insert_ = insert_prefix_;
      } else {
        insert_ += ',';
      }
      insert_ += row;
    }
    return {};
  }

  common::Status flush_inserts() {
    if (insert_.empty()) return {};
    common::Status st = conn_->execute(insert_);
    insert_.clear();
    if (!st) return st;
    if (conn_->warning_count() > 0) {
      return common::invalid_input(
          label_ + ": the server changed or refused values while loading: " + conn_->warnings_text());
    }
    return {};
  }

  std::string label_;
  internal::MysqlConnectOptions connect_;
  SinkOptions options_;
  std::unique_ptr<MysqlConnection> conn_;
  Schema schema_;
  uint64_t run_ = 0;
  bool target_existed_ = false;
  std::string load_table_;
  std::string column_list_;
  bool in_transaction_ = false;
  bool staging_created_ = false;
  bool connection_suspect_ = false;
  std::unique_ptr<InfileStream> stream_;
  size_t last_chunk_bytes_ = 0;
  // The INSERT path.
  std::string insert_prefix_;
  std::string insert_;
  size_t max_insert_bytes_ = 0;
};

}  // namespace

namespace internal {
common::Result<std::unique_ptr<Sink>> open_mysql_sink(const std::string& url, const SinkOptions& options) {
  auto connect = parse_mysql_url(url);
  if (!connect) return connect.status();
  auto sink = std::make_unique<MysqlSink>(redact_url(url), std::move(connect.value()), options);
  SLUICE_RETURN_IF_ERROR(sink->open());
  return std::unique_ptr<Sink>(std::move(sink));
}
}  // namespace internal

}  // namespace sluice::etl
