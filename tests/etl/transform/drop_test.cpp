#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "etl/transform/steps.h"

namespace sluice::etl {
namespace {

Schema input_schema() {
  return {{"id", ColumnType::kUnknown, "A"},
          {"first_name", ColumnType::kUnknown, "B"},
          {"last_name", ColumnType::kUnknown, "C"},
          {"email", ColumnType::kUnknown, "D"},
          {"gender", ColumnType::kUnknown, "E"}};
}

// One row whose cells say which column they came from.
Batch one_row() {
  Batch batch;
  for (const Field& f : input_schema()) batch.columns.push_back({Value(f.name + "-value")});
  batch.source_rows = {2};
  return batch;
}

std::vector<std::string> names(const Schema& schema) {
  std::vector<std::string> out;
  for (const Field& f : schema) out.push_back(f.name);
  return out;
}

TEST(DropStepTest, RemovesTheColumnsAndKeepsTheOrderOfTheRest) {
  // Listed out of schema order, to check that indexes do not shift under the erase.
  auto step = make_drop_step({"email", "first_name", "last_name"});
  EXPECT_EQ(step->describe(), "drop email, first_name, last_name");
  auto bound = step->bind(input_schema());
  ASSERT_TRUE(bound.is_ok()) << bound.status().message();
  EXPECT_EQ(names(*bound), (std::vector<std::string>{"id", "gender"}));
  EXPECT_EQ((*bound)[1].origin, "E");
  Batch batch = one_row();
  std::vector<CellError> errors;
  step->apply(batch, errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(batch.columns.size(), 2u);
  EXPECT_EQ(batch.columns[0][0], Value(std::string("id-value")));
  EXPECT_EQ(batch.columns[1][0], Value(std::string("gender-value")));
  EXPECT_EQ(batch.source_rows, (std::vector<uint64_t>{2}));
}

TEST(DropStepTest, ANameListedTwiceIsDroppedOnce) {
  auto step = make_drop_step({"id", "id"});
  auto bound = step->bind(input_schema());
  ASSERT_TRUE(bound.is_ok());
  EXPECT_EQ(names(*bound), (std::vector<std::string>{"first_name", "last_name", "email", "gender"}));
  Batch batch = one_row();
  std::vector<CellError> errors;
  step->apply(batch, errors);
  ASSERT_EQ(batch.columns.size(), 4u);
  EXPECT_EQ(batch.columns[0][0], Value(std::string("first_name-value")));
}

TEST(DropStepTest, DroppingEveryColumnLeavesNone) {
  auto step = make_drop_step({"gender", "id", "email", "last_name", "first_name"});
  auto bound = step->bind(input_schema());
  ASSERT_TRUE(bound.is_ok());
  EXPECT_TRUE(bound->empty());
  Batch batch = one_row();
  std::vector<CellError> errors;
  step->apply(batch, errors);
  EXPECT_TRUE(batch.columns.empty());
}

TEST(DropStepTest, AMissingColumnIsABindErrorListingThoseThatExist) {
  auto step = make_drop_step({"first_name", "emial"});
  auto bound = step->bind(input_schema());
  ASSERT_FALSE(bound.is_ok());
  EXPECT_EQ(bound.status().code(), common::Code::kNotFound);
  EXPECT_EQ(bound.status().message(),
            "drop: no column 'emial' (columns: id, first_name, last_name, email, gender)");
}

}  // namespace
}  // namespace sluice::etl
