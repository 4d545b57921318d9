#include "common/env_file.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace sluice::common {
namespace {

TEST(EnvFile, ParsesTheFormsDotenvAccepts) {
  setenv("SLUICE_TEST_HOME", "/home/x", 1);
  auto vars = parse_env_file(
      "# comment\n"
      "MYSQL_USERNAME=admin\n"
      "export MYSQL_HOST = db.example.com  # inline comment\n"
      "MYSQL_PASSWORD='p@ss #not a comment'\n"
      "QUOTED=\"line1\\nline2 ${MYSQL_USERNAME}\"\n"
      "EXPANDED=${SLUICE_TEST_HOME}/data\n"
      "DEFAULTED=${SLUICE_TEST_UNSET:-fallback}\n"
      "EMPTY=\n"
      "HASH=a#b\r\n",
      ".env");
  ASSERT_TRUE(vars.is_ok()) << vars.status().message();
  auto& v = vars.value();
  EXPECT_EQ(v["MYSQL_USERNAME"], "admin");
  EXPECT_EQ(v["MYSQL_HOST"], "db.example.com");
  EXPECT_EQ(v["MYSQL_PASSWORD"], "p@ss #not a comment");
  EXPECT_EQ(v["QUOTED"], "line1\nline2 admin");
  EXPECT_EQ(v["EXPANDED"], "/home/x/data");
  EXPECT_EQ(v["DEFAULTED"], "fallback");
  EXPECT_EQ(v["EMPTY"], "");
  EXPECT_EQ(v["HASH"], "a#b");
}

TEST(EnvFile, ErrorsNameFileAndLine) {
  auto bad = parse_env_file("A=1\nthis is not an assignment\n", "app.env");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().message(), "app.env:2: expected KEY=VALUE");
  auto open = parse_env_file("A=1\nB=\"never closed\n", "app.env");
  ASSERT_FALSE(open.is_ok());
  EXPECT_EQ(open.status().message(), "app.env:2: unterminated quoted value for B");
}

TEST(EnvFile, LoadOverridesTheEnvironmentLikeDotenvRun) {
  char path[] = "/tmp/sluice-env-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string text = "SLUICE_TEST_OVERRIDE=from-file\n";
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  setenv("SLUICE_TEST_OVERRIDE", "from-env", 1);
  ASSERT_TRUE(load_env_file(path).is_ok());
  EXPECT_STREQ(std::getenv("SLUICE_TEST_OVERRIDE"), "from-file");
  unlink(path);
  EXPECT_EQ(load_env_file(path).code(), Code::kNotFound);
}

}  // namespace
}  // namespace sluice::common
