#pragma once
// One client connection to a MySQL or MariaDB server through libmariadb (MariaDB Connector/C), opened from a
// mysql:// or mariadb:// URL: TLS as ?ssl-mode= asks, transient failures retried with backoff, and every
// failure turned into a Status whose message names the target with its password redacted (the server's own
// messages never contain it). Not thread-safe: used by one thread at a time (the MySQL sink lends it to its
// loader thread for the length of a LOAD DATA statement).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

struct st_mysql;  // MYSQL, from <mysql.h>

namespace sluice::etl::internal {

// ?ssl-mode=, with the meanings MySQL's own clients give them.
enum class SslMode {
  kDisabled,        // plain text
  kPreferred,       // TLS when the server offers it, certificate not checked (the default)
  kRequired,        // TLS or no connection; certificate not checked
  kVerifyCa,        // TLS, and the certificate chains to ssl-ca (default: the system's CA store)
  kVerifyIdentity,  // kVerifyCa, and the certificate names the host connected to
};

struct MysqlConnectOptions {
  std::string host;  // empty or "localhost": the Unix socket (socket=, or the library's default)
  unsigned port = 3306;
  std::string user;
  std::string password;
  std::string database;
  std::string socket;
  SslMode ssl_mode = SslMode::kPreferred;
  std::string ssl_ca;      // PEM file of trusted CAs
  std::string ssl_capath;  // directory of trusted CAs; the system's for the verify modes without ssl-ca
  std::string ssl_cert;    // client certificate and key, for servers that require one
  std::string ssl_key;
  unsigned connect_timeout_s = 10;
};

// mysql://user:password@host:port/database?ssl-mode=verify-identity&ssl-ca=/path/ca.pem (also mariadb://).
// Parameters: ssl-mode, ssl-ca, ssl-capath, ssl-cert, ssl-key, socket, connect-timeout (seconds); '_' may
// stand for '-'. Unknown parameters are refused, so that a misspelt ssl-mode cannot silently weaken TLS.
common::Result<MysqlConnectOptions> parse_mysql_url(const std::string& url);

// Whether a client or server error number means "try again later": cannot reach the host or socket, the
// connection dropped during the handshake, too many connections, the server shutting down or starting.
bool is_transient_mysql_error(unsigned error_number);

class MysqlConnection {
 public:
  // Connects, retrying transient failures up to `retries` times with exponential backoff (0.25 s doubling,
  // at most 4 s between attempts). `label` names the target in messages: pass redact_url(url).
  static common::Result<std::unique_ptr<MysqlConnection>> open(const MysqlConnectOptions& options,
                                                               const std::string& label, int retries);
  ~MysqlConnection();
  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;

  // Runs a statement; any result set is read and discarded.
  common::Status execute(const std::string& sql);
  // Runs a query and returns its rows, each value as text (nullopt for NULL).
  using Row = std::vector<std::optional<std::string>>;
  common::Result<std::vector<Row>> query(const std::string& sql);

  // The status for the last failed call on this connection: "LABEL: WHAT: server message (errno)", with a
  // code that says what kind of failure it was (kUnavailable for a lost or refused connection, a permission
  // or a server-side failure; kResourceExhausted for a full disk or table; kInvalidInput for a value the
  // server rejects; kAlreadyExists for a table that exists).
  common::Status last_error(const std::string& what) const;
  unsigned last_error_number() const;

  // 'text' quoted by the client library (mysql_real_escape_string, which follows the connection's
  // character set and NO_BACKSLASH_ESCAPES): safe for any bytes, NUL included.
  std::string quote(std::string_view text) const;
  void append_quoted(std::string& out, std::string_view text) const;

  // The number of warnings the last statement left, and their text ("Warning 1366: ...; ...").
  unsigned warning_count() const;
  std::string warnings_text();

  // Installs local-infile callbacks that refuse every file. A connection is opened with these, so that a
  // LOAD DATA LOCAL request from the server (a hostile one may send it in answer to any statement) can never
  // read a file from this machine; InfileStream swaps in its own for its statement and restores these.
  void refuse_local_infile();

  uint64_t thread_id() const;
  // The TLS cipher in use; empty for a plain-text connection.
  std::string tls_cipher() const;
  const std::string& label() const { return label_; }
  st_mysql* handle() { return mysql_; }

 private:
  MysqlConnection(st_mysql* mysql, std::string label) : mysql_(mysql), label_(std::move(label)) {}
  st_mysql* mysql_;
  std::string label_;
};

// The status for a libmariadb error number and message, as MysqlConnection::last_error builds it.
common::Status mysql_status(unsigned error_number, const std::string& message, const std::string& label,
                            const std::string& what);

}  // namespace sluice::etl::internal
