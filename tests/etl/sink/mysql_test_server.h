#pragma once
// The throwaway MariaDB that scripts/services.d/mariadb starts, as the MySQL tests see it: its URLs from the
// environment ($SLUICE_SERVICES_DIR/env, sourced by test.sh), and a plain libmariadb connection to check
// what the sink did without going through the sink's own code. Header-only: shared by the MySQL test files.
#include <gtest/gtest.h>
#include <mysql.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "etl/sink/mysql_connection.h"
#include "test_support/db_harness.h"

namespace sluice::etl::mysql_test {

inline std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// See tests/test_support/db_harness.h: skipped on a bare `ctest`, failed under CI.
#define SLUICE_REQUIRE_MYSQL() SLUICE_REQUIRE_DB_SERVER("SLUICE_TEST_MYSQL_URL")

inline std::string url() { return env("SLUICE_TEST_MYSQL_URL"); }
inline std::string root_url() { return env("SLUICE_TEST_MYSQL_ROOT_URL"); }

// A table name of this test's own, so that tests running in parallel never share one; short enough (under
// 28 characters) that the sink's work tables carry it whole.
inline std::string table_name(const std::string& stem) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  uint32_t hash = 2166136261u;
  for (unsigned char c : std::string(info ? info->name() : "t")) hash = (hash ^ c) * 16777619u;
  return stem + "_" + std::to_string(hash % 100000) + "_" + std::to_string(getpid());
}

using Rows = std::vector<std::vector<std::optional<std::string>>>;

class Db {
 public:
  explicit Db(const std::string& target) {
    auto options = internal::parse_mysql_url(target);
    EXPECT_TRUE(options.is_ok()) << options.status().message();
    mysql_ = mysql_init(nullptr);
    if (!options.is_ok()) return;
    const auto& o = options.value();
    mysql_options(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    const bool local = o.host.empty() || o.host == "localhost";
    if (mysql_real_connect(mysql_, local ? "localhost" : o.host.c_str(), o.user.c_str(), o.password.c_str(),
                           o.database.c_str(), o.port, o.socket.empty() ? nullptr : o.socket.c_str(),
                           0) == nullptr) {
      ADD_FAILURE() << "test connection failed: " << mysql_error(mysql_);
    }
  }
  ~Db() { mysql_close(mysql_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs a statement; false (and the error in error()) when it fails.
  bool exec(const std::string& sql) {
    if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return false;
    do {
      if (MYSQL_RES* r = mysql_store_result(mysql_)) mysql_free_result(r);
    } while (mysql_next_result(mysql_) == 0);
    return mysql_errno(mysql_) == 0;
  }
  std::string error() { return mysql_error(mysql_); }

  Rows rows(const std::string& sql) {
    Rows out;
    if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
      ADD_FAILURE() << sql << ": " << mysql_error(mysql_);
      return out;
    }
    MYSQL_RES* result = mysql_store_result(mysql_);
    if (result == nullptr) return out;
    const unsigned n = mysql_num_fields(result);
    while (MYSQL_ROW row = mysql_fetch_row(result)) {
      const unsigned long* lengths = mysql_fetch_lengths(result);
      out.emplace_back();
      for (unsigned i = 0; i < n; ++i) {
        if (row[i]) {
          out.back().emplace_back(std::string(row[i], lengths[i]));
        } else {
          out.back().emplace_back();
        }
      }
    }
    mysql_free_result(result);
    return out;
  }

  // The first value of the first row, "NULL" for NULL, "" for no row.
  std::string one(const std::string& sql) {
    Rows r = rows(sql);
    if (r.empty() || r[0].empty()) return "";
    return r[0][0].value_or("NULL");
  }

  // Every row of a table in id order, one line per row: what "byte for byte intact" is checked against.
  std::string dump(const std::string& table, const std::string& order = "1") {
    std::string out;
    for (const auto& row : rows("SELECT * FROM `" + table + "` ORDER BY " + order)) {
      for (const auto& v : row) out += (v ? "'" + *v + "'" : std::string("NULL")) + "|";
      out += "\n";
    }
    return out;
  }

  // The tables whose names start with prefix.
  std::vector<std::string> tables_like(const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& row :
         rows("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()")) {
      if (row[0] && row[0]->starts_with(prefix)) out.push_back(*row[0]);
    }
    return out;
  }

  void drop(const std::string& table) { exec("DROP TABLE IF EXISTS `" + table + "`"); }

 private:
  MYSQL* mysql_ = nullptr;
};

}  // namespace sluice::etl::mysql_test
