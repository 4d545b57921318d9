#include "etl/cli/target_url.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace sluice::etl {
namespace {

class TargetUrl : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name :
         {"DATABASE_URL", "MYSQL_USERNAME", "MYSQL_PASSWORD", "MYSQL_HOST", "MYSQL_DATABASE", "MYSQL_PORT"}) {
      unsetenv(name);
    }
  }
};

TEST_F(TargetUrl, PrecedenceFlagThenDatabaseUrlThenMysqlThenSqlite) {
  EXPECT_EQ(resolve_target_url(""), "sqlite:///data_engineering.db");
  setenv("MYSQL_HOST", "db.local", 1);
  setenv("MYSQL_USERNAME", "etl", 1);
  setenv("MYSQL_PASSWORD", "p@ss/w:rd", 1);
  setenv("MYSQL_DATABASE", "prod", 1);
  EXPECT_EQ(resolve_target_url(""), "mysql://etl:p%40ss%2Fw%3Ard@db.local/prod");
  setenv("MYSQL_PORT", "3307", 1);
  EXPECT_EQ(resolve_target_url(""), "mysql://etl:p%40ss%2Fw%3Ard@db.local:3307/prod");
  setenv("DATABASE_URL", "sqlite:///other.db", 1);
  EXPECT_EQ(resolve_target_url(""), "sqlite:///other.db");
  EXPECT_EQ(resolve_target_url("sqlite:///flag.db"), "sqlite:///flag.db");
}

}  // namespace
}  // namespace sluice::etl
