#include "etl/sink/database_url.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::etl {
namespace {

TEST(DatabaseUrl, ParsesEveryPart) {
  auto u = parse_database_url(
      "mysql://etl:p%40ss%2Fw%3Ard@db.example.com:3307/prod?ssl-mode=verify-ca&ssl-ca=/x/ca.pem");
  ASSERT_TRUE(u.is_ok()) << u.status().message();
  EXPECT_EQ(u->scheme, "mysql");
  EXPECT_EQ(u->user, "etl");
  EXPECT_EQ(u->password, "p@ss/w:rd");
  EXPECT_EQ(u->host, "db.example.com");
  EXPECT_EQ(u->port, 3307);
  EXPECT_EQ(u->database, "prod");
  EXPECT_EQ(u->params.at("ssl-mode"), "verify-ca");
  EXPECT_EQ(u->params.at("ssl-ca"), "/x/ca.pem");
}

TEST(DatabaseUrl, HandlesIpv6HostsMissingPartsAndBadPorts) {
  auto u = parse_database_url("postgresql://[::1]:5433/db");
  ASSERT_TRUE(u.is_ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 5433);
  EXPECT_EQ(u->user, "");
  auto bare = parse_database_url("postgres://localhost/db");
  ASSERT_TRUE(bare.is_ok());
  EXPECT_EQ(bare->port, 0);
  auto bad = parse_database_url("mysql://u:secret@h:99999/db");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("99999"), std::string::npos);
  EXPECT_EQ(bad.status().message().find("secret"), std::string::npos) << bad.status().message();
}

// Every form the parser accepts, with what it parses as the password and how it is shown. The password
// must never appear in the redacted text, whatever the form.
struct RedactCase {
  std::string url;
  std::string password;  // as parsed (decoded)
  std::string shown;     // redact_url(url)
};

const std::vector<RedactCase>& redact_cases() {
  static const std::vector<RedactCase> cases = {
      {"mysql://u:p%40ss@h:3306/db", "p@ss", "mysql://u:***@h:3306/db"},
      {"mysql://u:p@ss@host/db", "p@ss", "mysql://u:***@host/db"},
      {"mysql://u:pa/ss@host/db", "pa/ss", "mysql://u:***@host/db"},
      {"mysql://u:pa:ss@host/db", "pa:ss", "mysql://u:***@host/db"},
      {"mysql://u:x@y/z@host:3307/db", "x@y/z", "mysql://u:***@host:3307/db"},
      {"mariadb://etl:Tr0ub4dor@db/prod?ssl-mode=verify-identity&ssl-ca=/x/ca.pem", "Tr0ub4dor",
       "mariadb://etl:***@db/prod?ssl-mode=verify-identity&ssl-ca=/x/ca.pem"},
      {"MYSQL://U:Hunter2@H/D", "Hunter2", "MYSQL://U:***@H/D"},
      {"postgresql://u:s3cr%3Ft@[::1]:5432/db?sslmode=require&sslpassword=k3yPass", "s3cr?t",
       "postgresql://u:***@[::1]:5432/db?sslmode=require&sslpassword=***"},
      {"postgres://h/db?sslmode=require&password=hunter2&x=1", "",
       "postgres://h/db?sslmode=require&password=***&x=1"},
      {"postgres://u:@h/db", "", "postgres://u:***@h/db"},
      {"postgres://u@h/db", "", "postgres://u@h/db"},
      {"sqlite:///a.db", "", "sqlite:///a.db"},
  };
  return cases;
}

TEST(RedactUrl, HidesThePasswordInEveryFormTheParserAccepts) {
  for (const RedactCase& c : redact_cases()) {
    SCOPED_TRACE(c.url);
    const std::string shown = redact_url(c.url);
    EXPECT_EQ(shown, c.shown);
    if (c.url.starts_with("sqlite")) continue;
    auto parsed = parse_database_url(c.url);
    ASSERT_TRUE(parsed.is_ok()) << parsed.status().message();
    EXPECT_EQ(parsed->password, c.password);
    if (!parsed->password.empty()) {
      EXPECT_EQ(shown.find(parsed->password), std::string::npos);
    }
  }
}

TEST(RedactUrl, ParseErrorsNeverQuoteThePassword) {
  // Each is refused, and no part of the secret "pa55w0rd" (nor its two halves) is in the message.
  for (const std::string url :
       {"mysql://u:pa55?w0rd@host/db", "mysql://u:pa55w0rd@host:99999/db", "mysql://u:pa55w0rd@[::1/db",
        "mysql://u:pa55w0rd@host/db?flag", "mysql:/u:pa55w0rd@host/db"}) {
    SCOPED_TRACE(url);
    auto parsed = parse_database_url(url);
    ASSERT_FALSE(parsed.is_ok());
    const std::string& message = parsed.status().message();
    EXPECT_EQ(message.find("pa55"), std::string::npos) << message;
    EXPECT_EQ(message.find("w0rd"), std::string::npos) << message;
    EXPECT_NE(message.find("***"), std::string::npos) << message;
  }
}

TEST(RedactUrl, AnAtAfterTheQueryIsRefusedAsAmbiguous) {
  auto parsed = parse_database_url("mysql://u:pa?ss@host/db");
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_NE(parsed.status().message().find("%3F"), std::string::npos) << parsed.status().message();
  EXPECT_EQ(redact_url("mysql://u:pa?ss@host/db"), "mysql://u:***@host/db");
}

TEST(RedactUrl, TextWithoutASchemeIsRedactedToo) {
  EXPECT_EQ(redact_url("u:secret@host/db"), "u:***@host/db");
  EXPECT_EQ(redact_url("mysql:/u:secret@host/db").find("secret"), std::string::npos);
  EXPECT_EQ(redact_url("no secrets here"), "no secrets here");
}

}  // namespace
}  // namespace sluice::etl
