#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "etl/transform/steps.h"

namespace sluice::etl {
namespace {

Schema input_schema() {
  return {{"id", ColumnType::kUnknown, "A"},
          {"first_name", ColumnType::kUnknown, "B"},
          {"last_name", ColumnType::kUnknown, "C"}};
}

Batch batch_of(std::vector<Value> first, std::vector<Value> last) {
  Batch batch;
  std::vector<Value> ids;
  for (size_t r = 0; r < first.size(); ++r) {
    ids.emplace_back(static_cast<int64_t>(r + 1));
    batch.source_rows.push_back(r + 2);
  }
  batch.columns = {std::move(ids), std::move(first), std::move(last)};
  return batch;
}

std::vector<std::string> names(const Schema& schema) {
  std::vector<std::string> out;
  for (const Field& f : schema) out.push_back(f.name);
  return out;
}

Value text(const char* s) { return Value(std::string(s)); }

TEST(ConcatStepTest, JoinsWithTheSeparatorIntoANewLastColumn) {
  auto step = make_concat_step({"first_name", "last_name"}, " ", "full_name");
  auto bound = step->bind(input_schema());
  ASSERT_TRUE(bound.is_ok()) << bound.status().message();
  EXPECT_EQ(names(*bound), (std::vector<std::string>{"id", "first_name", "last_name", "full_name"}));
  EXPECT_EQ((*bound)[3].type, ColumnType::kText);
  EXPECT_EQ((*bound)[3].origin, "");
  EXPECT_EQ(step->describe(), "concat(first_name, last_name, separator=' ') -> full_name");

  Batch batch = batch_of({text("Ada"), text(""), text("Zoë")}, {text("Lovelace"), text("Solo"), text("")});
  std::vector<CellError> errors;
  step->apply(batch, errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(batch.columns.size(), 4u);
  EXPECT_EQ(batch.columns[3], (std::vector<Value>{text("Ada Lovelace"), text(" Solo"), text("Zoë ")}));
  EXPECT_EQ(batch.columns[1][0], text("Ada"));  // inputs are kept
}

TEST(ConcatStepTest, ANullInAnyInputGivesNull) {
  auto step = make_concat_step({"first_name", "last_name"}, " ", "full_name");
  ASSERT_TRUE(step->bind(input_schema()).is_ok());
  Batch batch = batch_of({Value{}, text("Ada"), Value{}}, {text("Lovelace"), Value{}, Value{}});
  std::vector<CellError> errors;
  step->apply(batch, errors);
  EXPECT_TRUE(errors.empty());
  for (int r = 0; r < 3; ++r) EXPECT_TRUE(is_null(batch.columns[3][r])) << r;
}

TEST(ConcatStepTest, NonTextValuesAreRenderedAsText) {
  auto step = make_concat_step({"id", "first_name", "last_name"}, "-", "key");
  ASSERT_TRUE(step->bind(input_schema()).is_ok());
  Batch batch = batch_of({2.5, true, text("x")},
                         {DateTime{86400LL * 1000000, DateTime::Kind::kDate}, int64_t{-7}, text("y")});
  std::vector<CellError> errors;
  step->apply(batch, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(batch.columns[3],
            (std::vector<Value>{text("1-2.5-1970-01-02"), text("2-True--7"), text("3-x-y")}));
}

TEST(ConcatStepTest, EmptySeparatorAndASingleInput) {
  auto glued = make_concat_step({"first_name", "last_name"}, "", "glued");
  ASSERT_TRUE(glued->bind(input_schema()).is_ok());
  auto as_text = make_concat_step({"id"}, ", ", "id_text");
  ASSERT_TRUE(as_text->bind(input_schema()).is_ok());
  Batch batch = batch_of({text("ab")}, {text("cd")});
  std::vector<CellError> errors;
  glued->apply(batch, errors);
  EXPECT_EQ(batch.columns[3][0], text("abcd"));
  // Bound to the same input schema, it appends at index 3 too: bind both in sequence in real use.
  Batch other = batch_of({text("ab")}, {text("cd")});
  as_text->apply(other, errors);
  EXPECT_EQ(other.columns[3][0], text("1"));
}

TEST(ConcatStepTest, AnExistingOutputIsOverwrittenInPlaceEvenWhenItIsAnInput) {
  auto step = make_concat_step({"first_name", "last_name"}, " ", "first_name");
  auto bound = step->bind(input_schema());
  ASSERT_TRUE(bound.is_ok());
  EXPECT_EQ(names(*bound), (std::vector<std::string>{"id", "first_name", "last_name"}));
  EXPECT_EQ((*bound)[1].origin, "");
  Batch batch = batch_of({text("Ada"), Value{}}, {text("Lovelace"), text("X")});
  std::vector<CellError> errors;
  step->apply(batch, errors);
  ASSERT_EQ(batch.columns.size(), 3u);
  EXPECT_EQ(batch.columns[1], (std::vector<Value>{text("Ada Lovelace"), Value{}}));
  EXPECT_EQ(batch.columns[2], (std::vector<Value>{text("Lovelace"), text("X")}));
}

TEST(ConcatStepTest, BindNamesTheMissingColumnAndThoseThatExist) {
  auto step = make_concat_step({"first_name", "lastname"}, " ", "full_name");
  auto bound = step->bind(input_schema());
  ASSERT_FALSE(bound.is_ok());
  EXPECT_EQ(bound.status().code(), common::Code::kNotFound);
  EXPECT_EQ(bound.status().message(), "concat: no column 'lastname' (columns: id, first_name, last_name)");

  auto none = make_concat_step({}, " ", "full_name");
  auto no_inputs = none->bind(input_schema());
  ASSERT_FALSE(no_inputs.is_ok());
  EXPECT_EQ(no_inputs.status().message(), "concat: no input columns");
}

TEST(ConcatStepTest, SurvivesALongBatch) {
  auto step = make_concat_step({"first_name", "last_name"}, " ", "full_name");
  ASSERT_TRUE(step->bind(input_schema()).is_ok());
  std::vector<Value> first, last;
  for (int i = 0; i < 10000; ++i) {
    first.emplace_back(std::string(i % 40, 'f'));
    last.emplace_back(std::to_string(i));
  }
  Batch batch = batch_of(first, last);
  std::vector<CellError> errors;
  step->apply(batch, errors);
  for (int i = 0; i < 10000; i += 997) {
    EXPECT_EQ(batch.columns[3][i], Value(std::string(i % 40, 'f') + " " + std::to_string(i)));
  }
}

}  // namespace
}  // namespace sluice::etl
