// The PostgreSQL target, through libpq. The whole load is one transaction:
//   BEGIN; an advisory lock on the target's name (two loads of one table queue up instead of interleaving);
//   DROP TABLE IF EXISTS the staging table a crashed run of an older version could have left;
//   CREATE TABLE "_sluice_staging_<table>"; COPY it FROM STDIN (text format, 1 MiB messages);
//   DROP TABLE IF EXISTS target; ALTER TABLE staging RENAME TO target; COMMIT.
// PostgreSQL's DDL is transactional, so until COMMIT no other session sees any of it, and a lost connection,
// a terminated backend, a full disk or kill -9 of this process rolls all of it back: the previous table stays
// exactly as it was. `append` copies into the target (created if missing) in one transaction; `fail` refuses
// an existing table before anything is written.
#include <libpq-fe.h>

#include <cstring>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "etl/sink/postgres_connection.h"
#include "etl/sink/postgres_copy_text.h"
#include "etl/sink/sink.h"

namespace sluice::etl {
namespace {

using internal::clean_message;

// PostgreSQL truncates longer names (NAMEDATALEN - 1), which could make two names one.
constexpr size_t kMaxNameBytes = 63;
// Rows are sent in CopyData messages of about this size: big enough that per-message costs vanish.
constexpr size_t kCopyChunkBytes = 1 << 20;
// First key of the advisory lock, so that ours do not collide with an application's single-key locks.
constexpr int kAdvisoryLockSpace = 0x51ce;

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

// The longest prefix of text of at most max bytes that does not split a UTF-8 sequence.
std::string utf8_prefix(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return text.substr(0, n);
}

common::Code code_for_sqlstate(const std::string& state) {
  const std::string cls = state.substr(0, 2);
  if (cls == "08" || cls == "57" || cls == "40" || cls == "55" || state == "42501") {
    return common::Code::kUnavailable;  // connection, shutdown/termination, conflicts, locks, permissions
  }
  if (cls == "53") return common::Code::kResourceExhausted;  // disk full, out of memory, too many connections
  if (cls == "22" || cls == "23") return common::Code::kInvalidInput;
  return common::Code::kInvalidArgument;
}

class PostgresSink final : public Sink {
 public:
  PostgresSink(internal::PgConnectSpec spec, SinkOptions options)
      : spec_(std::move(spec)), options_(std::move(options)), encoder_(Schema{}) {}
  ~PostgresSink() override { abort(); }

  common::Status open() {
    SLUICE_RETURN_IF_ERROR(check_name("table", options_.table));
    staging_ = utf8_prefix("_sluice_staging_" + options_.table, kMaxNameBytes);
    if (staging_ == options_.table) {
      return common::invalid_argument(spec_.display + ": table name '" + options_.table +
                                      "' is the name of sluice's staging table; choose another");
    }
    auto conn = internal::postgres_connect(spec_, options_.connect_retries);
    if (!conn) return conn.status();
    conn_ = std::move(conn.value());

    schema_name_ = spec_.schema;
    if (schema_name_.empty()) {
      PgResult r(PQexec(conn_.get(), "SELECT current_schema()"));
      SLUICE_RETURN_IF_ERROR(check(r.get(), PGRES_TUPLES_OK, "cannot read the current schema"));
      if (PQntuples(r.get()) != 1 || PQgetisnull(r.get(), 0, 0)) {
        return common::invalid_argument(spec_.display +
                                        ": no schema of the search_path exists; name one with "
                                        "?schema=NAME");
      }
      schema_name_ = PQgetvalue(r.get(), 0, 0);
    }
    target_sql_ = quote(schema_name_) + "." + quote(options_.table);
    staging_sql_ = quote(schema_name_) + "." + quote(staging_);
    return {};
  }

  common::Status begin(const Schema& schema) override {
    auto st = start_load(schema);
    if (!st.is_ok()) abort();
    return st;
  }

  common::Status write(const Batch& batch) override {
    if (state_ != State::kCopying) return common::internal_error(spec_.display + ": write() outside a load");
    const size_t rows = batch.num_rows();
    for (size_t r = 0; r < rows; ++r) {
      if (auto st = encoder_.append_row(batch, r, buffer_); !st.is_ok()) {
        return {st.code(), spec_.display + ": table '" + options_.table + "': " + st.message()};
      }
      if (buffer_.size() >= kCopyChunkBytes) SLUICE_RETURN_IF_ERROR(send_buffer());
    }
    rows_sent_ += rows;
    return {};
  }

  common::Status commit() override {
    if (state_ != State::kCopying) return common::internal_error(spec_.display + ": commit() outside a load");
    SLUICE_RETURN_IF_ERROR(send_buffer());
    if (PQputCopyEnd(conn_.get(), nullptr) != 1) return lost("finishing the load");
    state_ = State::kInTransaction;
    {
      PgResult r(PQgetResult(conn_.get()));
      SLUICE_RETURN_IF_ERROR(check(r.get(), PGRES_COMMAND_OK, "cannot load the rows"));
      const std::string copied = PQcmdTuples(r.get());
      if (copied != std::to_string(rows_sent_)) {
        return common::internal_error(spec_.display + ": sent " + std::to_string(rows_sent_) +
                                      " rows but the server copied " + copied);
      }
      drain();
    }
    if (options_.if_exists == IfExists::kReplace) {
      SLUICE_RETURN_IF_ERROR(exec("DROP TABLE IF EXISTS " + target_sql_, "cannot drop the previous table"));
      SLUICE_RETURN_IF_ERROR(exec("ALTER TABLE " + staging_sql_ + " RENAME TO " + quote(options_.table),
                                  "cannot rename the staging table"));
    }
    PgResult r(PQexec(conn_.get(), "COMMIT"));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK || std::strcmp(PQcmdStatus(r.get()), "COMMIT") != 0) {
      const bool connection_lost = PQstatus(conn_.get()) == CONNECTION_BAD;
      state_ = State::kIdle;
      if (connection_lost) {
        return common::unavailable(spec_.display + ": connection lost while committing; table '" +
                                   options_.table + "' is either the previous one or the new one, whole: " +
                                   clean_message(PQerrorMessage(conn_.get()), spec_.password));
      }
      return error_from(r.get(), "cannot commit");
    }
    state_ = State::kIdle;
    return {};
  }

  void abort() override {
    if (conn_ == nullptr) return;
    if (state_ == State::kCopying && PQstatus(conn_.get()) == CONNECTION_OK) {
      PQputCopyEnd(conn_.get(), "load aborted by sluice-etl");
      drain();
    }
    if (state_ != State::kIdle && PQstatus(conn_.get()) == CONNECTION_OK) {
      PgResult r(PQexec(conn_.get(), "ROLLBACK"));
    }
    state_ = State::kIdle;
    buffer_.clear();
  }

 private:
  enum class State { kIdle, kInTransaction, kCopying };

  common::Status start_load(const Schema& schema) {
    if (state_ != State::kIdle) return common::internal_error(spec_.display + ": begin() called twice");
    for (const Field& f : schema) SLUICE_RETURN_IF_ERROR(check_name("column", f.name));
    encoder_ = internal::CopyTextEncoder(schema);
    rows_sent_ = 0;
    buffer_.clear();

    SLUICE_RETURN_IF_ERROR(exec("BEGIN", "cannot start a transaction"));
    state_ = State::kInTransaction;
    SLUICE_RETURN_IF_ERROR(
        exec_params("SELECT pg_advisory_xact_lock(" + std::to_string(kAdvisoryLockSpace) + ", hashtext($1))",
                    {schema_name_ + "." + options_.table}, "cannot lock the target's name"));
    SLUICE_RETURN_IF_ERROR(
        exec("DROP TABLE IF EXISTS " + staging_sql_, "cannot drop a leftover staging table"));
    auto exists = table_exists();
    if (!exists) return exists.status();
    if (exists.value() && options_.if_exists == IfExists::kFail) {
      return {common::Code::kAlreadyExists, spec_.display + ": table '" + options_.table +
                                                "' already exists (--if-exists fail); nothing was written"};
    }
    std::string load_sql = target_sql_;
    if (options_.if_exists == IfExists::kReplace) load_sql = staging_sql_;
    bool created = false;
    if (options_.if_exists == IfExists::kReplace || !exists.value()) {
      std::string ddl = "CREATE TABLE " + load_sql + " (";
      for (size_t i = 0; i < schema.size(); ++i) {
        ddl += (i ? ", " : "") + quote(schema[i].name) + " " + internal::postgres_sql_type(schema[i].type);
      }
      SLUICE_RETURN_IF_ERROR(exec(ddl + ")", "cannot create the table"));
      created = true;
    }
    std::string copy = "COPY " + load_sql + " (";
    for (size_t i = 0; i < schema.size(); ++i) copy += (i ? ", " : "") + quote(schema[i].name);
    // FREEZE writes the rows already frozen and all-visible (no hint-bit rewrite or vacuum freeze later);
    // allowed only into a table created in this transaction, which no other session can see yet.
    copy += created ? ") FROM STDIN WITH (FREEZE)" : ") FROM STDIN";
    PgResult r(PQexec(conn_.get(), copy.c_str()));
    SLUICE_RETURN_IF_ERROR(check(r.get(), PGRES_COPY_IN, "cannot start COPY"));
    state_ = State::kCopying;
    return {};
  }

  common::Result<bool> table_exists() {
    const char* sql =
        "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = $1 AND c.relname = $2";
    const char* params[] = {schema_name_.c_str(), options_.table.c_str()};
    PgResult r(PQexecParams(conn_.get(), sql, 2, nullptr, params, nullptr, nullptr, 0));
    SLUICE_RETURN_IF_ERROR(check(r.get(), PGRES_TUPLES_OK, "cannot look the table up"));
    return PQntuples(r.get()) > 0;
  }

  common::Status send_buffer() {
    if (buffer_.empty()) return {};
    if (PQputCopyData(conn_.get(), buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
      return lost("loading");
    }
    buffer_.clear();
    return {};
  }

  // A failure while streaming: the server's own error if it sent one (e.g. "terminating connection due to
  // administrator command"), else libpq's account of the connection.
  common::Status lost(const std::string& when) {
    auto [code, message] = describe(nullptr);
    if (PQstatus(conn_.get()) == CONNECTION_OK) PQputCopyEnd(conn_.get(), "load aborted by sluice-etl");
    // Even on a broken connection the server's last words may be in libpq's input buffer.
    PQconsumeInput(conn_.get());
    for (int i = 0; i < 8; ++i) {
      PgResult r(PQgetResult(conn_.get()));
      if (r == nullptr || PQresultStatus(r.get()) == PGRES_COPY_IN) break;
      if (PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) != nullptr)
        std::tie(code, message) = describe(r.get());
    }
    state_ = State::kInTransaction;
    return {code,
            spec_.display + ": " + when + " failed; table '" + options_.table + "' is unchanged: " + message};
  }

  void drain() {
    for (int i = 0; i < 16; ++i) {
      PgResult r(PQgetResult(conn_.get()));
      if (r == nullptr || PQresultStatus(r.get()) == PGRES_COPY_IN) break;
    }
  }

  common::Status exec(const std::string& sql, const char* what) {
    PgResult r(PQexec(conn_.get(), sql.c_str()));
    return check(r.get(), PGRES_COMMAND_OK, what);
  }

  common::Status exec_params(const std::string& sql, const std::vector<std::string>& args, const char* what) {
    std::vector<const char*> values;
    for (const auto& a : args) values.push_back(a.c_str());
    PgResult r(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                            nullptr, nullptr, 0));
    return check(r.get(), PGRES_TUPLES_OK, what);
  }

  common::Status check(const PGresult* r, ExecStatusType want, const char* what) {
    if (r != nullptr && PQresultStatus(r) == want) return {};
    return error_from(r, what);
  }

  // "DISPLAY: WHAT: message" with a canonical code.
  common::Status error_from(const PGresult* r, const std::string& what) {
    auto [code, message] = describe(r);
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    const bool session_ended =
        PQstatus(conn_.get()) == CONNECTION_BAD ||
        (state && (std::strncmp(state, "08", 2) == 0 || std::strncmp(state, "57P", 3) == 0));
    if (session_ended && state_ != State::kIdle) {
      message = "connection lost; table '" + options_.table + "' is unchanged: " + message;
    } else if (session_ended) {
      message = "connection lost: " + message;
    }
    return {code, spec_.display + ": " + what + ": " + message};
  }

  // The server's error in r ("primary message; detail; hint: ...; where: ... (SQLSTATE xxxxx)") with a code
  // from its SQLSTATE, or, without one, libpq's account of the connection.
  std::pair<common::Code, std::string> describe(const PGresult* r) {
    if (r == nullptr || PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) == nullptr) {
      std::string message = clean_message(PQerrorMessage(conn_.get()), spec_.password);
      if (PQstatus(conn_.get()) == CONNECTION_BAD) return {common::Code::kUnavailable, message};
      return {common::Code::kInternal, message.empty() ? "no result from the server" : message};
    }
    std::string message = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    for (auto [field, label] :
         {std::pair{PG_DIAG_MESSAGE_DETAIL, ""}, std::pair{PG_DIAG_MESSAGE_HINT, "hint: "},
          std::pair{PG_DIAG_CONTEXT, "where: "}}) {
      if (const char* text = PQresultErrorField(r, field)) message += std::string("; ") + label + text;
    }
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const std::string sqlstate = state ? state : "";
    if (!sqlstate.empty()) message += " (SQLSTATE " + sqlstate + ")";
    const common::Code code =
        PQstatus(conn_.get()) == CONNECTION_BAD ? common::Code::kUnavailable : code_for_sqlstate(sqlstate);
    return {code, clean_message(message, spec_.password)};
  }

  common::Status check_name(const char* kind, const std::string& name) const {
    std::string escaped;
    const char* problem = name.empty()                  ? "is empty"
                          : name.size() > kMaxNameBytes ? "is longer than 63 bytes, PostgreSQL's limit"
                          : !internal::append_copy_text(name, escaped) ? "holds a NUL byte or invalid UTF-8"
                                                                       : nullptr;
    if (problem == nullptr) return {};
    return common::invalid_argument(spec_.display + ": " + kind + " name '" + name + "' " + problem);
  }

  std::string quote(const std::string& name) {
    char* quoted = PQescapeIdentifier(conn_.get(), name.data(), name.size());
    if (quoted == nullptr) return "\"\"";  // only on out of memory or invalid encoding; the server refuses it
    std::string out = quoted;
    PQfreemem(quoted);
    return out;
  }

  internal::PgConnectSpec spec_;
  SinkOptions options_;
  internal::PgConn conn_;
  internal::CopyTextEncoder encoder_;
  std::string staging_;
  std::string schema_name_;
  std::string target_sql_;   // "schema"."table"
  std::string staging_sql_;  // "schema"."_sluice_staging_table"
  std::string buffer_;
  uint64_t rows_sent_ = 0;
  State state_ = State::kIdle;
};

}  // namespace

namespace internal {
common::Result<std::unique_ptr<Sink>> open_postgres_sink(const std::string& url, const SinkOptions& options) {
  auto spec = postgres_connect_spec(url);
  if (!spec) return spec.status();
  auto sink = std::make_unique<PostgresSink>(std::move(spec.value()), options);
  SLUICE_RETURN_IF_ERROR(sink->open());
  return std::unique_ptr<Sink>(std::move(sink));
}
}  // namespace internal

}  // namespace sluice::etl
