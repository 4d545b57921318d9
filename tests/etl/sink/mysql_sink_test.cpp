// The MySQL/MariaDB sink against the test server: what arrives, the column types, replace/append/fail, work
// tables, connection kills mid-load, permissions, and the INSERT path for servers without local infile.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>
#include <thread>

#include "etl/sink/mysql_test_server.h"
#include "etl/sink/sink.h"

namespace sluice::etl {
namespace {

using mysql_test::Db;
using mysql_test::env;
using mysql_test::table_name;

constexpr int64_t kDay = 86400LL * 1000000;

Schema people_schema() {
  return {{"id", ColumnType::kInt, "A"},
          {"name", ColumnType::kText, "B"},
          {"ok", ColumnType::kBool, "C"},
          {"score", ColumnType::kDouble, "D"},
          {"seen", ColumnType::kDateTime, "E"}};
}

// Rows first..first+count-1, with a NULL in every column somewhere.
Batch people(int64_t first, int64_t count) {
  Batch b;
  b.columns.resize(5);
  for (int64_t id = first; id < first + count; ++id) {
    b.columns[0].push_back(id);
    if (id % 7 == 3) {
      b.columns[1].emplace_back();
    } else {
      b.columns[1].emplace_back("name " + std::to_string(id));
    }
    if (id % 11 == 5) {
      b.columns[2].emplace_back();
    } else {
      b.columns[2].push_back(id % 2 == 0);
    }
    b.columns[3].push_back(id % 13 == 1 ? Value{} : Value{static_cast<double>(id) + 0.25});
    b.columns[4].push_back(DateTime{id * kDay + 1500000, DateTime::Kind::kDateTime});
    b.source_rows.push_back(static_cast<uint64_t>(id) + 1);
  }
  return b;
}

SinkOptions options_for(const std::string& table, IfExists mode, int retries = 0) {
  SinkOptions o;
  o.table = table;
  o.if_exists = mode;
  o.connect_retries = retries;
  return o;
}

// One whole load through the sink; with commit false, the load is aborted after its rows.
common::Status load(const std::string& table, IfExists mode, const std::vector<Batch>& batches,
                    bool commit = true, const Schema& schema = people_schema(),
                    const std::string& url = mysql_test::url()) {
  auto sink = internal::open_mysql_sink(url, options_for(table, mode));
  if (!sink) return sink.status();
  SLUICE_RETURN_IF_ERROR((*sink)->begin(schema));
  for (const Batch& b : batches) {
    if (auto st = (*sink)->write(b); !st) {
      (*sink)->abort();
      return st;
    }
  }
  if (!commit) {
    (*sink)->abort();
    return {};
  }
  if (auto st = (*sink)->commit(); !st) {
    (*sink)->abort();
    return st;
  }
  return {};
}

// The work tables of this test's table (staging and old) that exist now.
std::vector<std::string> work_tables(Db& db, const std::string& table) {
  std::vector<std::string> out;
  for (const char* prefix : {"_sluice_staging_", "_sluice_old_"}) {
    for (auto& t : db.tables_like(prefix + table)) out.push_back(t);
  }
  return out;
}

class MysqlSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (env("SLUICE_TEST_MYSQL_URL").empty()) return;
    db_ = std::make_unique<Db>(mysql_test::url());
    table_ = table_name("t");
    db_->drop(table_);
  }
  void TearDown() override {
    if (db_ == nullptr) return;
    db_->drop(table_);
    for (const auto& t : work_tables(*db_, table_)) db_->drop(t);
  }
  std::unique_ptr<Db> db_;
  std::string table_;
};

TEST_F(MysqlSinkTest, EveryValueArrivesIntactThroughLoadData) {
  SLUICE_REQUIRE_MYSQL();
  const std::vector<std::string> hostile = {"O'Brien; DROP TABLE x",
                                            "tab\there",
                                            "new\nline",
                                            "back\\slash",
                                            std::string("nul\0byte", 8),
                                            "\\N",
                                            "cr\rlf\n",
                                            "Zoë 東京 🙂",
                                            "",
                                            "\"quoted\" `ticks`",
                                            "trailing\\"};
  Batch b;
  b.columns.resize(5);
  for (size_t i = 0; i < hostile.size(); ++i) {
    b.columns[0].push_back(static_cast<int64_t>(i));
    b.columns[1].push_back(hostile[i]);
    b.columns[2].push_back(i % 2 == 0);
    b.columns[3].push_back(static_cast<double>(i) / 3);
    b.columns[4].push_back(DateTime{static_cast<int64_t>(i) * kDay + 123456, DateTime::Kind::kDateTime});
    b.source_rows.push_back(i + 2);
  }
  // Extremes and NULLs in every column.
  b.columns[0].push_back(std::numeric_limits<int64_t>::max());
  b.columns[0].push_back(std::numeric_limits<int64_t>::min());
  b.columns[0].emplace_back();
  b.columns[1].emplace_back();
  b.columns[1].emplace_back("x");
  b.columns[1].emplace_back("y");
  b.columns[2].emplace_back();
  b.columns[2].push_back(true);
  b.columns[2].push_back(false);
  b.columns[3].push_back(1e300);
  b.columns[3].push_back(std::nan(""));
  b.columns[3].emplace_back();
  b.columns[4].emplace_back();
  b.columns[4].push_back(DateTime{20000 * kDay, DateTime::Kind::kDate});
  b.columns[4].push_back(DateTime{-kDay, DateTime::Kind::kDateTime});
  for (int i = 0; i < 3; ++i) b.source_rows.push_back(100 + i);

  ASSERT_TRUE(load(table_, IfExists::kReplace, {b}).is_ok());
  EXPECT_EQ(db_->one("SELECT COUNT(*) FROM `" + table_ + "`"), std::to_string(hostile.size() + 3));
  const auto rows =
      db_->rows("SELECT id, name, ok, score, seen FROM `" + table_ + "` WHERE id BETWEEN 0 AND " +
                std::to_string(hostile.size() - 1) + " ORDER BY id");
  ASSERT_EQ(rows.size(), hostile.size());
  for (size_t i = 0; i < hostile.size(); ++i) {
    EXPECT_EQ(rows[i][0].value_or("NULL"), std::to_string(i));
    EXPECT_EQ(rows[i][1].value_or("NULL"), hostile[i]) << "row " << i;
    EXPECT_EQ(rows[i][2].value_or("NULL"), i % 2 == 0 ? "1" : "0");
  }
  const auto sorted = db_->rows("SELECT CAST(id AS CHAR), name, ok, score, seen FROM `" + table_ +
                                "` WHERE name IN ('x', 'y') OR name IS NULL ORDER BY name");
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(sorted[0][0].value_or("NULL"), "9223372036854775807");  // the NULL name sorts first
  EXPECT_EQ(sorted[0][2].value_or("NULL"), "NULL");
  EXPECT_EQ(sorted[0][3].value_or("NULL"), "1e300");
  EXPECT_EQ(sorted[0][4].value_or("NULL"), "NULL");
  EXPECT_EQ(sorted[1][0].value_or("NULL"), "-9223372036854775808");
  EXPECT_EQ(sorted[1][3].value_or("NULL"), "NULL");  // NaN is stored as NULL, as pandas does
  EXPECT_EQ(sorted[1][4].value_or("NULL"), "2024-10-04 00:00:00");
  EXPECT_EQ(sorted[2][0].value_or("NULL"), "NULL");
  EXPECT_EQ(sorted[2][3].value_or("NULL"), "NULL");
  EXPECT_EQ(sorted[2][4].value_or("NULL"), "1969-12-31 00:00:00");
  // Doubles keep every bit; DATETIME drops the fraction, as in the table pandas creates.
  EXPECT_EQ(db_->one("SELECT score = 1e0 / 3 FROM `" + table_ + "` WHERE id = 1"), "1");
  EXPECT_EQ(db_->one("SELECT CAST(seen AS CHAR) FROM `" + table_ + "` WHERE id = 2"), "1970-01-03 00:00:00");
  EXPECT_TRUE(work_tables(*db_, table_).empty());
}

TEST_F(MysqlSinkTest, CreatesTheColumnsPandasCreates) {
  SLUICE_REQUIRE_MYSQL();
  ASSERT_TRUE(load(table_, IfExists::kReplace, {people(1, 3)}).is_ok());
  const auto columns = db_->rows(
      "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY, CHARACTER_SET_NAME FROM "
      "information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '" +
      table_ + "' ORDER BY ORDINAL_POSITION");
  const std::vector<std::vector<std::string>> want = {{"id", "bigint(20)", "YES", "", "NULL"},
                                                      {"name", "text", "YES", "", "utf8mb4"},
                                                      {"ok", "tinyint(1)", "YES", "", "NULL"},
                                                      {"score", "double", "YES", "", "NULL"},
                                                      {"seen", "datetime", "YES", "", "NULL"}};
  ASSERT_EQ(columns.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    for (size_t j = 0; j < want[i].size(); ++j) EXPECT_EQ(columns[i][j].value_or("NULL"), want[i][j]) << i;
  }
  EXPECT_EQ(db_->one("SELECT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                     "AND TABLE_NAME = '" +
                     table_ + "'"),
            "utf8mb4_general_ci");
  EXPECT_EQ(db_->one("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND "
                     "TABLE_NAME = '" +
                     table_ + "'"),
            "0");
}

TEST_F(MysqlSinkTest, StreamsManyBatchesIntoOneTable) {
  SLUICE_REQUIRE_MYSQL();
  std::vector<Batch> batches;
  for (int i = 0; i < 40; ++i) batches.push_back(people(1 + i * 2500, 2500));
  ASSERT_TRUE(load(table_, IfExists::kReplace, batches).is_ok());
  EXPECT_EQ(db_->one("SELECT COUNT(*) FROM `" + table_ + "`"), "100000");
  EXPECT_EQ(db_->one("SELECT SUM(id) FROM `" + table_ + "`"), "5000050000");
  EXPECT_EQ(db_->one("SELECT COUNT(*) FROM `" + table_ + "` WHERE name IS NULL"), "14286");
}

TEST_F(MysqlSinkTest, ReplaceSwapsAndAbortKeepsThePreviousTable) {
  SLUICE_REQUIRE_MYSQL();
  ASSERT_TRUE(load(table_, IfExists::kReplace, {people(1, 50)}).is_ok());
  const std::string before = db_->dump(table_);
  ASSERT_TRUE(load(table_, IfExists::kReplace, {people(100, 10)}, /*commit=*/false).is_ok());
  EXPECT_EQ(db_->dump(table_), before);
  EXPECT_TRUE(work_tables(*db_, table_).empty());

  ASSERT_TRUE(load(table_, IfExists::kReplace, {people(100, 10)}).is_ok());
  EXPECT_EQ(db_->one("SELECT COUNT(*) FROM `" + table_ + "`"), "10");
  EXPECT_EQ(db_->one("SELECT MIN(id) FROM `" + table_ + "`"), "100");
  EXPECT_TRUE(work_tables(*db_, table_).empty());
}

TEST_F(MysqlSinkTest, TheOldTableStaysReadableUntilTheSwap) {
  SLUICE_REQUIRE_MYSQL();
  ASSERT_TRUE(load(table_, IfExists::kReplace, {people(1, 20)}).is_ok());
  auto sink = internal::open_mysql_sink(mysql_test::url(), options_for(table_, IfExists::kReplace));
  ASSERT_TRUE(sink.is_ok()) << sink.status().message();
  ASSERT_TRUE((*sink)->begin(people_schema()));
  ASSERT_TRUE((*sink)->write(people(1000, 5)));
  EXPECT_EQ(db_->one("SELECT COUNT(*) FROM `" + table_ + "`"), "20");
  ASSERT_TRUE((*sink)->commit());
  EXPECT_EQ(db_->one("SELECT COUNT(*) FROM `" + table_ + "`"), "5");
}

TEST_F(MysqlSinkTest, AppendIsOneTransaction) {
  SLUICE_REQUIRE_MYSQL();
  // To a table that does not exist, append creates it.
  ASSERT_TRUE(load(table_, IfExists::kAppend, {people(1, 10)}).is_ok());
  ASSERT_TRUE(load(table_, IfExists::kAppend, {people(11, 10), people(21, 5)}).is_ok());
  EXPECT_EQ(db_->one("SELECT COUNT(*) FROM `" + table_ + "`"), "25");
  const std::string before = db_->dump(table_);
  ASSERT_TRUE(load(table_, IfExists::kAppend, {people(100, 10), people(200, 10)}, /*commit=*/false).is_ok());
  EXPECT_EQ(db_->dump(table_), before);
  EXPECT_TRUE(work_tables(*db_, table_).empty());
}

TEST_F(MysqlSinkTest, ValuesTheServerWouldChangeFailTheLoad) {
  SLUICE_REQUIRE_MYSQL();
  ASSERT_TRUE(load(table_, IfExists::kReplace, {people(1, 5)}).is_ok());
  const std::string before = db_->dump(table_);
  // Appending text to the BIGINT column: LOAD DATA LOCAL only warns and stores 0; sluice refuses.
  Schema schema = people_schema();
  Batch b = people(10, 2);
  b.columns[0][1] = std::string("not a number");
  schema[0].type = ColumnType::kText;
  const auto st = load(table_, IfExists::kAppend, {b}, true, schema);
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), common::Code::kInvalidInput);
  EXPECT_NE(st.message().find("not a number"), std::string::npos) << st.message();
  EXPECT_EQ(db_->dump(table_), before);
}

TEST_F(MysqlSinkTest, InfiniteNumbersAreRefusedAndNothingChanges) {
  SLUICE_REQUIRE_MYSQL();
  ASSERT_TRUE(load(table_, IfExists::kReplace, {people(1, 5)}).is_ok());
  const std::string before = db_->dump(table_);
  Batch b = people(10, 3);
  b.columns[3][2] = std::numeric_limits<double>::infinity();
  const auto st = load(table_, IfExists::kReplace, {people(20, 3), b});
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), common::Code::kInvalidInput);
  EXPECT_EQ(db_->dump(table_), before);
  EXPECT_TRUE(work_tables(*db_, table_).empty());
}

TEST_F(MysqlSinkTest, FailRefusesAnExistingTable) {
  SLUICE_REQUIRE_MYSQL();
  ASSERT_TRUE(load(table_, IfExists::kFail, {people(1, 3)}).is_ok());
  const auto st = load(table_, IfExists::kFail, {people(10, 3)});
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), common::Code::kAlreadyExists);
  EXPECT_EQ(db_->one("SELECT COUNT(*) FROM `" + table_ + "`"), "3");
  EXPECT_TRUE(work_tables(*db_, table_).empty());
}

TEST_F(MysqlSinkTest, LeftoversOfDeadRunsAreDroppedAndThoseOfLiveRunsKept) {
  SLUICE_REQUIRE_MYSQL();
  const std::string dead_staging = "_sluice_staging_" + table_ + "_999999991";
  const std::string dead_old = "_sluice_old_" + table_ + "_999999992";
  const std::string live_staging = "_sluice_staging_" + table_ + "_999999993";
  const std::string other_table = "_sluice_staging_" + table_ + "_x_5";  // another table's, or not ours
  for (const auto& t : {dead_staging, dead_old, live_staging, other_table}) {
    ASSERT_TRUE(db_->exec("CREATE TABLE `" + t + "` (a INT)")) << db_->error();
  }
  Db owner(mysql_test::url());  // a run still loading holds its lock
  ASSERT_EQ(owner.one("SELECT GET_LOCK('sluice_load_999999993', 0)"), "1");
  ASSERT_TRUE(load(table_, IfExists::kReplace, {people(1, 3)}).is_ok());
  auto left = work_tables(*db_, table_);
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{live_staging, other_table}));  // sorted: digits before 'x'
  EXPECT_EQ(db_->one("SELECT COUNT(*) FROM `" + table_ + "`"), "3");
  db_->drop(live_staging);
  db_->drop(other_table);
}

TEST_F(MysqlSinkTest, HostileAndLongTableNames) {
  SLUICE_REQUIRE_MYSQL();
  for (const std::string& name :
       {table_ + "`; DROP TABLE x; -- 'é", table_ + "_a_very_long_name_that_needs_hashing_ü_" + table_}) {
    const std::string t = name.substr(0, 64);
    ASSERT_TRUE(load(t, IfExists::kReplace, {people(1, 4)}).is_ok()) << t;
    ASSERT_TRUE(load(t, IfExists::kReplace, {people(1, 6)}).is_ok()) << t;
    std::string quoted;
    for (char c : t) quoted += c == '`' ? std::string("``") : std::string(1, c);
    EXPECT_EQ(db_->one("SELECT COUNT(*) FROM `" + quoted + "`"), "6") << t;
    EXPECT_TRUE(db_->exec("DROP TABLE `" + quoted + "`")) << db_->error();
  }
  EXPECT_TRUE(db_->tables_like("_sluice_staging_" + table_.substr(0, 10)).empty());
}

TEST_F(MysqlSinkTest, PermissionErrorsAreClearAndChangeNothing) {
  SLUICE_REQUIRE_MYSQL();
  ASSERT_TRUE(load(table_, IfExists::kReplace, {people(1, 5)}).is_ok());
  const std::string before = db_->dump(table_);
  const std::string readonly = env("SLUICE_TEST_MYSQL_READONLY_URL");
  for (IfExists mode : {IfExists::kReplace, IfExists::kAppend}) {
    const auto st = load(table_, mode, {people(10, 5)}, true, people_schema(), readonly);
    ASSERT_FALSE(st.is_ok());
    EXPECT_EQ(st.code(), common::Code::kUnavailable);
    EXPECT_NE(st.message().find("denied"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("sluice_ro:***@"), std::string::npos) << st.message();
    EXPECT_EQ(st.message().find("r3ad-only"), std::string::npos) << st.message();
    EXPECT_EQ(db_->dump(table_), before);
  }
}

// The connection id of the load into `table` now running, from the server's process list.
std::string loading_connection(Db& db, const std::string& table) {
  for (int i = 0; i < 200; ++i) {
    const std::string id = db.one("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE '%" + table +
                                  "%' AND (INFO LIKE 'LOAD "
                                  "DATA%' OR INFO LIKE 'INSERT%') AND ID <> CONNECTION_ID() LIMIT 1");
    if (!id.empty()) return id;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return "";
}

// KILL of the sink's connection from a second session at a random point of the load, over and over:
// the load fails with a clear error, the previous table is intact every time, no work table survives.
void kill_rounds(Db& db, const std::string& table, IfExists mode) {
  const int rounds = std::max(
      1, std::atoi(env("SLUICE_MYSQL_KILL_ROUNDS").empty() ? "20" : env("SLUICE_MYSQL_KILL_ROUNDS").c_str()));
  ASSERT_TRUE(load(table, IfExists::kReplace, {people(1, 300)}).is_ok());
  const std::string before = db.dump(table);
  std::mt19937 random(static_cast<unsigned>(std::random_device{}()));
  Db killer(mysql_test::url());
  for (int round = 0; round < rounds; ++round) {
    const int kill_after = static_cast<int>(random() % 6);  // batches written before the kill
    auto sink = internal::open_mysql_sink(mysql_test::url(), options_for(table, mode));
    ASSERT_TRUE(sink.is_ok()) << sink.status().message();
    ASSERT_TRUE((*sink)->begin(people_schema()));
    common::Status st;
    for (int i = 0; i < 8 && st.is_ok(); ++i) {
      if (i == kill_after) {
        const std::string id = loading_connection(killer, table);
        ASSERT_FALSE(id.empty()) << "no load of " << table << " in the process list";
        EXPECT_TRUE(killer.exec("KILL " + id)) << killer.error();
      }
      st = (*sink)->write(people(10000 + i * 2000, 2000));
    }
    if (st.is_ok()) st = (*sink)->commit();
    ASSERT_FALSE(st.is_ok()) << "round " << round << ": the load survived KILL";
    EXPECT_EQ(st.code(), common::Code::kUnavailable) << st.message();
    EXPECT_NE(st.message().find(":***@"), std::string::npos) << st.message();
    EXPECT_EQ(st.message().find("s3cr"), std::string::npos) << st.message();
    (*sink)->abort();
    ASSERT_EQ(db.dump(table), before) << "round " << round << " (kill after " << kill_after << " batches)";
  }
  ASSERT_TRUE(load(table, IfExists::kReplace, {people(1, 300)}).is_ok());
  EXPECT_TRUE(work_tables(db, table).empty());
}

TEST_F(MysqlSinkTest, KilledConnectionDuringReplaceLeavesThePreviousTable) {
  SLUICE_REQUIRE_MYSQL();
  kill_rounds(*db_, table_, IfExists::kReplace);
}

TEST_F(MysqlSinkTest, KilledConnectionDuringAppendLeavesThePreviousTable) {
  SLUICE_REQUIRE_MYSQL();
  kill_rounds(*db_, table_, IfExists::kAppend);
}

// Turns local infile off on the server for the life of the object. Other tests running meanwhile take the
// INSERT path too, which they must survive anyway.
class NoLocalInfile {
 public:
  NoLocalInfile() : root_(mysql_test::root_url()) {
    ok_ = root_.exec("SET GLOBAL local_infile = 0");
    EXPECT_TRUE(ok_) << root_.error();
  }
  ~NoLocalInfile() { EXPECT_TRUE(root_.exec("SET GLOBAL local_infile = 1")) << root_.error(); }
  bool ok() const { return ok_; }

 private:
  Db root_;
  bool ok_ = false;
};

TEST_F(MysqlSinkTest, FallsBackToInsertsWhenTheServerRefusesLocalInfile) {
  SLUICE_REQUIRE_MYSQL();
  // The same rows through LOAD DATA first, as the reference for the INSERT path.
  const std::vector<std::string> hostile = {
      "O'Brien; DROP TABLE x",     "tab\there", "new\nline",        "back\\slash",
      std::string("nul\0byte", 8), "\\N",       "Zoë 東京 🙂", ""};
  std::vector<Batch> batches;
  for (int i = 0; i < 20; ++i) batches.push_back(people(1 + i * 15000, 15000));
  for (size_t i = 0; i < hostile.size(); ++i) batches[3].columns[1][i] = hostile[i];
  const std::string reference = table_ + "_ref";
  db_->drop(reference);
  ASSERT_TRUE(load(reference, IfExists::kReplace, batches).is_ok());
  auto com_insert = [&] {
    const auto r = db_->rows("SHOW GLOBAL STATUS LIKE 'Com_insert'");
    return r.empty() ? 0LL : std::stoll(r[0][1].value_or("0"));
  };
  {
    NoLocalInfile off;
    ASSERT_TRUE(off.ok());
    const long long inserts_before = com_insert();
    ASSERT_TRUE(load(table_, IfExists::kReplace, batches).is_ok());
    // 300,000 rows of some 65 bytes do not fit one max_allowed_packet (16 MB): several INSERTs.
    EXPECT_GE(com_insert() - inserts_before, 2);
    // append through INSERTs is one transaction as well
    const std::string before = db_->dump(table_);
    ASSERT_TRUE(load(table_, IfExists::kAppend, {people(1, 10)}, /*commit=*/false).is_ok());
    EXPECT_EQ(db_->dump(table_), before);
  }
  EXPECT_EQ(db_->one("SELECT COUNT(*) FROM `" + table_ + "`"), "300000");
  EXPECT_EQ(db_->dump(table_), db_->dump(reference));
  const auto names =
      db_->rows("SELECT name FROM `" + table_ + "` WHERE id BETWEEN 45001 AND 45008 ORDER BY id");
  ASSERT_EQ(names.size(), hostile.size());
  for (size_t i = 0; i < hostile.size(); ++i) EXPECT_EQ(names[i][0].value_or("NULL"), hostile[i]) << i;
  db_->drop(reference);
}

}  // namespace
}  // namespace sluice::etl
