// The PostgreSQL sink against the throwaway server of scripts/services.d/postgresql. Every test uses its own
// table (named after the test), so that ctest may run them in parallel.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "etl/sink/postgres_test_server.h"
#include "etl/sink/sink.h"

namespace sluice::etl {
namespace {

using pgtest::Admin;

std::string ident(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

class PostgresSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SLUICE_REQUIRE_POSTGRES();
    table_ = std::string("pg_") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    url_ = pgtest::with_param(pgtest::server_url(), "application_name=" + table_);
    drop_all();
  }
  void TearDown() override {
    if (!table_.empty()) drop_all();
  }
  void drop_all() {
    admin_.exec("DROP TABLE IF EXISTS " + ident(table_));
    admin_.exec("DROP TABLE IF EXISTS " + ident("_sluice_staging_" + table_));
  }

  static Schema people_schema() {
    return {{"id", ColumnType::kInt, ""},
            {"name", ColumnType::kText, ""},
            {"ok", ColumnType::kBool, ""},
            {"score", ColumnType::kDouble, ""},
            {"seen", ColumnType::kDateTime, ""}};
  }

  static Batch people(int64_t first, int64_t count) {
    Batch b;
    b.columns.resize(5);
    for (int64_t id = first; id < first + count; ++id) {
      b.columns[0].push_back(id);
      b.columns[1].push_back(id == 2 ? Value{} : Value{"name " + std::to_string(id) + " é"});
      b.columns[2].push_back(id % 2 == 0);
      b.columns[3].push_back(static_cast<double>(id) + 0.5);
      b.columns[4].push_back(DateTime{id * 86400LL * 1000000 + 123456, DateTime::Kind::kDateTime});
      b.source_rows.push_back(static_cast<uint64_t>(id) + 1);
    }
    return b;
  }

  common::Result<std::unique_ptr<Sink>> open(IfExists mode, const std::string& url = "") {
    SinkOptions options;
    options.table = table_;
    options.if_exists = mode;
    options.connect_retries = 0;
    return internal::open_postgres_sink(url.empty() ? url_ : url, options);
  }

  common::Status load(IfExists mode, const Batch& batch, bool commit = true) {
    auto sink = open(mode);
    if (!sink) return sink.status();
    SLUICE_RETURN_IF_ERROR((*sink)->begin(people_schema()));
    SLUICE_RETURN_IF_ERROR((*sink)->write(batch));
    if (commit) return (*sink)->commit();
    (*sink)->abort();
    return {};
  }

  std::vector<std::string> rows(const std::string& columns = "*") {
    return admin_.query("SELECT " + columns + " FROM " + ident(table_) + " ORDER BY 1");
  }
  std::string checksum() { return admin_.checksum(ident(table_)); }

  Admin admin_;
  std::string table_;
  std::string url_;
};

TEST_F(PostgresSinkTest, CreatesTableWithPandasTypesAndRoundTripsEveryValue) {
  ASSERT_TRUE(load(IfExists::kReplace, people(1, 2)).is_ok());
  EXPECT_EQ(admin_.query("SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                         "WHERE table_name = $1 ORDER BY ordinal_position",
                         {table_}),
            (std::vector<std::string>{"id|bigint|YES", "name|text|YES", "ok|boolean|YES",
                                      "score|double precision|YES", "seen|timestamp without time zone|YES"}));
  EXPECT_EQ(admin_.query("SELECT count(*) FROM information_schema.table_constraints WHERE table_name = $1",
                         {table_}),
            std::vector<std::string>{"0"});  // no key, as pandas
  EXPECT_EQ(rows(), (std::vector<std::string>{"1|name 1 é|f|1.5|1970-01-02 00:00:00.123456",
                                              "2|NULL|t|2.5|1970-01-03 00:00:00.123456"}));
}

TEST_F(PostgresSinkTest, ExtremeValuesRoundTrip) {
  auto sink = open(IfExists::kReplace);
  ASSERT_TRUE(sink.is_ok()) << sink.status().message();
  Schema schema{
      {"i", ColumnType::kInt, ""}, {"d", ColumnType::kDouble, ""}, {"t", ColumnType::kDateTime, ""}};
  ASSERT_TRUE((*sink)->begin(schema).is_ok());
  Batch b;
  b.columns = {
      {int64_t{INT64_MIN}, int64_t{INT64_MAX}, Value{}},
      {0.1, 1e-300, std::numeric_limits<double>::quiet_NaN()},
      {DateTime{0, DateTime::Kind::kDate}, DateTime{253402300799999999, DateTime::Kind::kDateTime}, Value{}}};
  b.source_rows = {2, 3, 4};
  ASSERT_TRUE((*sink)->write(b).is_ok());
  ASSERT_TRUE((*sink)->commit().is_ok());
  EXPECT_EQ(rows("i, d, t"), (std::vector<std::string>{
                                 "-9223372036854775808|0.1|1970-01-01 00:00:00",
                                 "9223372036854775807|1e-300|9999-12-31 23:59:59.999999", "NULL|NULL|NULL"}));
}

TEST_F(PostgresSinkTest, HostileNamesAndValuesArriveIntact) {
  table_ = "we\"ird'; DROP TABLE x;\t\\";
  drop_all();
  auto sink = open(IfExists::kReplace);
  ASSERT_TRUE(sink.is_ok()) << sink.status().message();
  const std::string column = "co\"l'\n\\";
  ASSERT_TRUE((*sink)->begin({{column, ColumnType::kText, ""}}).is_ok());
  const std::vector<std::string> nasty = {
      "O'Brien; DROP TABLE x", "tab\there", "new\nline", "back\\slash", "\\N", "\\.", "cr\r\nlf",
      "😀 Ærøskøbing",          ""};
  Batch b;
  b.columns.resize(1);
  for (size_t i = 0; i < nasty.size(); ++i) {
    b.columns[0].push_back(nasty[i]);
    b.source_rows.push_back(i + 2);
  }
  ASSERT_TRUE((*sink)->write(b).is_ok());
  const common::Status st = (*sink)->commit();
  ASSERT_TRUE(st.is_ok()) << st.message();
  std::vector<std::string> want = nasty;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(admin_.query("SELECT " + ident(column) + " FROM " + ident(table_) + " ORDER BY " + ident(column) +
                         " COLLATE \"C\""),
            want);
  EXPECT_EQ(admin_.query("SELECT count(*) FROM pg_class WHERE relname = 'x'"), std::vector<std::string>{"0"});
}

TEST_F(PostgresSinkTest, NulByteIsRefusedNamingTheColumnAndTheTableIsKept) {
  ASSERT_TRUE(load(IfExists::kReplace, people(1, 3)).is_ok());
  const std::string before = checksum();
  Batch b = people(10, 3);
  b.columns[1][1] = std::string("a\0b", 3);
  const common::Status st = load(IfExists::kReplace, b);
  EXPECT_EQ(st.code(), common::Code::kInvalidInput);
  EXPECT_NE(st.message().find("column 'name' (TEXT), input row 12"), std::string::npos) << st.message();
  EXPECT_EQ(checksum(), before);
  EXPECT_TRUE(admin_.staging_tables(table_).empty());
}

TEST_F(PostgresSinkTest, ReplaceSwapsAndLeavesNoStagingTable) {
  ASSERT_TRUE(load(IfExists::kReplace, people(1, 3)).is_ok());
  ASSERT_TRUE(load(IfExists::kReplace, people(7, 1)).is_ok());
  EXPECT_EQ(rows("id"), std::vector<std::string>{"7"});
  EXPECT_TRUE(admin_.staging_tables(table_).empty());
}

TEST_F(PostgresSinkTest, ReplaceIsInvisibleUntilCommit) {
  ASSERT_TRUE(load(IfExists::kReplace, people(1, 3)).is_ok());
  auto sink = open(IfExists::kReplace);
  ASSERT_TRUE(sink.is_ok());
  ASSERT_TRUE((*sink)->begin(people_schema()).is_ok());
  ASSERT_TRUE((*sink)->write(people(100, 5000)).is_ok());
  EXPECT_EQ(rows("count(*)"), std::vector<std::string>{"3"});  // other sessions still read the old table
  EXPECT_TRUE(admin_.staging_tables(table_).empty());          // uncommitted: nobody else sees it
  ASSERT_TRUE((*sink)->commit().is_ok());
  EXPECT_EQ(rows("count(*)"), std::vector<std::string>{"5000"});
}

TEST_F(PostgresSinkTest, AbortedReplaceLeavesPreviousTableExactly) {
  ASSERT_TRUE(load(IfExists::kReplace, people(1, 3)).is_ok());
  const std::string before = checksum();
  ASSERT_TRUE(load(IfExists::kReplace, people(9, 2), /*commit=*/false).is_ok());
  EXPECT_EQ(checksum(), before);
  EXPECT_TRUE(admin_.staging_tables(table_).empty());
}

TEST_F(PostgresSinkTest, SinkDestroyedMidLoadRollsBack) {
  ASSERT_TRUE(load(IfExists::kReplace, people(1, 1)).is_ok());
  {
    auto sink = open(IfExists::kReplace);
    ASSERT_TRUE(sink.is_ok());
    ASSERT_TRUE((*sink)->begin(people_schema()).is_ok());
    ASSERT_TRUE((*sink)->write(people(5, 20000)).is_ok());
  }
  EXPECT_EQ(rows("id"), std::vector<std::string>{"1"});
  EXPECT_TRUE(admin_.staging_tables(table_).empty());
}

TEST_F(PostgresSinkTest, LeftoverStagingTableIsDroppedByTheNextRun) {
  // What a crashed run of a version that committed the staging table separately would leave.
  admin_.exec("CREATE TABLE " + ident("_sluice_staging_" + table_) + " (junk int)");
  admin_.exec("INSERT INTO " + ident("_sluice_staging_" + table_) + " VALUES (1)");
  ASSERT_EQ(admin_.staging_tables(table_).size(), 1u);
  ASSERT_TRUE(load(IfExists::kReplace, people(1, 2)).is_ok());
  EXPECT_TRUE(admin_.staging_tables(table_).empty());
  EXPECT_EQ(rows("id"), (std::vector<std::string>{"1", "2"}));
}

TEST_F(PostgresSinkTest, AppendAddsRowsAndCreatesMissingTable) {
  ASSERT_TRUE(load(IfExists::kAppend, people(1, 1)).is_ok());
  ASSERT_TRUE(load(IfExists::kAppend, people(2, 2)).is_ok());
  EXPECT_EQ(rows("id"), (std::vector<std::string>{"1", "2", "3"}));
}

TEST_F(PostgresSinkTest, AppendIsOneTransaction) {
  ASSERT_TRUE(load(IfExists::kAppend, people(1, 1)).is_ok());
  const std::string before = checksum();
  ASSERT_TRUE(load(IfExists::kAppend, people(2, 30000), /*commit=*/false).is_ok());
  EXPECT_EQ(checksum(), before);
  Batch bad = people(5, 3);
  bad.columns[2][2] = int64_t{7};  // not a boolean: refused before it is sent
  EXPECT_EQ(load(IfExists::kAppend, bad).code(), common::Code::kInvalidInput);
  EXPECT_EQ(checksum(), before);
}

TEST_F(PostgresSinkTest, AppendIntoATableWithOtherColumnsIsAClearError) {
  admin_.exec("CREATE TABLE " + ident(table_) + " (id bigint, other text)");
  const common::Status st = load(IfExists::kAppend, people(1, 2));
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("column \"name\" of relation"), std::string::npos) << st.message();
  EXPECT_EQ(rows("count(*)"), std::vector<std::string>{"0"});
}

TEST_F(PostgresSinkTest, FailRefusesExistingTable) {
  ASSERT_TRUE(load(IfExists::kFail, people(1, 1)).is_ok());
  const common::Status st = load(IfExists::kFail, people(2, 1));
  EXPECT_EQ(st.code(), common::Code::kAlreadyExists);
  EXPECT_NE(st.message().find("already exists"), std::string::npos) << st.message();
  EXPECT_EQ(rows("id"), std::vector<std::string>{"1"});
}

TEST_F(PostgresSinkTest, EmptyLoadCreatesAnEmptyTable) {
  auto sink = open(IfExists::kReplace);
  ASSERT_TRUE(sink.is_ok());
  ASSERT_TRUE((*sink)->begin(people_schema()).is_ok());
  ASSERT_TRUE((*sink)->commit().is_ok());
  EXPECT_EQ(rows("count(*)"), std::vector<std::string>{"0"});
}

TEST_F(PostgresSinkTest, ManyBatchesLargerThanOneCopyChunk) {
  auto sink = open(IfExists::kReplace);
  ASSERT_TRUE(sink.is_ok());
  ASSERT_TRUE((*sink)->begin(people_schema()).is_ok());
  for (int64_t i = 0; i < 10; ++i) ASSERT_TRUE((*sink)->write(people(1 + i * 20000, 20000)).is_ok());
  ASSERT_TRUE((*sink)->commit().is_ok());
  EXPECT_EQ(rows("count(*), sum(id), count(name), sum(ok::int)"),
            std::vector<std::string>{"200000|20000100000|199999|100000"});
}

TEST_F(PostgresSinkTest, SchemaParameterPutsTheTableThere) {
  admin_.exec("CREATE SCHEMA IF NOT EXISTS sluice_elsewhere");
  admin_.exec("DROP TABLE IF EXISTS sluice_elsewhere." + ident(table_));
  auto sink = open(IfExists::kReplace, pgtest::with_param(url_, "schema=sluice_elsewhere"));
  ASSERT_TRUE(sink.is_ok()) << sink.status().message();
  ASSERT_TRUE((*sink)->begin(people_schema()).is_ok());
  ASSERT_TRUE((*sink)->write(people(1, 2)).is_ok());
  ASSERT_TRUE((*sink)->commit().is_ok());
  EXPECT_EQ(admin_.query("SELECT count(*) FROM sluice_elsewhere." + ident(table_)),
            std::vector<std::string>{"2"});
  EXPECT_EQ(admin_.query("SELECT count(*) FROM pg_class WHERE relname = $1", {table_}),
            std::vector<std::string>{"1"});
  admin_.exec("DROP TABLE sluice_elsewhere." + ident(table_));
}

TEST_F(PostgresSinkTest, MissingSchemaIsAClearError) {
  auto sink = open(IfExists::kReplace, pgtest::with_param(url_, "schema=no_such_schema"));
  ASSERT_TRUE(sink.is_ok()) << sink.status().message();
  const common::Status st = (*sink)->begin(people_schema());
  EXPECT_NE(st.message().find("schema \"no_such_schema\" does not exist"), std::string::npos) << st.message();
}

TEST_F(PostgresSinkTest, PermissionErrorIsClearAndTheTableIsKept) {
  const std::string reader = pgtest::env("SLUICE_TEST_POSTGRES_READER_URL");
  if (reader.empty()) GTEST_SKIP() << "SLUICE_TEST_POSTGRES_READER_URL is not set";
  ASSERT_TRUE(load(IfExists::kReplace, people(1, 3)).is_ok());
  const std::string before = checksum();
  auto sink = open(IfExists::kReplace, reader);
  ASSERT_TRUE(sink.is_ok()) << sink.status().message();
  const common::Status st = (*sink)->begin(people_schema());
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), common::Code::kUnavailable);
  EXPECT_NE(st.message().find("permission denied"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("sluice_reader:***@"), std::string::npos) << st.message();
  (*sink)->abort();
  EXPECT_EQ(checksum(), before);
}

TEST_F(PostgresSinkTest, NamesPostgresWouldTruncateAreRefused) {
  table_ = std::string(64, 't');
  auto sink = open(IfExists::kReplace);
  ASSERT_FALSE(sink.is_ok());
  EXPECT_NE(sink.status().message().find("longer than 63 bytes"), std::string::npos);
  table_ = "pg_NamesPostgresWouldTruncateAreRefused";
  auto ok = open(IfExists::kReplace);
  ASSERT_TRUE(ok.is_ok());
  const common::Status st = (*ok)->begin({{std::string(70, 'c'), ColumnType::kInt, ""}});
  EXPECT_EQ(st.code(), common::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("column name"), std::string::npos) << st.message();
}

TEST_F(PostgresSinkTest, LongTableNameGetsATruncatedButRecognisableStagingTable) {
  table_ = std::string(60, 'L');
  drop_all();
  // PostgreSQL keeps 63 bytes of a name: a leftover of this table is "_sluice_staging_LLL...L" cut there.
  const std::string leftover = ("_sluice_staging_" + table_).substr(0, 63);
  admin_.exec("CREATE TABLE " + ident(leftover) + " (junk int)");
  ASSERT_TRUE(load(IfExists::kReplace, people(1, 2)).is_ok());
  EXPECT_EQ(admin_.query("SELECT count(*) FROM pg_class WHERE relname = $1", {leftover}),
            std::vector<std::string>{"0"});
  EXPECT_EQ(rows("count(*)"), std::vector<std::string>{"2"});
}

// The server ends the loading backend mid-load (pg_terminate_backend, as an administrator or a failover
// would): a clear error, and the previous table as it was.
TEST_F(PostgresSinkTest, TerminatedBackendMidLoadKeepsThePreviousTable) {
  ASSERT_TRUE(load(IfExists::kReplace, people(1, 3)).is_ok());
  const std::string before = checksum();
  auto sink = open(IfExists::kReplace);
  ASSERT_TRUE(sink.is_ok());
  ASSERT_TRUE((*sink)->begin(people_schema()).is_ok());
  ASSERT_TRUE((*sink)->write(people(100, 20000)).is_ok());
  EXPECT_EQ(admin_.query(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
                {table_}),
            std::vector<std::string>{"1"});
  common::Status st;
  for (int i = 0; i < 50 && st.is_ok(); ++i) st = (*sink)->write(people(100000 + i * 20000, 20000));
  if (st.is_ok()) st = (*sink)->commit();
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), common::Code::kUnavailable);
  EXPECT_NE(st.message().find("is unchanged"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find(pgtest::server_password()), std::string::npos);
  (*sink)->abort();
  (*sink)->abort();  // twice is fine
  EXPECT_EQ(checksum(), before);
  EXPECT_TRUE(admin_.staging_tables(table_).empty());
}

// The network path dies mid-load (a proxy resets both sides after 3 MB).
TEST_F(PostgresSinkTest, LostConnectionMidLoadKeepsThePreviousTable) {
  ASSERT_TRUE(load(IfExists::kReplace, people(1, 3)).is_ok());
  const std::string before = checksum();
  const auto [host, port] = pgtest::server_address();
  pgtest::TcpProxy proxy(host, port, 0, /*cut_after_bytes=*/3 << 20);
  const std::string url = pgtest::with_param(
      pgtest::with_authority(url_, "127.0.0.1:" + std::to_string(proxy.port())), "sslmode=disable");
  auto sink = open(IfExists::kReplace, url);
  ASSERT_TRUE(sink.is_ok()) << sink.status().message();
  ASSERT_TRUE((*sink)->begin(people_schema()).is_ok());
  common::Status st;
  for (int i = 0; i < 100 && st.is_ok(); ++i) st = (*sink)->write(people(1 + i * 20000, 20000));
  if (st.is_ok()) st = (*sink)->commit();
  ASSERT_FALSE(st.is_ok());
  EXPECT_TRUE(proxy.cut());
  EXPECT_EQ(st.code(), common::Code::kUnavailable);
  EXPECT_NE(st.message().find("is unchanged"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find(pgtest::server_password()), std::string::npos);
  (*sink)->abort();
  // The server notices the reset at once; its rollback leaves the old table and no staging table.
  EXPECT_EQ(checksum(), before);
  EXPECT_TRUE(admin_.staging_tables(table_).empty());
}

TEST_F(PostgresSinkTest, TlsVerifiedLoad) {
  const std::string ca = pgtest::env("SLUICE_TEST_POSTGRES_CA");
  if (ca.empty()) GTEST_SKIP() << "SLUICE_TEST_POSTGRES_CA is not set";
  const auto [host, port] = pgtest::server_address();
  auto sink = open(IfExists::kReplace,
                   pgtest::with_param(pgtest::with_authority(url_, "localhost:" + std::to_string(port)),
                                      "sslmode=verify-full&sslrootcert=" + ca));
  ASSERT_TRUE(sink.is_ok()) << sink.status().message();
  ASSERT_TRUE((*sink)->begin(people_schema()).is_ok());
  ASSERT_TRUE((*sink)->write(people(1, 1000)).is_ok());
  ASSERT_TRUE((*sink)->commit().is_ok());
  EXPECT_EQ(rows("count(*)"), std::vector<std::string>{"1000"});
  auto refused =
      open(IfExists::kReplace, pgtest::with_param(url_, "sslmode=verify-ca&sslrootcert=" +
                                                            pgtest::env("SLUICE_TEST_POSTGRES_WRONG_CA")));
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("certificate verify failed"), std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace sluice::etl
