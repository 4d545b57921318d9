#include "etl/sink/postgres_copy_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sluice::etl::internal {
namespace {

Batch one_row(std::vector<Value> values, uint64_t source_row = 7) {
  Batch b;
  for (auto& v : values) b.columns.push_back({std::move(v)});
  b.source_rows = {source_row};
  return b;
}

std::string encode(const Schema& schema, std::vector<Value> values) {
  std::string out;
  const common::Status st = CopyTextEncoder(schema).append_row(one_row(std::move(values)), 0, out);
  EXPECT_TRUE(st.is_ok()) << st.message();
  return out;
}

common::Status encode_error(const Schema& schema, std::vector<Value> values, std::string& out) {
  return CopyTextEncoder(schema).append_row(one_row(std::move(values)), 0, out);
}

TEST(PostgresCopyText, DeclaresThePandasTypes) {
  EXPECT_STREQ(postgres_sql_type(ColumnType::kInt), "BIGINT");
  EXPECT_STREQ(postgres_sql_type(ColumnType::kDouble), "DOUBLE PRECISION");
  EXPECT_STREQ(postgres_sql_type(ColumnType::kBool), "BOOLEAN");
  EXPECT_STREQ(postgres_sql_type(ColumnType::kText), "TEXT");
  EXPECT_STREQ(postgres_sql_type(ColumnType::kDateTime), "TIMESTAMP WITHOUT TIME ZONE");
}

TEST(PostgresCopyText, EncodesEveryTypeAndNull) {
  const Schema schema{{"i", ColumnType::kInt, ""},       {"d", ColumnType::kDouble, ""},
                      {"b", ColumnType::kBool, ""},      {"t", ColumnType::kText, ""},
                      {"ts", ColumnType::kDateTime, ""}, {"n", ColumnType::kText, ""}};
  EXPECT_EQ(encode(schema, {int64_t{-9223372036854775807 - 1}, 0.1, true, std::string("x"),
                            DateTime{1500000000123456, DateTime::Kind::kDateTime}, Value{}}),
            "-9223372036854775808\t0.1\tt\tx\t2017-07-14 02:40:00.123456\t\\N\n");
  EXPECT_EQ(encode(schema, {int64_t{42}, 1e300, false, std::string(""), DateTime{0, DateTime::Kind::kDate},
                            std::string("\\N")}),
            "42\t1e+300\tf\t\t1970-01-01\t\\\\N\n");
}

TEST(PostgresCopyText, DoublesRoundTripAndNaNIsNull) {
  const Schema schema{{"d", ColumnType::kDouble, ""}};
  EXPECT_EQ(encode(schema, {0.30000000000000004}), "0.30000000000000004\n");
  EXPECT_EQ(encode(schema, {std::numeric_limits<double>::quiet_NaN()}), "\\N\n");
  EXPECT_EQ(encode(schema, {std::numeric_limits<double>::infinity()}), "Infinity\n");
  EXPECT_EQ(encode(schema, {-std::numeric_limits<double>::infinity()}), "-Infinity\n");
  EXPECT_EQ(encode(schema, {int64_t{3}}), "3\n");
}

TEST(PostgresCopyText, EscapesTheFramingCharactersOnly) {
  const Schema schema{{"t", ColumnType::kText, ""}};
  EXPECT_EQ(encode(schema, {std::string("O'Brien; DROP TABLE x\t\n\r\\ \"q\" é 😀 \x01")}),
            "O'Brien; DROP TABLE x\\t\\n\\r\\\\ \"q\" é 😀 \x01\n");
  EXPECT_EQ(encode(schema, {std::string("\\.")}), "\\\\.\n");  // never the end-of-data marker
}

TEST(PostgresCopyText, NonTextValuesInATextColumnBecomeTheirText) {
  const Schema schema{{"t", ColumnType::kText, ""}, {"u", ColumnType::kText, ""}};
  EXPECT_EQ(encode(schema, {int64_t{5}, true}), "5\t" + to_text(Value{true}) + "\n");
}

TEST(PostgresCopyText, IntegralFloatInBigintIsStoredAsInteger) {
  const Schema schema{{"i", ColumnType::kInt, ""}};
  EXPECT_EQ(encode(schema, {3.0}), "3\n");
  std::string out = "kept";
  const common::Status st = encode_error(schema, {2.5}, out);
  EXPECT_EQ(st.code(), common::Code::kInvalidInput);
  EXPECT_EQ(st.message(), "column 'i' (BIGINT), input row 7: '2.5' is not an integer");
  EXPECT_EQ(out, "kept");
}

TEST(PostgresCopyText, NulByteIsRefusedNamingTheColumnAndRow) {
  const Schema schema{{"id", ColumnType::kInt, ""}, {"full_name", ColumnType::kText, ""}};
  std::string out = "previous row\n";
  const common::Status st = encode_error(schema, {int64_t{1}, std::string("a\0b", 3)}, out);
  EXPECT_EQ(st.code(), common::Code::kInvalidInput);
  EXPECT_NE(st.message().find("column 'full_name' (TEXT), input row 7"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("NUL"), std::string::npos) << st.message();
  EXPECT_EQ(out, "previous row\n");  // nothing of the bad row is left behind
}

TEST(PostgresCopyText, InvalidUtf8IsRefused) {
  const Schema schema{{"t", ColumnType::kText, ""}};
  for (const std::string bad :
       {"\xff", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ok\xe2\x82"}) {
    std::string out;
    const common::Status st = encode_error(schema, {bad}, out);
    EXPECT_EQ(st.code(), common::Code::kInvalidInput) << ::testing::PrintToString(bad);
    EXPECT_NE(st.message().find("not valid UTF-8"), std::string::npos);
    EXPECT_EQ(out, "");
  }
  EXPECT_EQ(encode(schema, {std::string("\xf4\x8f\xbf\xbf\xc2\x80")}), "\xf4\x8f\xbf\xbf\xc2\x80\n");
}

TEST(PostgresCopyText, TimestampRefusesTimesOfDayAndYearZero) {
  const Schema schema{{"ts", ColumnType::kDateTime, ""}};
  std::string out;
  common::Status st = encode_error(schema, {DateTime{3600000000, DateTime::Kind::kTime}}, out);
  EXPECT_EQ(st.code(), common::Code::kInvalidInput);
  EXPECT_NE(st.message().find("time of day without a date (01:00:00)"), std::string::npos) << st.message();
  st = encode_error(schema, {DateTime{-62135596800LL * 1000000 - 1, DateTime::Kind::kDateTime}}, out);
  EXPECT_NE(st.message().find("before year 1"), std::string::npos) << st.message();
  EXPECT_EQ(encode(schema, {DateTime{-62135596800LL * 1000000, DateTime::Kind::kDate}}), "0001-01-01\n");
}

TEST(PostgresCopyText, MismatchedTypesAreRefused) {
  std::string out;
  EXPECT_EQ(encode_error({{"b", ColumnType::kBool, ""}}, {int64_t{1}}, out).message(),
            "column 'b' (BOOLEAN), input row 7: '1' is not a boolean");
  EXPECT_EQ(encode_error({{"d", ColumnType::kDouble, ""}}, {std::string("x")}, out).code(),
            common::Code::kInvalidInput);
  EXPECT_EQ(encode_error({{"ts", ColumnType::kDateTime, ""}}, {std::string("2020-01-01")}, out).code(),
            common::Code::kInvalidInput);
}

// The encoder skips plain text eight bytes at a time; compare it with the rules applied byte by byte, on
// random strings where the special bytes fall at every offset.
TEST(PostgresCopyText, EscapingMatchesTheByteByByteRules) {
  const std::vector<std::string> pieces = {"a",  "Z",  "~",    " ",    "\\",
                                           "\t", "\n", "\r",   "\x01", "\x1f",
                                           "é",  "😀",  "\x7f", "\xff", std::string(1, '\0')};
  uint64_t seed = 12345;
  auto next = [&seed] { return (seed = seed * 6364136223846793005ULL + 1442695040888963407ULL) >> 33; };
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    const size_t n = next() % 40;
    bool nul = false, invalid = false;
    std::string want;
    for (size_t k = 0; k < n; ++k) {
      // Mostly plain letters, so that long plain runs occur.
      const std::string& piece = next() % 3 ? pieces[next() % 3] : pieces[next() % pieces.size()];
      text += piece;
      if (piece == std::string(1, '\0')) nul = true;
      if (piece == "\xff") invalid = true;
      if (piece == "\\")
        want += "\\\\";
      else if (piece == "\t")
        want += "\\t";
      else if (piece == "\n")
        want += "\\n";
      else if (piece == "\r")
        want += "\\r";
      else
        want += piece;
    }
    std::string out = "x";
    const bool ok = append_copy_text(text, out);
    ASSERT_EQ(ok, !nul && !invalid) << ::testing::PrintToString(text);
    ASSERT_EQ(out, ok ? "x" + want : "x") << ::testing::PrintToString(text);
  }
}

TEST(PostgresCopyText, AppendCopyTextReportsWhetherTheTextFits) {
  std::string out;
  EXPECT_TRUE(append_copy_text("a\tb", out));
  EXPECT_EQ(out, "a\\tb");
  EXPECT_FALSE(append_copy_text(std::string("x\0", 2), out));
  EXPECT_EQ(out, "a\\tb");
}

}  // namespace
}  // namespace sluice::etl::internal
