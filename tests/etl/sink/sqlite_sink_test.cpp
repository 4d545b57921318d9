#include <gtest/gtest.h>
#include <sqlite3.h>

#include "etl/sink/database_url.h"
#include "etl/sink/sink.h"
#include "test_support/temp_dir.h"

namespace sluice::etl {
namespace {

using testing::TempDir;

// Runs a query on a separate connection and returns rows as "a|b|c" strings.
std::vector<std::string> query(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::vector<std::string> rows;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    rows.push_back(std::string("error: ") + sqlite3_errmsg(db));
  } else {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        if (c) row += "|";
        const unsigned char* text = sqlite3_column_text(stmt, c);
        row += text ? reinterpret_cast<const char*>(text) : "NULL";
      }
      rows.push_back(row);
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

Schema people_schema() {
  return {{"id", ColumnType::kInt, ""},
          {"name", ColumnType::kText, ""},
          {"ok", ColumnType::kBool, ""},
          {"score", ColumnType::kDouble, ""},
          {"seen", ColumnType::kDateTime, ""}};
}

Batch people(std::initializer_list<int64_t> ids) {
  Batch b;
  b.columns.resize(5);
  for (int64_t id : ids) {
    b.columns[0].push_back(id);
    if (id == 2) {
      b.columns[1].emplace_back();
    } else {
      b.columns[1].emplace_back("name " + std::to_string(id));
    }
    b.columns[2].push_back(id % 2 == 0);
    b.columns[3].push_back(static_cast<double>(id) + 0.5);
    b.columns[4].push_back(DateTime{id * 86400LL * 1000000, DateTime::Kind::kDateTime});
    b.source_rows.push_back(static_cast<uint64_t>(id) + 1);
  }
  return b;
}

common::Status load(const std::string& url, IfExists mode, const Batch& batch, bool commit = true) {
  auto sink = open_sink(url, {"people", mode});
  if (!sink) return sink.status();
  SLUICE_RETURN_IF_ERROR((*sink)->begin(people_schema()));
  SLUICE_RETURN_IF_ERROR((*sink)->write(batch));
  if (commit) return (*sink)->commit();
  (*sink)->abort();
  return {};
}

TEST(SqliteSink, CreatesTableWithPandasTypesAndValues) {
  TempDir dir;
  const std::string db = dir.file("t.db");
  ASSERT_TRUE(load("sqlite:///" + db, IfExists::kReplace, people({1, 2})).is_ok());
  EXPECT_EQ(
      query(db, "SELECT name, type FROM pragma_table_info('people')"),
      (std::vector<std::string>{"id|BIGINT", "name|TEXT", "ok|BOOLEAN", "score|FLOAT", "seen|DATETIME"}));
  EXPECT_EQ(query(db, "SELECT * FROM people ORDER BY id"),
            (std::vector<std::string>{"1|name 1|0|1.5|1970-01-02 00:00:00.000000",
                                      "2|NULL|1|2.5|1970-01-03 00:00:00.000000"}));
  EXPECT_EQ(query(db, "SELECT typeof(id), typeof(ok), typeof(score) FROM people LIMIT 1"),
            (std::vector<std::string>{"integer|integer|real"}));
}

TEST(SqliteSink, ReplaceSwapsAndLeavesNoStagingTable) {
  TempDir dir;
  const std::string db = dir.file("t.db"), url = "sqlite:///" + db;
  ASSERT_TRUE(load(url, IfExists::kReplace, people({1, 2, 3})).is_ok());
  ASSERT_TRUE(load(url, IfExists::kReplace, people({7})).is_ok());
  EXPECT_EQ(query(db, "SELECT id FROM people"), std::vector<std::string>{"7"});
  EXPECT_EQ(query(db, "SELECT name FROM sqlite_master WHERE name LIKE '%staging%'"),
            std::vector<std::string>{});
}

TEST(SqliteSink, AbortedReplaceLeavesPreviousTableExactly) {
  TempDir dir;
  const std::string db = dir.file("t.db"), url = "sqlite:///" + db;
  ASSERT_TRUE(load(url, IfExists::kReplace, people({1, 2, 3})).is_ok());
  const auto before = query(db, "SELECT * FROM people ORDER BY id");
  ASSERT_TRUE(load(url, IfExists::kReplace, people({9, 10}), /*commit=*/false).is_ok());
  EXPECT_EQ(query(db, "SELECT * FROM people ORDER BY id"), before);
  EXPECT_EQ(query(db, "SELECT count(*) FROM sqlite_master"), std::vector<std::string>{"1"});
}

TEST(SqliteSink, SinkDestroyedMidLoadRollsBack) {
  TempDir dir;
  const std::string db = dir.file("t.db"), url = "sqlite:///" + db;
  ASSERT_TRUE(load(url, IfExists::kReplace, people({1})).is_ok());
  {
    auto sink = open_sink(url, {"people", IfExists::kReplace});
    ASSERT_TRUE(sink.is_ok());
    ASSERT_TRUE((*sink)->begin(people_schema()).is_ok());
    ASSERT_TRUE((*sink)->write(people({5, 6})).is_ok());
  }
  EXPECT_EQ(query(db, "SELECT id FROM people"), std::vector<std::string>{"1"});
}

TEST(SqliteSink, AppendAddsRowsAndCreatesMissingTable) {
  TempDir dir;
  const std::string db = dir.file("t.db"), url = "sqlite:///" + db;
  ASSERT_TRUE(load(url, IfExists::kAppend, people({1})).is_ok());
  ASSERT_TRUE(load(url, IfExists::kAppend, people({2, 3})).is_ok());
  EXPECT_EQ(query(db, "SELECT group_concat(id) FROM people"), std::vector<std::string>{"1,2,3"});
}

TEST(SqliteSink, FailRefusesExistingTable) {
  TempDir dir;
  const std::string db = dir.file("t.db"), url = "sqlite:///" + db;
  ASSERT_TRUE(load(url, IfExists::kFail, people({1})).is_ok());
  const common::Status st = load(url, IfExists::kFail, people({2}));
  EXPECT_EQ(st.code(), common::Code::kAlreadyExists);
  EXPECT_NE(st.message().find("already exists"), std::string::npos) << st.message();
  EXPECT_EQ(query(db, "SELECT id FROM people"), std::vector<std::string>{"1"});
}

TEST(SqliteSink, HostileNamesAndValuesArriveIntact) {
  TempDir dir;
  const std::string db = dir.file("t.db");
  auto sink = open_sink("sqlite:///" + db, {"we\"ird; DROP TABLE x", IfExists::kReplace});
  ASSERT_TRUE(sink.is_ok());
  Schema schema{{"co\"l", ColumnType::kText, ""}};
  ASSERT_TRUE((*sink)->begin(schema).is_ok());
  Batch b;
  const std::string nasty = std::string("O'Brien; DROP TABLE x\t\n\\") + '\0' + "end";
  b.columns = {{Value{nasty}}};
  b.source_rows = {2};
  ASSERT_TRUE((*sink)->write(b).is_ok());
  ASSERT_TRUE((*sink)->commit().is_ok());
  EXPECT_EQ(query(db, "SELECT length(CAST(\"co\"\"l\" AS BLOB)) FROM \"we\"\"ird; DROP TABLE x\""),
            std::vector<std::string>{std::to_string(nasty.size())});
}

TEST(SqliteSink, UnwritablePathIsAClearError) {
  auto sink = open_sink("sqlite:////nonexistent-dir/sub/t.db", {});
  ASSERT_FALSE(sink.is_ok());
  EXPECT_NE(sink.status().message().find("/nonexistent-dir/sub/t.db"), std::string::npos);
}

TEST(OpenSink, RejectsUnknownSchemeAndRedactsPassword) {
  auto sink = open_sink("oracle://scott:tiger@db/x", {});
  ASSERT_FALSE(sink.is_ok());
  EXPECT_EQ(sink.status().message().find("tiger"), std::string::npos) << sink.status().message();
  EXPECT_EQ(redact_url("mysql://u:p%40ss@h:3306/db"), "mysql://u:***@h:3306/db");
  EXPECT_EQ(redact_url("sqlite:///a.db"), "sqlite:///a.db");
  EXPECT_EQ(redact_url("postgresql://h/db?sslmode=require&password=hunter2&x=1"),
            "postgresql://h/db?sslmode=require&password=***&x=1");
}

}  // namespace
}  // namespace sluice::etl
