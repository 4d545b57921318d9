#pragma once
// Connecting to PostgreSQL for the sink. A postgresql:// (or postgres://) URL becomes libpq keyword/value
// pairs handed to PQconnectdbParams, never a conninfo string, so no value is re-parsed and the password is
// never part of any text. The URL's query parameters are libpq's own (sslmode, sslrootcert, connect_timeout,
// application_name, ...), plus `schema`, which is sluice's.
#include <libpq-fe.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::etl::internal {

struct PgConnectSpec {
  std::vector<std::string> keywords;  // parallel to values, libpq's names
  std::vector<std::string> values;
  std::string schema;    // ?schema=; empty: the connection's current_schema()
  std::string display;   // the URL for messages: password redacted, query dropped
  std::string password;  // only to scrub it from any text that might quote it
};

// Parses and checks the URL: the scheme, that every query parameter is a libpq connection keyword (or
// `schema`), that none repeats a part of the URL or carries a password. Adds defaults the caller may
// override in the query: connect_timeout=10, TCP keepalives and tcp_user_timeout so that a vanished server
// is noticed within about a minute, and fallback_application_name=sluice-etl. client_encoding is always UTF8.
common::Result<PgConnectSpec> postgres_connect_spec(const std::string& url);

struct PgConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using PgConn = std::unique_ptr<PGconn, PgConnDeleter>;

// Connects, retrying a transient failure (refused, timed out, reset, server starting up or shutting down,
// too many clients) up to `retries` more times with exponential backoff starting at 250 ms and capped at
// 8 s. Authentication, certificate and missing-database failures are reported at once. The connection's
// notices (e.g. "table does not exist, skipping") are discarded instead of printed to stderr.
common::Result<PgConn> postgres_connect(const PgConnectSpec& spec, int retries);

// Whether a libpq connection failure message describes a condition that may clear up by itself.
bool is_transient_connect_failure(const std::string& message);

// text with every occurrence of password replaced by "***", and libpq's multi-line messages on one line.
std::string clean_message(std::string text, const std::string& password);

}  // namespace sluice::etl::internal
