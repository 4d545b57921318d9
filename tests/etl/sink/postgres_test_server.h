#pragma once
// Helpers for the tests that need the throwaway PostgreSQL of scripts/services.d/postgresql: its URL from
// the environment, queries on a separate connection, and a TCP proxy that can refuse or cut connections.
// Header-only because the test binary is built from *_test.cpp files alone.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "etl/sink/postgres_connection.h"
#include "test_support/db_harness.h"

namespace sluice::etl::pgtest {

// $name, or "" when unset.
inline std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// See tests/test_support/db_harness.h: skipped on a bare `ctest`, failed under CI.
#define SLUICE_REQUIRE_POSTGRES() SLUICE_REQUIRE_DB_SERVER("SLUICE_TEST_POSTGRES_URL")

inline std::string server_url() { return env("SLUICE_TEST_POSTGRES_URL"); }

// url with "host:port" replaced by authority.
inline std::string with_authority(const std::string& url, const std::string& authority) {
  const size_t at = url.rfind('@');
  const size_t slash = url.find('/', at);
  return url.substr(0, at + 1) + authority + url.substr(slash);
}

// url + "?k=v" or "&k=v".
inline std::string with_param(const std::string& url, const std::string& param) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + param;
}

// The password in the test URL, decoded, to check that no message shows it.
inline std::string server_password() {
  auto spec = internal::postgres_connect_spec(server_url());
  return spec ? spec->password : "";
}

// A separate connection for checking what the sink did.
class Admin {
 public:
  explicit Admin(const std::string& url = server_url()) {
    if (url.empty()) return;  // no server configured: the test skips (SLUICE_REQUIRE_POSTGRES) or fails in CI
    auto spec = internal::postgres_connect_spec(url);
    EXPECT_TRUE(spec.is_ok()) << spec.status().message();
    if (!spec) return;
    auto conn = internal::postgres_connect(*spec, 2);
    EXPECT_TRUE(conn.is_ok()) << conn.status().message();
    if (conn) conn_ = std::move(conn.value());
  }
  PGconn* get() { return conn_.get(); }

  // Rows as "a|b|c" with NULL as "NULL"; a failure as one row "error: ...".
  std::vector<std::string> query(const std::string& sql, const std::vector<std::string>& params = {}) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    PGresult* r = PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
    std::vector<std::string> rows;
    const ExecStatusType status = PQresultStatus(r);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      rows.push_back(std::string("error: ") + PQresultErrorMessage(r));
    } else {
      for (int i = 0; i < PQntuples(r); ++i) {
        std::string row;
        for (int c = 0; c < PQnfields(r); ++c) {
          if (c) row += "|";
          row += PQgetisnull(r, i, c) ? std::string("NULL")
                                      : std::string(PQgetvalue(r, i, c), PQgetlength(r, i, c));
        }
        rows.push_back(row);
      }
    }
    PQclear(r);
    return rows;
  }

  void exec(const std::string& sql) {
    const auto rows = query(sql);
    if (!rows.empty()) {
      EXPECT_FALSE(rows[0].starts_with("error: ")) << sql << ": " << rows[0];
    }
  }

  // md5 of every row of the table in a stable order, or "missing".
  std::string checksum(const std::string& quoted_table) {
    const auto rows = query("SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM " +
                            quoted_table + " t");
    return rows.size() == 1 && !rows[0].starts_with("error") ? rows[0] : "missing";
  }

  // Names of the staging tables left for a table name.
  std::vector<std::string> staging_tables(const std::string& table) {
    return query("SELECT relname FROM pg_class WHERE relname = '_sluice_staging_' || $1", {table});
  }

 private:
  internal::PgConn conn_;
};

// Forwards TCP connections from an ephemeral port on 127.0.0.1 to the server, one at a time. It can refuse
// the first N connections (accept, then close at once: "server closed the connection unexpectedly") and cut
// a connection, both ways, once the client has sent more than a number of bytes.
class TcpProxy {
 public:
  TcpProxy(std::string target_host, int target_port, int refuse_first = 0, size_t cut_after_bytes = 0)
      : host_(std::move(target_host)),
        port_(target_port),
        refuse_(refuse_first),
        cut_after_(cut_after_bytes) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(listener_, 8);
    socklen_t len = sizeof addr;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    listen_port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~TcpProxy() {
    stop_ = true;
    thread_.join();
    close(listener_);
  }
  int port() const { return listen_port_; }
  int accepted() const { return accepted_; }
  bool cut() const { return cut_; }

 private:
  void run() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const int client = accept(listener_, nullptr, nullptr);
      if (client < 0) continue;
      ++accepted_;
      if (refuse_ > 0) {
        --refuse_;
        close(client);
        continue;
      }
      forward(client);
    }
  }

  void forward(int client) {
    const int server = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    inet_pton(AF_INET, host_.c_str(), &addr.sin_addr);
    if (connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      close(server);
      close(client);
      return;
    }
    size_t from_client = 0;
    char buf[65536];
    while (!stop_) {
      pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
      if (poll(fds, 2, 50) <= 0) continue;
      bool done = false;
      for (int i = 0; i < 2 && !done; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t n = read(fds[i].fd, buf, sizeof buf);
        if (n <= 0) {
          done = true;
          break;
        }
        if (i == 0) {
          from_client += static_cast<size_t>(n);
          if (cut_after_ > 0 && from_client > cut_after_) {
            cut_ = true;
            done = true;
            break;
          }
        }
        const int to = i == 0 ? server : client;
        for (ssize_t sent = 0; sent < n;) {
          const ssize_t w = write(to, buf + sent, static_cast<size_t>(n - sent));
          if (w <= 0) {
            done = true;
            break;
          }
          sent += w;
        }
      }
      if (done) break;
    }
    // An abrupt end on both sides, as when a network path dies: RST rather than an orderly close.
    linger hard{1, 0};
    setsockopt(client, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    setsockopt(server, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    close(client);
    close(server);
  }

  std::string host_;
  int port_;
  int refuse_;
  size_t cut_after_;
  int listener_ = -1;
  int listen_port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::atomic<bool> cut_{false};
  std::thread thread_;
};

// host and port of the test server's URL.
inline std::pair<std::string, int> server_address() {
  auto spec = internal::postgres_connect_spec(server_url());
  std::string host = "127.0.0.1";
  int port = 5432;
  if (spec) {
    for (size_t i = 0; i < spec->keywords.size(); ++i) {
      if (spec->keywords[i] == "host") host = spec->values[i];
      if (spec->keywords[i] == "port") port = std::stoi(spec->values[i]);
    }
  }
  return {host, port};
}

}  // namespace sluice::etl::pgtest
