#include "common/status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "test_support/status_matchers.h"

namespace sluice::common {
namespace {

using sluice::testing::IsOk;
using sluice::testing::StatusIs;

Result<int> parse_positive(int x) {
  if (x <= 0) return invalid_input("cell A1: " + std::to_string(x) + " is not positive");
  return x;
}

Result<int> twice(int x) {
  SLUICE_ASSIGN_OR_RETURN(const int v, parse_positive(x));
  return 2 * v;
}

Status assign_existing(int x, int& out) {
  SLUICE_ASSIGN_OR_RETURN(out, parse_positive(x));
  SLUICE_ASSIGN_OR_RETURN(out, parse_positive(out + 1));  // twice in one scope: distinct temporaries
  return Status::ok();
}

Result<std::unique_ptr<int>> make_boxed(int x) {
  SLUICE_ASSIGN_OR_RETURN(auto v, parse_positive(x));
  return std::make_unique<int>(v);
}

Status first_error(int a, int b) {
  SLUICE_RETURN_IF_ERROR(parse_positive(a).status());
  SLUICE_RETURN_IF_ERROR(parse_positive(b).status());
  return Status::ok();
}

TEST(Status, CodesAndMessages) {
  EXPECT_THAT(Status::ok(), IsOk());
  EXPECT_THAT(not_found("sheet 'X'"), StatusIs(Code::kNotFound, "sheet 'X'"));
  EXPECT_THAT(not_found("sheet 'X'"), ::testing::Not(IsOk()));
  EXPECT_STREQ(code_name(Code::kResourceExhausted), "resource_exhausted");
}

TEST(Result, HoldsAValueOrAnError) {
  EXPECT_THAT(parse_positive(3), IsOk());
  EXPECT_EQ(*parse_positive(3), 3);
  EXPECT_THAT(parse_positive(-1), StatusIs(Code::kInvalidInput, "-1 is not positive"));
}

TEST(Result, BuiltFromAnOkStatusIsAnInternalError) {
  Result<int> r = Status::ok();
  EXPECT_FALSE(r.is_ok());
  EXPECT_THAT(r, StatusIs(Code::kInternal, "OK status"));
}

TEST(AssignOrReturn, PropagatesTheErrorAndMovesTheValue) {
  EXPECT_EQ(*twice(4), 8);
  EXPECT_THAT(twice(0), StatusIs(Code::kInvalidInput, "0 is not positive"));
  int out = 0;
  EXPECT_THAT(assign_existing(5, out), IsOk());
  EXPECT_EQ(out, 6);
  EXPECT_THAT(assign_existing(-2, out), StatusIs(Code::kInvalidInput, "-2"));
  auto boxed = make_boxed(7);
  ASSERT_THAT(boxed, IsOk());
  EXPECT_EQ(**boxed, 7);  // move-only values pass through
}

TEST(ReturnIfError, StopsAtTheFirstError) {
  EXPECT_THAT(first_error(1, 2), IsOk());
  EXPECT_THAT(first_error(1, -3), StatusIs(Code::kInvalidInput, "-3"));
  EXPECT_THAT(first_error(-4, -3), StatusIs(Code::kInvalidInput, "-4"));
}

}  // namespace
}  // namespace sluice::common
