#include "etl/sink/postgres_connection.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>
#include <thread>

#include "etl/sink/database_url.h"
#include "etl/sink/sink.h"

namespace sluice::etl::internal {
namespace {

std::set<std::string> libpq_keywords() {
  std::set<std::string> out;
  if (PQconninfoOption* options = PQconndefaults()) {
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) out.insert(o->keyword);
    PQconninfoFree(options);
  }
  return out;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

void ignore_notice(void*, const char*) {}

}  // namespace

common::Result<PgConnectSpec> postgres_connect_spec(const std::string& url) {
  auto parsed = parse_database_url(url);
  if (!parsed) return parsed.status();
  const DatabaseUrl& u = parsed.value();
  PgConnectSpec spec;
  const std::string shown = redact_url(url);
  spec.display = shown.substr(0, shown.find('?'));
  spec.password = u.password;
  auto bad = [&](const std::string& what) {
    return common::invalid_argument("target '" + spec.display + "': " + what);
  };
  if (u.scheme != "postgresql" && u.scheme != "postgres") {
    return bad("expected postgresql://user:password@host:port/database");
  }
  auto add = [&](const std::string& keyword, const std::string& value) {
    spec.keywords.push_back(keyword);
    spec.values.push_back(value);
  };
  if (!u.host.empty()) add("host", u.host);
  if (u.port != 0) add("port", std::to_string(u.port));
  if (!u.user.empty()) add("user", u.user);
  if (!u.password.empty()) add("password", u.password);
  if (!u.database.empty()) add("dbname", u.database);

  // Defaults first: a query parameter of the same name comes later and so wins in PQconnectdbParams.
  add("connect_timeout", "10");
  add("keepalives_idle", "30");
  add("keepalives_interval", "10");
  add("keepalives_count", "3");
  add("tcp_user_timeout", "60000");
  add("fallback_application_name", "sluice-etl");

  static const std::set<std::string> known = libpq_keywords();
  for (const auto& [key, value] : u.params) {
    if (key == "schema") {
      if (value.empty()) return bad("?schema= needs a schema name");
      spec.schema = value;
      continue;
    }
    if (key == "password") {
      // The query is shown in logs far more often than the user part; keep the secret where it is redacted.
      return bad(
          "give the password in the user:password@ part of the URL (percent-encoded), not as ?password=");
    }
    if (key == "client_encoding") return bad("?client_encoding= is not needed: sluice always sends UTF-8");
    if ((key == "host" && !u.host.empty()) || (key == "port" && u.port != 0) ||
        (key == "user" && !u.user.empty()) || (key == "dbname" && !u.database.empty())) {
      return bad("'" + key + "' is given both in the URL and as ?" + key + "=");
    }
    if (!known.contains(key)) {
      return bad("unknown parameter '" + key +
                 "' (expected schema or a libpq connection parameter such as sslmode, sslrootcert, "
                 "connect_timeout, application_name)");
    }
    add(key, value);
  }
  add("client_encoding", "UTF8");
  return spec;
}

bool is_transient_connect_failure(const std::string& message) {
  const std::string m = lower(message);
  // libpq reports one failure per address tried: a refused ::1 may precede a real refusal by 127.0.0.1.
  for (const char* permanent : {"authentication failed", "does not exist", "pg_hba.conf", "certificate",
                                "ssl error", "permission denied", "does not support ssl", "invalid "}) {
    if (m.find(permanent) != std::string::npos) return false;
  }
  for (const char* transient :
       {"connection refused", "timeout expired", "timed out", "is starting up", "is shutting down",
        "in recovery mode", "not yet accepting connections", "too many clients",
        "connection slots are reserved", "closed the connection unexpectedly", "connection reset",
        "could not receive data", "could not send data", "temporary failure in name resolution",
        "no route to host", "network is unreachable", "eof detected"}) {
    if (m.find(transient) != std::string::npos) return true;
  }
  return false;
}

std::string clean_message(std::string text, const std::string& password) {
  if (!password.empty()) {
    for (size_t at = text.find(password); at != std::string::npos; at = text.find(password, at + 3)) {
      text.replace(at, password.size(), "***");
    }
  }
  // libpq indents continuation lines, and repeats a failure when it retries without TLS (sslmode=prefer).
  std::string out, previous;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    size_t first = start, last = end;
    while (first < last && std::isspace(static_cast<unsigned char>(text[first]))) ++first;
    while (last > first && std::isspace(static_cast<unsigned char>(text[last - 1]))) --last;
    std::string line = text.substr(first, last - first);
    if (!line.empty() && line != previous) {
      out += (out.empty() ? "" : "; ") + line;
      previous = std::move(line);
    }
    start = end + 1;
  }
  return out;
}

common::Result<PgConn> postgres_connect(const PgConnectSpec& spec, int retries) {
  std::vector<const char*> keywords, values;
  for (size_t i = 0; i < spec.keywords.size(); ++i) {
    keywords.push_back(spec.keywords[i].c_str());
    values.push_back(spec.values[i].c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  auto delay = std::chrono::milliseconds(250);
  const int attempts = 1 + std::max(0, retries);
  for (int attempt = 1;; ++attempt) {
    // expand_dbname = 0: a database name is a name, never a conninfo string to be parsed.
    PgConn conn(PQconnectdbParams(keywords.data(), values.data(), 0));
    if (conn == nullptr)
      return common::Status(common::Code::kResourceExhausted, spec.display + ": out of memory");
    if (PQstatus(conn.get()) == CONNECTION_OK) {
      PQsetNoticeProcessor(conn.get(), ignore_notice, nullptr);
      return conn;
    }
    const std::string message = clean_message(PQerrorMessage(conn.get()), spec.password);
    if (attempt >= attempts || !is_transient_connect_failure(message)) {
      const std::string tries = attempt > 1 ? " after " + std::to_string(attempt) + " attempts" : "";
      return common::unavailable(spec.display + ": cannot connect" + tries + ": " + message);
    }
    conn.reset();
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(8000));
  }
}

}  // namespace sluice::etl::internal
