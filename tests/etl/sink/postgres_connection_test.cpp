#include "etl/sink/postgres_connection.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>

#include "etl/sink/postgres_test_server.h"

namespace sluice::etl::internal {
namespace {

std::map<std::string, std::string> keywords_of(const PgConnectSpec& spec) {
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < spec.keywords.size(); ++i) out[spec.keywords[i]] = spec.values[i];  // last wins
  return out;
}

TEST(PostgresConnectSpec, MapsTheUrlToLibpqKeywords) {
  auto spec = postgres_connect_spec(
      "postgresql://loader:p%40ss%3Aw%2Frd@db.example.com:6543/warehouse?sslmode=verify-full&sslrootcert=/"
      "ca.pem"
      "&application_name=nightly&connect_timeout=3&schema=staging");
  ASSERT_TRUE(spec.is_ok()) << spec.status().message();
  auto kw = keywords_of(*spec);
  EXPECT_EQ(kw["host"], "db.example.com");
  EXPECT_EQ(kw["port"], "6543");
  EXPECT_EQ(kw["user"], "loader");
  EXPECT_EQ(kw["password"], "p@ss:w/rd");
  EXPECT_EQ(kw["dbname"], "warehouse");
  EXPECT_EQ(kw["sslmode"], "verify-full");
  EXPECT_EQ(kw["sslrootcert"], "/ca.pem");
  EXPECT_EQ(kw["application_name"], "nightly");
  EXPECT_EQ(kw["connect_timeout"], "3");  // the query overrides the default
  EXPECT_EQ(kw["client_encoding"], "UTF8");
  EXPECT_EQ(kw.count("schema"), 0u);
  EXPECT_EQ(spec->schema, "staging");
  EXPECT_EQ(spec->display, "postgresql://loader:***@db.example.com:6543/warehouse");
  EXPECT_EQ(spec->password, "p@ss:w/rd");
}

TEST(PostgresConnectSpec, DefaultsAndTheShortScheme) {
  auto spec = postgres_connect_spec("postgres://u@/db");
  ASSERT_TRUE(spec.is_ok()) << spec.status().message();
  auto kw = keywords_of(*spec);
  EXPECT_EQ(kw.count("host"), 0u);  // libpq's default: the local socket
  EXPECT_EQ(kw.count("port"), 0u);
  EXPECT_EQ(kw.count("password"), 0u);
  EXPECT_EQ(kw["connect_timeout"], "10");
  EXPECT_EQ(kw["fallback_application_name"], "sluice-etl");
  EXPECT_EQ(kw["tcp_user_timeout"], "60000");
  EXPECT_EQ(spec->schema, "");
}

TEST(PostgresConnectSpec, RefusesBadParametersWithoutShowingThePassword) {
  const std::string secret = "Sup3rSecret";
  for (const std::string query : {"?sslmod=require", "?password=x", "?host=other", "?client_encoding=LATIN1",
                                  "?schema=", "?dbname=x"}) {
    const std::string url = "postgresql://u:" + secret + "@h:5432/db" + query;
    auto spec = postgres_connect_spec(url);
    ASSERT_FALSE(spec.is_ok()) << query;
    EXPECT_EQ(spec.status().code(), common::Code::kInvalidArgument);
    EXPECT_EQ(spec.status().message().find(secret), std::string::npos) << spec.status().message();
    EXPECT_NE(spec.status().message().find("postgresql://u:***@h:5432/db"), std::string::npos)
        << spec.status().message();
  }
  EXPECT_NE(postgres_connect_spec("postgresql://u@h/db?sslmod=require").status().message().find("'sslmod'"),
            std::string::npos);
  EXPECT_FALSE(postgres_connect_spec("mysql://u@h/db").is_ok());
}

TEST(PostgresConnectSpec, TransientFailuresAreTellable) {
  EXPECT_TRUE(is_transient_connect_failure(
      "connection to server at \"127.0.0.1\", port 5433 failed: Connection refused; Is the server running?"));
  EXPECT_TRUE(is_transient_connect_failure("FATAL:  the database system is starting up"));
  EXPECT_TRUE(is_transient_connect_failure("FATAL:  sorry, too many clients already"));
  EXPECT_TRUE(is_transient_connect_failure("server closed the connection unexpectedly"));
  EXPECT_FALSE(is_transient_connect_failure("FATAL:  password authentication failed for user \"sluice\""));
  EXPECT_FALSE(is_transient_connect_failure("FATAL:  database \"nope\" does not exist"));
  EXPECT_FALSE(is_transient_connect_failure("SSL error: certificate verify failed"));
  // One address refused, the other rejected the password: retrying cannot help.
  EXPECT_FALSE(
      is_transient_connect_failure("connection to server at \"localhost\" (::1), port 5433 failed: "
                                   "Connection refused; connection to server "
                                   "at \"localhost\" (127.0.0.1), port 5433 failed: FATAL:  password "
                                   "authentication failed for user \"u\""));
}

TEST(PostgresConnectSpec, CleanMessageScrubsThePasswordAndJoinsLines) {
  EXPECT_EQ(clean_message("FATAL:  bad hunter2 here\n\tand hunter2\n", "hunter2"),
            "FATAL:  bad *** here; and ***");
  EXPECT_EQ(clean_message("one\n  two\n\ntwo\n", ""), "one; two");
}

int closed_port() {
  // A port that was free a moment ago: bind an ephemeral one and release it.
  pgtest::TcpProxy probe("127.0.0.1", 1);
  return probe.port();
}

TEST(PostgresConnect, RefusedConnectionIsRetriedWithBackoffThenReported) {
  const int port = closed_port();
  auto spec = postgres_connect_spec("postgresql://u:topsecret@127.0.0.1:" + std::to_string(port) + "/db");
  ASSERT_TRUE(spec.is_ok());
  const auto start = std::chrono::steady_clock::now();
  auto conn = postgres_connect(*spec, 2);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(conn.is_ok());
  EXPECT_EQ(conn.status().code(), common::Code::kUnavailable);
  EXPECT_NE(conn.status().message().find("cannot connect after 3 attempts"), std::string::npos)
      << conn.status().message();
  EXPECT_NE(conn.status().message().find("Connection refused"), std::string::npos) << conn.status().message();
  EXPECT_EQ(conn.status().message().find("topsecret"), std::string::npos);
  EXPECT_GE(seconds, 0.7);  // 250 ms + 500 ms of backoff
  EXPECT_LT(seconds, 5.0);

  auto once = postgres_connect(*spec, 0);
  ASSERT_FALSE(once.is_ok());
  EXPECT_EQ(once.status().message().find("attempts"), std::string::npos) << once.status().message();
}

TEST(PostgresConnect, RetriesOutlastAServerThatDropsTheFirstConnections) {
  SLUICE_REQUIRE_POSTGRES();
  const auto [host, port] = pgtest::server_address();
  pgtest::TcpProxy proxy(host, port, /*refuse_first=*/2);
  const std::string url = pgtest::with_param(
      pgtest::with_authority(pgtest::server_url(), "127.0.0.1:" + std::to_string(proxy.port())),
      "sslmode=disable");
  auto spec = postgres_connect_spec(url);
  ASSERT_TRUE(spec.is_ok());
  auto conn = postgres_connect(*spec, 3);
  ASSERT_TRUE(conn.is_ok()) << conn.status().message();
  EXPECT_EQ(proxy.accepted(), 3);
}

TEST(PostgresConnect, TooFewRetriesForADroppingServerFail) {
  SLUICE_REQUIRE_POSTGRES();
  const auto [host, port] = pgtest::server_address();
  pgtest::TcpProxy proxy(host, port, /*refuse_first=*/2);
  const std::string url = pgtest::with_param(
      pgtest::with_authority(pgtest::server_url(), "127.0.0.1:" + std::to_string(proxy.port())),
      "sslmode=disable");
  auto conn = postgres_connect(postgres_connect_spec(url).value(), 1);
  ASSERT_FALSE(conn.is_ok());
  EXPECT_NE(conn.status().message().find("after 2 attempts"), std::string::npos) << conn.status().message();
}

TEST(PostgresConnect, WrongPasswordFailsAtOnceWithoutEchoingIt) {
  SLUICE_REQUIRE_POSTGRES();
  const std::string url = pgtest::server_url();
  const size_t colon = url.find(':', url.find("://") + 3), at = url.rfind('@');
  const std::string wrong = url.substr(0, colon + 1) + "Wr0ngPassw0rd" + url.substr(at);
  auto conn = postgres_connect(postgres_connect_spec(wrong).value(), 3);
  ASSERT_FALSE(conn.is_ok());
  EXPECT_NE(conn.status().message().find("password authentication failed"), std::string::npos)
      << conn.status().message();
  EXPECT_EQ(conn.status().message().find("Wr0ngPassw0rd"), std::string::npos);
  EXPECT_EQ(conn.status().message().find("attempts"), std::string::npos);  // retrying cannot fix a password
}

// TLS, with libpq's own sslmode/sslrootcert, against the server's certificate for "localhost" signed by the
// CA that scripts/services.d/postgresql generated.
class PostgresTls : public ::testing::Test {
 protected:
  void SetUp() override {
    SLUICE_REQUIRE_POSTGRES();
    ca_ = pgtest::env("SLUICE_TEST_POSTGRES_CA");
    wrong_ca_ = pgtest::env("SLUICE_TEST_POSTGRES_WRONG_CA");
    if (ca_.empty() || wrong_ca_.empty()) GTEST_SKIP() << "SLUICE_TEST_POSTGRES_CA/_WRONG_CA are not set";
  }
  // Connects with the extra parameters; on success returns what pg_stat_ssl says of the connection.
  common::Result<std::string> ssl_of(const std::string& params, const std::string& host = "127.0.0.1") {
    const auto [h, port] = pgtest::server_address();
    const std::string url = pgtest::with_param(
        pgtest::with_authority(pgtest::server_url(), host + ":" + std::to_string(port)), params);
    auto spec = postgres_connect_spec(url);
    if (!spec) return spec.status();
    auto conn = postgres_connect(*spec, 0);
    if (!conn) return conn.status();
    PGresult* r = PQexec(conn->get(), "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    std::string out = PQntuples(r) == 1 ? std::string(PQgetvalue(r, 0, 0)) + "|" + PQgetvalue(r, 0, 1) : "?";
    PQclear(r);
    return out;
  }
  std::string ca_, wrong_ca_;
};

TEST_F(PostgresTls, RequireEncrypts) {
  auto ssl = ssl_of("sslmode=require");
  ASSERT_TRUE(ssl.is_ok()) << ssl.status().message();
  EXPECT_TRUE(ssl->starts_with("t|TLS")) << *ssl;
  auto plain = ssl_of("sslmode=disable");
  ASSERT_TRUE(plain.is_ok()) << plain.status().message();
  EXPECT_EQ(*plain, "f|");
}

TEST_F(PostgresTls, VerifyCaWithTheRightCaConnects) {
  auto ssl = ssl_of("sslmode=verify-ca&sslrootcert=" + ca_);
  ASSERT_TRUE(ssl.is_ok()) << ssl.status().message();
  EXPECT_TRUE(ssl->starts_with("t|")) << *ssl;
}

TEST_F(PostgresTls, VerifyCaWithAWrongCaIsRefused) {
  auto ssl = ssl_of("sslmode=verify-ca&sslrootcert=" + wrong_ca_);
  ASSERT_FALSE(ssl.is_ok());
  EXPECT_EQ(ssl.status().code(), common::Code::kUnavailable);
  EXPECT_NE(ssl.status().message().find("certificate verify failed"), std::string::npos)
      << ssl.status().message();
  EXPECT_EQ(ssl.status().message().find(pgtest::server_password()), std::string::npos);
}

TEST_F(PostgresTls, VerifyFullChecksTheHostName) {
  auto mismatch = ssl_of("sslmode=verify-full&sslrootcert=" + ca_, "127.0.0.1");
  ASSERT_FALSE(mismatch.is_ok());
  EXPECT_NE(mismatch.status().message().find("does not match host name \"127.0.0.1\""), std::string::npos)
      << mismatch.status().message();
  auto match = ssl_of("sslmode=verify-full&sslrootcert=" + ca_, "localhost");
  ASSERT_TRUE(match.is_ok()) << match.status().message();
  EXPECT_TRUE(match->starts_with("t|")) << *match;
}

}  // namespace
}  // namespace sluice::etl::internal
