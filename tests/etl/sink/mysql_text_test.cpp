#include "etl/sink/mysql_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sluice::etl::internal {
namespace {

Batch one_column(std::vector<Value> values) {
  Batch b;
  b.columns.resize(1);
  for (size_t i = 0; i < values.size(); ++i) {
    b.columns[0].push_back(values[i]);
    b.source_rows.push_back(i + 2);
  }
  return b;
}

std::string infile(const std::vector<Value>& values, ColumnType type = ColumnType::kText) {
  std::string out;
  const auto st = append_infile_rows({{"c", type, "A"}}, one_column(values), out);
  EXPECT_TRUE(st.is_ok()) << st.message();
  return out;
}

TEST(MysqlText, QuotesIdentifiersByDoublingBackticks) {
  EXPECT_EQ(mysql_quote_identifier("data_engineering"), "`data_engineering`");
  EXPECT_EQ(mysql_quote_identifier("we`ird'na me"), "`we``ird'na me`");
  EXPECT_EQ(mysql_quote_identifier("``"), "``````");
}

TEST(MysqlText, DeclaresThePandasColumnTypes) {
  EXPECT_STREQ(mysql_column_type(ColumnType::kInt), "BIGINT");
  EXPECT_STREQ(mysql_column_type(ColumnType::kText), "TEXT");
  EXPECT_STREQ(mysql_column_type(ColumnType::kBool), "BOOL");
  EXPECT_STREQ(mysql_column_type(ColumnType::kDouble), "DOUBLE");
  EXPECT_STREQ(mysql_column_type(ColumnType::kDateTime), "DATETIME");
  EXPECT_STREQ(mysql_column_type(ColumnType::kUnknown), "TEXT");
}

TEST(MysqlText, EscapesEveryByteThatLoadDataWouldReadAsStructure) {
  EXPECT_EQ(infile({std::string("plain")}), "plain\n");
  EXPECT_EQ(infile({std::string("a\tb")}), "a\\tb\n");
  EXPECT_EQ(infile({std::string("a\nb")}), "a\\nb\n");
  EXPECT_EQ(infile({std::string("a\rb")}), "a\\rb\n");
  EXPECT_EQ(infile({std::string("a\\b")}), "a\\\\b\n");
  EXPECT_EQ(infile({std::string("a\0b", 3)}), "a\\0b\n");
  // The text \N must not read back as NULL: its backslash is escaped.
  EXPECT_EQ(infile({std::string("\\N")}), "\\\\N\n");
  EXPECT_EQ(infile({std::string("O'Brien; DROP TABLE x")}), "O'Brien; DROP TABLE x\n");
  EXPECT_EQ(infile({std::string("Zoë 東京")}), "Zoë 東京\n");
  EXPECT_EQ(infile({std::string("")}), "\n");
  EXPECT_EQ(infile({Value{}}), "\\N\n");
}

TEST(MysqlText, WritesNumbersBooleansAndDatesAsTheServerReadsThem) {
  EXPECT_EQ(infile({int64_t{0}, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()},
                   ColumnType::kInt),
            "0\n-9223372036854775808\n9223372036854775807\n");
  EXPECT_EQ(infile({true, false}, ColumnType::kBool), "1\n0\n");
  EXPECT_EQ(infile({0.1, -2.5, 1e300, 5e-324}, ColumnType::kDouble), "0.1\n-2.5\n1e+300\n5e-324\n");
  EXPECT_EQ(infile({std::nan("")}, ColumnType::kDouble), "\\N\n");
  const int64_t day = 86400LL * 1000000;
  EXPECT_EQ(infile({DateTime{day + 1, DateTime::Kind::kDateTime}}, ColumnType::kDateTime),
            "1970-01-02 00:00:00.000001\n");
  EXPECT_EQ(infile({DateTime{day, DateTime::Kind::kDate}}, ColumnType::kDateTime), "1970-01-02\n");
  // Times go to a TIME column (issue 10, class 3), durations with their days as hours (TIME holds 838 h).
  EXPECT_EQ(infile({DateTime{3600LL * 1000000, DateTime::Kind::kTime}}, ColumnType::kTime), "01:00:00\n");
  EXPECT_EQ(infile({DateTime{26 * 3600LL * 1000000, DateTime::Kind::kTime}}, ColumnType::kTime),
            "26:00:00\n");
}

TEST(MysqlText, SeparatesFieldsByTabsAndRowsByNewlines) {
  Batch b;
  b.columns = {{int64_t{1}, int64_t{2}}, {std::string("x"), Value{}}};
  b.source_rows = {2, 3};
  std::string out;
  ASSERT_TRUE(append_infile_rows({{"id", ColumnType::kInt, "A"}, {"s", ColumnType::kText, "B"}}, b, out));
  EXPECT_EQ(out, "1\tx\n2\t\\N\n");
}

TEST(MysqlText, RefusesAnInfiniteNumberNamingColumnAndRow) {
  std::string out;
  const auto st = append_infile_rows({{"score", ColumnType::kDouble, "D"}},
                                     one_column({1.0, std::numeric_limits<double>::infinity()}), out);
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), common::Code::kInvalidInput);
  EXPECT_NE(st.message().find("'score'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("row 3"), std::string::npos) << st.message();
}

TEST(MysqlText, DoublesRoundTripThroughTheirText) {
  for (double d : {0.1, 1.0 / 3, 123456789.123456789, -1e-300, 2.0e22}) {
    std::string text;
    append_double(text, d);
    EXPECT_EQ(std::stod(text), d) << text;
  }
}

}  // namespace
}  // namespace sluice::etl::internal
