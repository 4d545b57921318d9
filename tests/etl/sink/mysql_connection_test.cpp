#include "etl/sink/mysql_connection.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "etl/sink/database_url.h"
#include "etl/sink/mysql_test_server.h"
#include "etl/sink/sink.h"

namespace sluice::etl::internal {
namespace {

using mysql_test::env;

TEST(MysqlUrl, ParsesTheUrlAndItsTlsParameters) {
  auto o = parse_mysql_url(
      "mysql://ann:p%40ss%3Aw%2Frd@db.example.com:3310/sales?ssl-mode=VERIFY-IDENTITY&ssl-ca=/etc/ca.pem"
      "&ssl_cert=/c.pem&ssl-key=/k.pem&connect-timeout=3");
  ASSERT_TRUE(o.is_ok()) << o.status().message();
  EXPECT_EQ(o->host, "db.example.com");
  EXPECT_EQ(o->port, 3310u);
  EXPECT_EQ(o->user, "ann");
  EXPECT_EQ(o->password, "p@ss:w/rd");
  EXPECT_EQ(o->database, "sales");
  EXPECT_EQ(o->ssl_mode, SslMode::kVerifyIdentity);
  EXPECT_EQ(o->ssl_ca, "/etc/ca.pem");
  EXPECT_EQ(o->ssl_cert, "/c.pem");
  EXPECT_EQ(o->ssl_key, "/k.pem");
  EXPECT_EQ(o->connect_timeout_s, 3u);

  auto d = parse_mysql_url("mariadb://bob@localhost/db?socket=/run/m.sock");
  ASSERT_TRUE(d.is_ok()) << d.status().message();
  EXPECT_EQ(d->port, 3306u);
  EXPECT_EQ(d->socket, "/run/m.sock");
  EXPECT_EQ(d->ssl_mode, SslMode::kPreferred);
  EXPECT_EQ(d->password, "");
}

TEST(MysqlUrl, RefusesWhatItCannotHonourWithoutShowingThePassword) {
  for (const char* url : {"mysql://u:hunter2@h/db?ssl-mode=verify-full", "mysql://u:hunter2@h/db?sslca=/x",
                          "mysql://u:hunter2@h/", "mysql://u:hunter2@h/db?connect-timeout=soon",
                          "mysql://u:hunter2@h:99999/db"}) {
    auto o = parse_mysql_url(url);
    ASSERT_FALSE(o.is_ok()) << url;
    EXPECT_EQ(o.status().code(), common::Code::kInvalidArgument) << url;
    EXPECT_EQ(o.status().message().find("hunter2"), std::string::npos) << o.status().message();
  }
  auto mode = parse_mysql_url("mysql://u@h/db?ssl-mode=verify-full");
  EXPECT_NE(mode.status().message().find("verify-identity"), std::string::npos) << mode.status().message();
}

TEST(MysqlErrors, TellTransientFromPermanent) {
  EXPECT_TRUE(is_transient_mysql_error(2003));   // cannot connect
  EXPECT_TRUE(is_transient_mysql_error(2013));   // lost during the handshake
  EXPECT_TRUE(is_transient_mysql_error(1040));   // too many connections
  EXPECT_FALSE(is_transient_mysql_error(1045));  // access denied
  EXPECT_FALSE(is_transient_mysql_error(1049));  // unknown database
  EXPECT_FALSE(is_transient_mysql_error(2026));  // TLS failure: retrying cannot fix a certificate
  EXPECT_EQ(mysql_status(1050, "exists", "L", "w").code(), common::Code::kAlreadyExists);
  EXPECT_EQ(mysql_status(1114, "full", "L", "w").code(), common::Code::kResourceExhausted);
  EXPECT_EQ(mysql_status(1366, "bad", "L", "w").code(), common::Code::kInvalidInput);
  EXPECT_EQ(mysql_status(2013, "lost", "L", "w").code(), common::Code::kUnavailable);
  EXPECT_EQ(mysql_status(2013, "lost", "L", "w").message(), "L: w: lost (error 2013)");
}

// A port on which nothing listens (yet).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// Starts listening on a port only after a delay, then forwards every connection to the test server: a
// server that is still starting when the client first tries.
class LateProxy {
 public:
  LateProxy(int target_port, std::chrono::milliseconds delay) : port_(free_port()) {
    listener_ = std::thread([this, target_port, delay] {
      std::this_thread::sleep_for(delay);
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      const int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(static_cast<uint16_t>(port_));
      if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 8) != 0) {
        close(fd);
        return;
      }
      while (!stop_) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        const int client = accept(fd, nullptr, nullptr);
        if (client < 0) continue;
        const int server = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        to.sin_port = htons(static_cast<uint16_t>(target_port));
        if (connect(server, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
          close(client);
          close(server);
          continue;
        }
        pumps_.emplace_back([this, client, server] { pump(client, server); });
      }
      close(fd);
    });
  }
  ~LateProxy() {
    stop_ = true;
    listener_.join();
    for (auto& t : pumps_) t.join();
  }
  int port() const { return port_; }

 private:
  void pump(int a, int b) {
    char buf[65536];
    pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    while (!stop_) {
      if (poll(fds, 2, 50) <= 0) continue;
      bool closed = false;
      for (int i = 0; i < 2; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t n = read(fds[i].fd, buf, sizeof buf);
        if (n <= 0 || write(fds[1 - i].fd, buf, static_cast<size_t>(n)) != n) closed = true;
      }
      if (closed) break;
    }
    close(a);
    close(b);
  }

  int port_;
  std::atomic<bool> stop_{false};
  std::thread listener_;
  std::vector<std::thread> pumps_;
};

MysqlConnectOptions test_options() {
  auto o = parse_mysql_url(mysql_test::url());
  EXPECT_TRUE(o.is_ok()) << o.status().message();
  return o.is_ok() ? o.value() : MysqlConnectOptions{};
}

TEST(MysqlConnect, RetriesUntilALateServerAnswers) {
  SLUICE_REQUIRE_MYSQL();
  MysqlConnectOptions o = test_options();
  LateProxy proxy(static_cast<int>(o.port), std::chrono::milliseconds(700));
  o.port = static_cast<unsigned>(proxy.port());
  o.ssl_mode = SslMode::kDisabled;
  const auto start = std::chrono::steady_clock::now();
  auto connection = MysqlConnection::open(o, "mysql://late", 3);
  ASSERT_TRUE(connection.is_ok()) << connection.status().message();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(700));
  auto rows = connection.value()->query("SELECT 6 * 7");
  ASSERT_TRUE(rows.is_ok()) << rows.status().message();
  EXPECT_EQ(rows.value()[0][0].value_or(""), "42");
}

TEST(MysqlConnect, GivesUpAfterTheRetriesWithAClearError) {
  MysqlConnectOptions o;
  o.host = "127.0.0.1";
  o.port = static_cast<unsigned>(free_port());
  o.user = "u";
  o.password = "hunter2";
  o.database = "d";
  const auto start = std::chrono::steady_clock::now();
  auto connection = MysqlConnection::open(o, "mysql://u:***@127.0.0.1/d", 2);
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(connection.is_ok());
  EXPECT_EQ(connection.status().code(), common::Code::kUnavailable);
  EXPECT_NE(connection.status().message().find("cannot connect after 3 attempts"), std::string::npos)
      << connection.status().message();
  EXPECT_EQ(connection.status().message().find("hunter2"), std::string::npos);
  EXPECT_GE(waited, std::chrono::milliseconds(1500));  // 0.5 s + 1 s of backoff
}

TEST(MysqlConnect, WrongPasswordIsNeitherRetriedNorShown) {
  SLUICE_REQUIRE_MYSQL();
  const std::string bad = "mysql://sluice:wr0ng%21secret@127.0.0.1:" + env("SLUICE_TEST_MYSQL_PORT") +
                          "/sluice?ssl-mode=disabled";
  const auto start = std::chrono::steady_clock::now();
  auto sink = internal::open_mysql_sink(bad, SinkOptions{.connect_retries = 5});
  ASSERT_FALSE(sink.is_ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(450));
  const std::string& message = sink.status().message();
  EXPECT_EQ(sink.status().code(), common::Code::kUnavailable);
  EXPECT_NE(message.find("Access denied"), std::string::npos) << message;
  EXPECT_NE(message.find("sluice:***@127.0.0.1"), std::string::npos) << message;
  EXPECT_EQ(message.find("wr0ng"), std::string::npos) << message;
  EXPECT_EQ(message.find("secret"), std::string::npos) << message;
}

// Connects to the test server by `host` with ?ssl-mode=mode and, when not empty, ?ssl-ca=ca.
common::Result<std::unique_ptr<MysqlConnection>> connect_tls(const std::string& host, const std::string& mode,
                                                             const std::string& ca) {
  std::string u = "mysql://sluice:s3cr%40t%3Ap%2Fw@" + host + ":" + env("SLUICE_TEST_MYSQL_PORT") +
                  "/sluice?ssl-mode=" + mode;
  if (!ca.empty()) u += "&ssl-ca=" + ca;
  auto o = parse_mysql_url(u);
  if (!o) return o.status();
  // Retries would only hide a refusal: TLS failures are not transient.
  return MysqlConnection::open(o.value(), redact_url(u), 3);
}

std::string cipher_of(const std::string& host, const std::string& mode, const std::string& ca) {
  auto c = connect_tls(host, mode, ca);
  EXPECT_TRUE(c.is_ok()) << mode << ": " << c.status().message();
  return c.is_ok() ? c.value()->tls_cipher() : "(failed)";
}

void expect_refused(const std::string& host, const std::string& mode, const std::string& ca,
                    const std::string& why) {
  const auto start = std::chrono::steady_clock::now();
  auto c = connect_tls(host, mode, ca);
  ASSERT_FALSE(c.is_ok()) << mode << " with " << (ca.empty() ? "the system CAs" : ca) << " at " << host
                          << " must be refused";
  EXPECT_EQ(c.status().code(), common::Code::kUnavailable);
  const std::string& m = c.status().message();
  EXPECT_NE(m.find("TLS"), std::string::npos) << m;
  EXPECT_NE(m.find("ssl-mode=" + mode), std::string::npos) << m;
  EXPECT_NE(m.find(why), std::string::npos) << m;
  EXPECT_EQ(m.find("s3cr"), std::string::npos) << m;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(450)) << "retried: " << m;
}

TEST(MysqlTls, DisabledPreferredAndRequired) {
  SLUICE_REQUIRE_MYSQL();
  EXPECT_EQ(cipher_of("127.0.0.1", "disabled", ""), "");
  EXPECT_NE(cipher_of("127.0.0.1", "preferred", ""), "");
  // required encrypts without checking the certificate (which no CA given here could verify).
  EXPECT_NE(cipher_of("127.0.0.1", "required", ""), "");
}

TEST(MysqlTls, VerifyCaChecksTheChainButNotTheName) {
  SLUICE_REQUIRE_MYSQL();
  const std::string ca = env("SLUICE_TEST_MYSQL_CA");
  const std::string mismatch = env("SLUICE_TEST_MYSQL_MISMATCH_HOST");
  EXPECT_NE(cipher_of("127.0.0.1", "verify-ca", ca), "");
  EXPECT_NE(cipher_of(mismatch, "verify-ca", ca), "");
  expect_refused("127.0.0.1", "verify-ca", env("SLUICE_TEST_MYSQL_OTHER_CA"), "certificate");
  // Without ssl-ca the system's CAs are trusted, and none of them signed the test server's certificate.
  expect_refused("127.0.0.1", "verify-ca", "", "certificate");
}

TEST(MysqlTls, VerifyIdentityAlsoChecksTheName) {
  SLUICE_REQUIRE_MYSQL();
  const std::string ca = env("SLUICE_TEST_MYSQL_CA");
  EXPECT_NE(cipher_of("127.0.0.1", "verify-identity", ca), "");
  // The certificate names localhost and 127.0.0.1, not 127.0.0.2, though it is the same server.
  expect_refused(env("SLUICE_TEST_MYSQL_MISMATCH_HOST"), "verify-identity", ca, "certificate");
  expect_refused("127.0.0.1", "verify-identity", env("SLUICE_TEST_MYSQL_OTHER_CA"), "certificate");
}

}  // namespace
}  // namespace sluice::etl::internal
