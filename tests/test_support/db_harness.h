#pragma once
// One rule for every test that needs a database server from scripts/services: when the server's URL
// variable is unset, a developer's bare `ctest` reports the test as skipped, while under CI (CI set), where
// ./test.sh starts the services, a missing server is a broken setup and fails the test. The shell tests in
// tests/integration/ follow the same rule through tests/integration/db_harness.sh.
#include <gtest/gtest.h>

#include <cstdlib>

namespace sluice::test_support {

inline bool env_is_set(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0';
}

}  // namespace sluice::test_support

// Use at the top of a TEST/TEST_F body or SetUp(); `variable` is a string literal such as
// "SLUICE_TEST_MYSQL_URL".
#define SLUICE_REQUIRE_DB_SERVER(variable)                                                    \
  do {                                                                                        \
    if (!::sluice::test_support::env_is_set(variable)) {                                      \
      if (::sluice::test_support::env_is_set("CI")) {                                         \
        FAIL() << variable " is not set: scripts/services start did not run";                 \
      }                                                                                       \
      GTEST_SKIP() << variable " is not set (run scripts/services start and source its env)"; \
    }                                                                                         \
  } while (0)
