#include "etl/sink/mysql_connection.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <thread>

#include "etl/sink/database_url.h"
#include "etl/sink/sink.h"

namespace sluice::etl::internal {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

common::Result<SslMode> parse_ssl_mode(const std::string& text) {
  const std::string mode = lower(text);
  if (mode == "disabled") return SslMode::kDisabled;
  if (mode == "preferred") return SslMode::kPreferred;
  if (mode == "required") return SslMode::kRequired;
  if (mode == "verify-ca" || mode == "verify_ca") return SslMode::kVerifyCa;
  if (mode == "verify-identity" || mode == "verify_identity") return SslMode::kVerifyIdentity;
  return common::invalid_argument(
      "ssl-mode '" + text + "' is not one of disabled, preferred, required, verify-ca, verify-identity");
}

// The system's CA directory, trusted by the verify modes when the URL names no ssl-ca (a managed server's
// certificate chains to a public CA).
constexpr const char* kSystemCaPath = "/etc/ssl/certs";

bool verifies(SslMode mode) { return mode == SslMode::kVerifyCa || mode == SslMode::kVerifyIdentity; }

// Sets the client options for one attempt; returns false when libmariadb refuses one.
bool set_options(MYSQL* mysql, const MysqlConnectOptions& o) {
  const unsigned timeout = o.connect_timeout_s;
  const unsigned local_infile = 1;
  bool ok = mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout) == 0 &&
            mysql_options(mysql, MYSQL_OPT_LOCAL_INFILE, &local_infile) == 0 &&
            mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4") == 0;
  if (o.ssl_mode == SslMode::kDisabled) return ok;
  // Asking for TLS (MYSQL_OPT_SSL_ENFORCE makes libmariadb request it even with no CA or certificate given).
  // Whether it was actually negotiated is checked after the handshake: without certificate verification the
  // library would quietly continue in plain text with a server that offers none.
  const my_bool request_tls = 1;
  const my_bool verify_identity = o.ssl_mode == SslMode::kVerifyIdentity;
  ok = ok && mysql_options(mysql, MYSQL_OPT_SSL_ENFORCE, &request_tls) == 0;
  ok = ok && mysql_options(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify_identity) == 0;
  if (verifies(o.ssl_mode)) {
    // A CA file or directory is what makes libmariadb check the chain (SSL_VERIFY_PEER).
    if (!o.ssl_ca.empty()) ok = ok && mysql_options(mysql, MYSQL_OPT_SSL_CA, o.ssl_ca.c_str()) == 0;
    const std::string capath = o.ssl_capath.empty() && o.ssl_ca.empty() ? kSystemCaPath : o.ssl_capath;
    if (!capath.empty()) ok = ok && mysql_options(mysql, MYSQL_OPT_SSL_CAPATH, capath.c_str()) == 0;
  }
  if (!o.ssl_cert.empty()) ok = ok && mysql_options(mysql, MYSQL_OPT_SSL_CERT, o.ssl_cert.c_str()) == 0;
  if (!o.ssl_key.empty()) ok = ok && mysql_options(mysql, MYSQL_OPT_SSL_KEY, o.ssl_key.c_str()) == 0;
  return ok;
}

int refuse_init(void** state, const char*, void*) {
  *state = nullptr;
  return 1;
}
int refuse_read(void*, char*, unsigned int) { return -1; }
void refuse_end(void*) {}
int refuse_error(void*, char* message, unsigned int length) {
  std::snprintf(message, length, "sluice sends no local files except the rows it loads");
  return CR_UNKNOWN_ERROR;
}

const char* ssl_mode_name(SslMode mode) {
  switch (mode) {
    case SslMode::kDisabled:
      return "disabled";
    case SslMode::kPreferred:
      return "preferred";
    case SslMode::kRequired:
      return "required";
    case SslMode::kVerifyCa:
      return "verify-ca";
    case SslMode::kVerifyIdentity:
      return "verify-identity";
  }
  return "?";
}

}  // namespace

common::Result<MysqlConnectOptions> parse_mysql_url(const std::string& url) {
  auto parsed = parse_database_url(url);
  if (!parsed) return parsed.status();
  const DatabaseUrl& u = parsed.value();
  auto bad = [&](const std::string& what) {
    return common::invalid_argument("target '" + redact_url(url) + "': " + what);
  };
  if (u.scheme != "mysql" && u.scheme != "mariadb") return bad("expected mysql:// or mariadb://");
  MysqlConnectOptions o;
  o.host = u.host;
  o.port = u.port ? static_cast<unsigned>(u.port) : 3306;
  o.user = u.user;
  o.password = u.password;
  o.database = u.database;
  if (o.database.empty()) return bad("no database named (expected mysql://user:password@host:port/database)");
  for (const auto& [raw_key, value] : u.params) {
    std::string key = lower(raw_key);
    std::replace(key.begin(), key.end(), '_', '-');
    if (key == "ssl-mode" || key == "sslmode") {
      auto mode = parse_ssl_mode(value);
      if (!mode) return bad(mode.status().message());
      o.ssl_mode = mode.value();
    } else if (key == "ssl-ca") {
      o.ssl_ca = value;
    } else if (key == "ssl-capath") {
      o.ssl_capath = value;
    } else if (key == "ssl-cert") {
      o.ssl_cert = value;
    } else if (key == "ssl-key") {
      o.ssl_key = value;
    } else if (key == "socket") {
      o.socket = value;
    } else if (key == "connect-timeout") {
      if (value.empty() || value.size() > 5 ||
          !std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
        return bad("connect-timeout '" + value + "' is not a number of seconds");
      }
      o.connect_timeout_s = static_cast<unsigned>(std::stoi(value));
    } else {
      return bad("unknown parameter '" + raw_key +
                 "' (known: ssl-mode, ssl-ca, ssl-capath, ssl-cert, ssl-key, socket, connect-timeout)");
    }
  }
  return o;
}

bool is_transient_mysql_error(unsigned error_number) {
  switch (error_number) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_IPSOCK_ERROR:
    case CR_UNKNOWN_HOST:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_SERVER_HANDSHAKE_ERR:
    case ER_CON_COUNT_ERROR:
    case ER_SERVER_SHUTDOWN:
    case ER_OUT_OF_RESOURCES:
    case 1203:  // ER_TOO_MANY_USER_CONNECTIONS
    case 1927:  // ER_CONNECTION_KILLED
      return true;
    default:
      return false;
  }
}

common::Status mysql_status(unsigned error_number, const std::string& message, const std::string& label,
                            const std::string& what) {
  common::Code code = common::Code::kUnavailable;
  switch (error_number) {
    case ER_TABLE_EXISTS_ERROR:
      code = common::Code::kAlreadyExists;
      break;
    case ER_DISK_FULL:
    case ER_RECORD_FILE_FULL:
    case ER_OUTOFMEMORY:
    case ER_OUT_OF_RESOURCES:
    case ER_NET_PACKET_TOO_LARGE:
      code = common::Code::kResourceExhausted;
      break;
    case 1265:  // ER_WARN_DATA_TRUNCATED
    case 1366:  // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
    case ER_WARN_DATA_OUT_OF_RANGE:
    case ER_TRUNCATED_WRONG_VALUE:
    case ER_DATA_TOO_LONG:
      code = common::Code::kInvalidInput;
      break;
    default:
      break;
  }
  std::string text = label + ": " + what + ": " + message;
  if (error_number != 0) text += " (error " + std::to_string(error_number) + ")";
  return {code, text};
}

common::Result<std::unique_ptr<MysqlConnection>> MysqlConnection::open(const MysqlConnectOptions& options,
                                                                       const std::string& label,
                                                                       int retries) {
  const int attempts = 1 + std::max(0, retries);
  auto delay = std::chrono::milliseconds(500);
  common::Status last;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    MYSQL* mysql = mysql_init(nullptr);
    if (mysql == nullptr) return common::Status(common::Code::kResourceExhausted, label + ": out of memory");
    if (!set_options(mysql, options)) {
      mysql_close(mysql);
      return common::internal_error(label + ": the MySQL client library refused a connection option");
    }
    const bool local = options.host.empty() || options.host == "localhost";
    if (mysql_real_connect(mysql, local ? "localhost" : options.host.c_str(), options.user.c_str(),
                           options.password.c_str(), options.database.c_str(), options.port,
                           options.socket.empty() ? nullptr : options.socket.c_str(), 0) != nullptr) {
      auto connection = std::unique_ptr<MysqlConnection>(new MysqlConnection(mysql, label));
      connection->refuse_local_infile();
      if (options.ssl_mode != SslMode::kDisabled && options.ssl_mode != SslMode::kPreferred &&
          connection->tls_cipher().empty()) {
        return common::unavailable(label + ": the server did not negotiate TLS, which ssl-mode=" +
                                   ssl_mode_name(options.ssl_mode) + " requires");
      }
      return connection;
    }
    const unsigned number = mysql_errno(mysql);
    std::string what = "cannot connect";
    if (number == CR_SSL_CONNECTION_ERROR) {
      what += std::string(" (TLS, ssl-mode=") + ssl_mode_name(options.ssl_mode) + ")";
    }
    if (attempt > 1) what += " after " + std::to_string(attempt) + " attempts";
    last = mysql_status(number, mysql_error(mysql), label, what);
    mysql_close(mysql);
    if (!is_transient_mysql_error(number) || attempt == attempts) break;
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(8000));
  }
  return last;
}

MysqlConnection::~MysqlConnection() { mysql_close(mysql_); }

common::Status MysqlConnection::execute(const std::string& sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return last_error("statement failed");
  // Drain every result (a statement may return one, and the protocol needs them read).
  do {
    if (MYSQL_RES* result = mysql_store_result(mysql_)) mysql_free_result(result);
  } while (mysql_next_result(mysql_) == 0);
  if (mysql_errno(mysql_) != 0) return last_error("statement failed");
  return {};
}

common::Result<std::vector<MysqlConnection::Row>> MysqlConnection::query(const std::string& sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return last_error("query failed");
  MYSQL_RES* result = mysql_store_result(mysql_);
  if (result == nullptr) {
    if (mysql_errno(mysql_) != 0) return last_error("query failed");
    return std::vector<Row>{};
  }
  std::vector<Row> rows;
  const unsigned fields = mysql_num_fields(result);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    const unsigned long* lengths = mysql_fetch_lengths(result);
    Row out;
    for (unsigned i = 0; i < fields; ++i) {
      if (row[i] == nullptr) {
        out.emplace_back();
      } else {
        out.emplace_back(std::string(row[i], lengths[i]));
      }
    }
    rows.push_back(std::move(out));
  }
  mysql_free_result(result);
  return rows;
}

common::Status MysqlConnection::last_error(const std::string& what) const {
  return mysql_status(mysql_errno(mysql_), mysql_error(mysql_), label_, what);
}

unsigned MysqlConnection::last_error_number() const { return mysql_errno(mysql_); }

void MysqlConnection::append_quoted(std::string& out, std::string_view text) const {
  const size_t start = out.size();
  out.resize(start + 2 * text.size() + 3);
  out[start] = '\'';
  const unsigned long n = mysql_real_escape_string(mysql_, out.data() + start + 1, text.data(), text.size());
  out[start + 1 + n] = '\'';
  out.resize(start + n + 2);
}

std::string MysqlConnection::quote(std::string_view text) const {
  std::string out;
  append_quoted(out, text);
  return out;
}

unsigned MysqlConnection::warning_count() const { return mysql_warning_count(mysql_); }

std::string MysqlConnection::warnings_text() {
  auto rows = query("SHOW WARNINGS LIMIT 5");
  if (!rows) return "(the warnings could not be read: " + rows.status().message() + ")";
  std::string text;
  for (const Row& row : rows.value()) {
    if (row.size() < 3) continue;
    if (!text.empty()) text += "; ";
    text += row[0].value_or("") + " " + row[1].value_or("") + ": " + row[2].value_or("");
  }
  return text;
}

void MysqlConnection::refuse_local_infile() {
  mysql_set_local_infile_handler(mysql_, &refuse_init, &refuse_read, &refuse_end, &refuse_error, nullptr);
}

uint64_t MysqlConnection::thread_id() const { return mysql_thread_id(mysql_); }

std::string MysqlConnection::tls_cipher() const {
  const char* cipher = mysql_get_ssl_cipher(mysql_);
  return cipher ? cipher : "";
}

}  // namespace sluice::etl::internal
