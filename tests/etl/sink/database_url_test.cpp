#include "etl/sink/database_url.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace sluice::etl
