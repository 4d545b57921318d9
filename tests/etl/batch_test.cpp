#include "etl/batch.h"

#include <gtest/gtest.h>

#include "etl/pipeline.h"

namespace sluice::etl {
namespace {

constexpr int64_t kDay = 86400LL * 1000000;

TEST(Batch, FormatsDatesAsPandasWritesThem) {
  EXPECT_EQ(format_datetime({0, DateTime::Kind::kDateTime}), "1970-01-01 00:00:00");
  EXPECT_EQ(format_datetime({-kDay, DateTime::Kind::kDate}), "1969-12-31");
  // 2024-02-29 12:34:56.789 (a leap day)
  const int64_t leap = 19782 * kDay + ((12 * 60 + 34) * 60 + 56) * 1000000LL + 789000;
  EXPECT_EQ(format_datetime({leap, DateTime::Kind::kDateTime}), "2024-02-29 12:34:56.789000");
  EXPECT_EQ(format_datetime({(13 * 3600 + 5) * 1000000LL, DateTime::Kind::kTime}), "13:00:05");
  EXPECT_EQ(format_datetime({-25567 * kDay, DateTime::Kind::kDate}), "1900-01-01");
}

TEST(Batch, ToTextRoundTripsDoublesLikePython) {
  EXPECT_EQ(to_text(Value{0.1}), "0.1");
  EXPECT_EQ(to_text(Value{1e21}), "1e+21");
  EXPECT_EQ(to_text(Value{int64_t{-42}}), "-42");
  EXPECT_EQ(to_text(Value{true}), "True");
  EXPECT_EQ(to_text(Value{}), "");
  EXPECT_EQ(to_text(Value{1.0 / 3}), "0.3333333333333333");
}

TEST(Batch, FilterRowsKeepsOrderAndSourceRows) {
  Batch b;
  b.columns = {{Value{int64_t{1}}, Value{int64_t{2}}, Value{int64_t{3}}},
               {Value{"a"}, Value{"b"}, Value{"c"}}};
  b.source_rows = {2, 3, 4};
  filter_rows(b, {true, false, true});
  EXPECT_EQ(b.source_rows, (std::vector<uint64_t>{2, 4}));
  EXPECT_EQ(std::get<std::string>(b.columns[1][1]), "c");
  EXPECT_EQ(b.columns[0].size(), 2u);
}

TEST(ResolveTypes, FollowsPandasColumnRules) {
  Schema schema{{"i", {}, ""}, {"mixed_num", {}, ""}, {"mixed", {}, ""}, {"nulls", {}, ""}, {"b", {}, ""}};
  Batch b;
  b.columns = {{Value{int64_t{1}}, Value{}},
               {Value{int64_t{1}}, Value{2.5}},
               {Value{int64_t{1}}, Value{"x"}},
               {Value{}, Value{}},
               {Value{true}, Value{false}}};
  b.source_rows = {2, 3};
  resolve_types(schema, b);
  EXPECT_EQ(schema[0].type, ColumnType::kInt);
  EXPECT_EQ(schema[1].type, ColumnType::kDouble);
  EXPECT_EQ(schema[2].type, ColumnType::kText);
  EXPECT_EQ(schema[3].type, ColumnType::kText);
  EXPECT_EQ(schema[4].type, ColumnType::kBool);
}

}  // namespace
}  // namespace sluice::etl
