#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "etl/transform/steps.h"

namespace sluice::etl {
namespace {

Schema input_schema() {
  return {{"id", ColumnType::kUnknown, "A"},
          {"gender", ColumnType::kInt, "B"},
          {"email", ColumnType::kUnknown, "C"}};
}

std::vector<std::string> names(const Schema& schema) {
  std::vector<std::string> out;
  for (const Field& f : schema) out.push_back(f.name);
  return out;
}

TEST(RenameStepTest, RenamesInPlaceKeepingTypeOriginAndData) {
  auto step = make_rename_step({{"gender", "sex"}});
  EXPECT_EQ(step->describe(), "rename gender -> sex");
  auto bound = step->bind(input_schema());
  ASSERT_TRUE(bound.is_ok()) << bound.status().message();
  EXPECT_EQ(names(*bound), (std::vector<std::string>{"id", "sex", "email"}));
  EXPECT_EQ((*bound)[1].type, ColumnType::kInt);
  EXPECT_EQ((*bound)[1].origin, "B");
  Batch batch;
  batch.columns = {{Value(int64_t{1})}, {Value(std::string("F"))}, {Value{}}};
  batch.source_rows = {2};
  const Batch before = batch;
  std::vector<CellError> errors;
  step->apply(batch, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(batch.columns, before.columns);
}

TEST(RenameStepTest, RenamesApplyAtOnceSoTwoColumnsCanSwap) {
  auto step = make_rename_step({{"id", "email"}, {"email", "id"}});
  auto bound = step->bind(input_schema());
  ASSERT_TRUE(bound.is_ok()) << bound.status().message();
  EXPECT_EQ(names(*bound), (std::vector<std::string>{"email", "gender", "id"}));
  EXPECT_EQ(step->describe(), "rename id -> email, email -> id");
}

TEST(RenameStepTest, RenamingAColumnToItsOwnNameIsAllowed) {
  auto step = make_rename_step({{"id", "id"}});
  auto bound = step->bind(input_schema());
  ASSERT_TRUE(bound.is_ok());
  EXPECT_EQ(names(*bound), (std::vector<std::string>{"id", "gender", "email"}));
}

TEST(RenameStepTest, RefusesARenameOntoAnExistingName) {
  auto step = make_rename_step({{"gender", "email"}});
  auto bound = step->bind(input_schema());
  ASSERT_FALSE(bound.is_ok());
  EXPECT_EQ(bound.status().code(), common::Code::kInvalidArgument);
  EXPECT_EQ(
      bound.status().message(),
      "rename: cannot rename 'gender' to 'email': a column 'email' already exists (columns: id, gender, "
      "email)");
}

TEST(RenameStepTest, RefusesTwoColumnsEndingWithOneName) {
  auto step = make_rename_step({{"gender", "x"}, {"email", "x"}});
  auto bound = step->bind(input_schema());
  ASSERT_FALSE(bound.is_ok());
  EXPECT_EQ(bound.status().message(), "rename: 'gender' and 'email' would both be named 'x'");
}

TEST(RenameStepTest, RefusesRenamingOneColumnTwiceOrToNothing) {
  auto twice = make_rename_step({{"gender", "x"}, {"gender", "y"}});
  auto bound = twice->bind(input_schema());
  ASSERT_FALSE(bound.is_ok());
  EXPECT_EQ(bound.status().message(), "rename: column 'gender' is renamed twice");

  auto empty = make_rename_step({{"gender", ""}});
  bound = empty->bind(input_schema());
  ASSERT_FALSE(bound.is_ok());
  EXPECT_EQ(bound.status().message(), "rename: cannot rename 'gender' to an empty name");
}

TEST(RenameStepTest, AMissingColumnIsABindErrorListingThoseThatExist) {
  auto step = make_rename_step({{"gender", "sex"}, {"mail", "e"}});
  auto bound = step->bind(input_schema());
  ASSERT_FALSE(bound.is_ok());
  EXPECT_EQ(bound.status().code(), common::Code::kNotFound);
  EXPECT_EQ(bound.status().message(), "rename: no column 'mail' (columns: id, gender, email)");
}

}  // namespace
}  // namespace sluice::etl
