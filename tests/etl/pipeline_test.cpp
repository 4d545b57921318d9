// The runner end to end over real files: a CSV source, the reference pipeline, a real SQLite file.
#include "etl/pipeline.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "test_support/temp_dir.h"

namespace sluice::etl {
namespace {

using testing::TempDir;

const char* kHeader = "id,first_name,last_name,email,gender,ip_address\n";

std::string scalar(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  std::string out = "<error>";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(stmt, 0);
    out = t ? reinterpret_cast<const char*>(t) : "NULL";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

struct Loaded {
  RunResult result;
  std::string db;
};

RunResult load(const TempDir& dir, const std::string& csv, RunOptions options = {}, size_t batch_rows = 2) {
  const std::string path = dir.write("in.csv", csv);
  SourceOptions so;
  so.batch_rows = batch_rows;
  auto source = open_source(path, so);
  EXPECT_TRUE(source.is_ok()) << source.status().message();
  if (!source) return {};
  auto sink = open_sink("sqlite:///" + dir.file("out.db"), {});
  EXPECT_TRUE(sink.is_ok());
  Pipeline pipeline = reference_pipeline();
  return run_pipeline(**source, pipeline, sink->get(), options);
}

TEST(Pipeline, ReferencePipelineLoadsTheReferenceTable) {
  TempDir dir;
  RunResult r = load(dir, std::string(kHeader) +
                              "1,Ada,Lovelace,email@example.name,Female,8.8.8.8\n"
                              "2,Zoë,Brontë,1234567890@example.com,Agender,10.0.0.1\n"
                              "3,Li,Wei,x@example.co.jp,Male,2001:4860:4860::8888\n");
  ASSERT_TRUE(r.status.is_ok()) << r.status.message();
  EXPECT_EQ(r.summary.rows_loaded, 3u);
  const std::string db = dir.file("out.db");
  EXPECT_EQ(
      scalar(db, "SELECT group_concat(name || ' ' || type, ', ') FROM pragma_table_info('data_engineering')"),
      "id BIGINT, gender TEXT, ip_address TEXT, is_public_ip BOOLEAN, full_name TEXT, obfuscated_email TEXT");
  EXPECT_EQ(scalar(db, "SELECT group_concat(is_public_ip) FROM data_engineering"), "1,0,1");
  EXPECT_EQ(scalar(db, "SELECT full_name FROM data_engineering WHERE id=2"), "Zoë Brontë");
  EXPECT_EQ(scalar(db, "SELECT obfuscated_email FROM data_engineering WHERE id=1"),
            "2ef659be1fc27bd70f99043e7ad2a27a");
}

TEST(Pipeline, BadValueFailsWithCellLocationAndLeavesTargetUntouched) {
  TempDir dir;
  ASSERT_TRUE(load(dir, std::string(kHeader) + "1,A,B,a@b.c,Male,1.1.1.1\n").status.is_ok());
  RunResult r = load(dir, std::string(kHeader) +
                              "1,A,B,a@b.c,Male,1.1.1.1\n2,A,B,a@b.c,Male,2.2.2.2\n"
                              "3,C,D,c@d.e,Male,999.1.2.3\n");
  ASSERT_FALSE(r.status.is_ok());
  EXPECT_EQ(r.failed_stage, Stage::kValue);
  EXPECT_NE(r.status.message().find("in.csv:4"), std::string::npos) << r.status.message();
  EXPECT_NE(r.status.message().find("'999.1.2.3' is not an IPv4 or IPv6 address"), std::string::npos);
  EXPECT_EQ(scalar(dir.file("out.db"), "SELECT count(*) FROM data_engineering"), "1");
}

TEST(Pipeline, SkipAndNullPoliciesWithRejectsFile) {
  TempDir dir;
  const std::string csv = std::string(kHeader) +
                          "1,A,B,a@b.c,Male,1.1.1.1\n2,C,D,c@d.e,Male,not-an-ip\n"
                          "3,E,F,e@f.g,Male,10.1.1.1\n";
  RunOptions skip;
  skip.on_error = OnError::kSkip;
  skip.rejects_path = dir.file("rejects.csv");
  RunResult r = load(dir, csv, skip);
  ASSERT_TRUE(r.status.is_ok()) << r.status.message();
  EXPECT_EQ(r.summary.rows_read, 3u);
  EXPECT_EQ(r.summary.rows_loaded, 2u);
  EXPECT_EQ(r.summary.rows_rejected, 1u);
  EXPECT_EQ(scalar(dir.file("out.db"), "SELECT group_concat(id) FROM data_engineering"), "1,3");
  const std::string rejects = testing::read_file(dir.file("rejects.csv"));
  EXPECT_NE(rejects.find("location,reason,action,id,first_name,last_name,email,gender,ip_address"),
            std::string::npos)
      << rejects;
  EXPECT_NE(rejects.find(",skip,2,C,D,c@d.e,Male,not-an-ip"), std::string::npos) << rejects;

  RunOptions null;
  null.on_error = OnError::kNull;
  r = load(dir, csv, null);
  ASSERT_TRUE(r.status.is_ok());
  EXPECT_EQ(r.summary.rows_loaded, 3u);
  EXPECT_EQ(r.summary.values_nulled, 1u);
  EXPECT_EQ(
      scalar(dir.file("out.db"), "SELECT ifnull(is_public_ip, 'NULL') FROM data_engineering WHERE id=2"),
      "NULL");
}

TEST(Pipeline, MissingColumnIsReportedBeforeAnythingIsWritten) {
  TempDir dir;
  RunResult r = load(dir, "id,name,ip_address\n1,x,1.1.1.1\n");
  ASSERT_FALSE(r.status.is_ok());
  EXPECT_EQ(r.failed_stage, Stage::kTransform);
  EXPECT_NE(r.status.message().find("id, name, ip_address"), std::string::npos) << r.status.message();
}

TEST(Pipeline, PreviewStopsAfterMaxRowsWithoutASink) {
  TempDir dir;
  std::string csv = kHeader;
  for (int i = 1; i <= 50; ++i) csv += std::to_string(i) + ",A,B,a@b.c,Male,1.1.1.1\n";
  const std::string path = dir.write("in.csv", csv);
  SourceOptions so;
  so.batch_rows = 4;
  auto source = open_source(path, so);
  ASSERT_TRUE(source.is_ok());
  Pipeline pipeline = reference_pipeline();
  RunOptions opts;
  opts.max_rows = 6;
  size_t seen = 0;
  opts.on_batch = [&](const Schema&, const Batch& b) { seen += b.num_rows(); };
  RunResult r = run_pipeline(**source, pipeline, nullptr, opts);
  ASSERT_TRUE(r.status.is_ok());
  EXPECT_EQ(seen, 6u);
  EXPECT_EQ(r.summary.rows_loaded, 6u);
}

TEST(Pipeline, HeaderOnlyCreatesEmptyTable) {
  TempDir dir;
  RunResult r = load(dir, kHeader);
  ASSERT_TRUE(r.status.is_ok()) << r.status.message();
  EXPECT_EQ(scalar(dir.file("out.db"), "SELECT count(*) FROM pragma_table_info('data_engineering')"), "6");
}

}  // namespace
}  // namespace sluice::etl
