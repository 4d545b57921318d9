#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "etl/transform/steps.h"

namespace sluice::etl {
namespace {

// id (A), ip_address (B), as a sheet source would name them.
Schema input_schema() {
  return {{"id", ColumnType::kUnknown, "A"}, {"ip_address", ColumnType::kUnknown, "B"}};
}

Batch batch_of(std::vector<Value> ips) {
  Batch batch;
  std::vector<Value> ids;
  for (size_t r = 0; r < ips.size(); ++r) {
    ids.emplace_back(static_cast<int64_t>(r + 1));
    batch.source_rows.push_back(r + 2);
  }
  batch.columns = {std::move(ids), std::move(ips)};
  return batch;
}

TEST(IpIsPublicStepTest, BindAppendsABooleanColumnAtTheEnd) {
  auto step = make_ip_is_public_step("ip_address", "is_public_ip");
  auto bound = step->bind(input_schema());
  ASSERT_TRUE(bound.is_ok()) << bound.status().message();
  ASSERT_EQ(bound->size(), 3u);
  EXPECT_EQ((*bound)[0].name, "id");
  EXPECT_EQ((*bound)[1].name, "ip_address");
  EXPECT_EQ((*bound)[1].origin, "B");
  EXPECT_EQ((*bound)[2].name, "is_public_ip");
  EXPECT_EQ((*bound)[2].type, ColumnType::kBool);
  EXPECT_EQ((*bound)[2].origin, "");
  EXPECT_EQ(step->describe(), "ip_is_public(ip_address) -> is_public_ip");
}

TEST(IpIsPublicStepTest, ClassifiesLikePythonsIsGlobalAndKeepsNulls) {
  auto step = make_ip_is_public_step("ip_address", "is_public_ip");
  ASSERT_TRUE(step->bind(input_schema()).is_ok());
  Batch batch = batch_of({std::string("8.8.8.8"), std::string("10.0.0.1"), Value{},
                          std::string("2001:4860:4860::8888"), std::string("::1"),
                          std::string("192.168.1.20"), std::string("100.64.0.1"), std::string("224.0.0.1")});
  std::vector<CellError> errors;
  step->apply(batch, errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(batch.columns.size(), 3u);
  const std::vector<Value> expected = {true, false, Value{}, true, false, false, false, true};
  EXPECT_EQ(batch.columns[2], expected);
  // The input column is kept as it was.
  EXPECT_EQ(batch.columns[1][0], Value(std::string("8.8.8.8")));
  EXPECT_TRUE(is_null(batch.columns[1][2]));
}

TEST(IpIsPublicStepTest, TextThatIsNotAnAddressIsACellErrorAndNull) {
  auto step = make_ip_is_public_step("ip_address", "is_public_ip");
  ASSERT_TRUE(step->bind(input_schema()).is_ok());
  Batch batch =
      batch_of({std::string("1.2.3.4"), std::string("999.1.2.3"), std::string(""), std::string(" 1.2.3.4")});
  std::vector<CellError> errors;
  step->apply(batch, errors);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].row, 1u);
  EXPECT_EQ(errors[0].column, "ip_address");
  EXPECT_EQ(errors[0].origin, "B");
  EXPECT_EQ(errors[0].message, "'999.1.2.3' is not an IPv4 or IPv6 address");
  EXPECT_EQ(errors[1].row, 2u);
  EXPECT_EQ(errors[1].message, "'' is not an IPv4 or IPv6 address");
  EXPECT_EQ(errors[2].row, 3u);
  EXPECT_EQ(errors[2].message, "' 1.2.3.4' is not an IPv4 or IPv6 address");
  EXPECT_EQ(batch.columns[2][0], Value(true));
  EXPECT_TRUE(is_null(batch.columns[2][1]));
  EXPECT_TRUE(is_null(batch.columns[2][2]));
  EXPECT_TRUE(is_null(batch.columns[2][3]));
}

TEST(IpIsPublicStepTest, ANonTextValueIsACellErrorNamingItsType) {
  auto step = make_ip_is_public_step("ip_address", "is_public_ip");
  ASSERT_TRUE(step->bind(input_schema()).is_ok());
  Batch batch = batch_of({int64_t{42}, 1.5, true});
  std::vector<CellError> errors;
  step->apply(batch, errors);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].message, "integer 42 is not an IPv4 or IPv6 address (expected text)");
  EXPECT_EQ(errors[1].message, "float 1.5 is not an IPv4 or IPv6 address (expected text)");
  EXPECT_EQ(errors[2].message, "boolean True is not an IPv4 or IPv6 address (expected text)");
  for (int r = 0; r < 3; ++r) EXPECT_TRUE(is_null(batch.columns[2][r])) << r;
}

TEST(IpIsPublicStepTest, MessagesStayOnOneLineAndShort) {
  auto step = make_ip_is_public_step("ip_address", "is_public_ip");
  ASSERT_TRUE(step->bind(input_schema()).is_ok());
  // 79 ASCII characters then a 2-byte one: the cut after 80 characters keeps it whole (quote_text).
  std::string long_value = std::string(79, 'x') + "\xc3\xa9" + std::string(100, 'y');
  Batch batch = batch_of({std::string("1.2.3.4\n"), std::string("it's"), long_value});
  std::vector<CellError> errors;
  step->apply(batch, errors);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].message, "'1.2.3.4\\n' is not an IPv4 or IPv6 address");
  EXPECT_EQ(errors[1].message, "'it\\'s' is not an IPv4 or IPv6 address");
  EXPECT_EQ(errors[2].message,
            "'" + std::string(79, 'x') + "\xc3\xa9'... (181 bytes) is not an IPv4 or IPv6 address");
}

TEST(IpIsPublicStepTest, ErrorsAreAppendedToThoseOfEarlierSteps) {
  auto step = make_ip_is_public_step("ip_address", "is_public_ip");
  ASSERT_TRUE(step->bind(input_schema()).is_ok());
  Batch batch = batch_of({std::string("nope")});
  std::vector<CellError> errors = {CellError{0, "other", "C", "earlier"}};
  step->apply(batch, errors);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].message, "earlier");
  EXPECT_EQ(errors[1].column, "ip_address");
}

TEST(IpIsPublicStepTest, AnExistingOutputColumnIsOverwrittenInPlace) {
  // df["ip_address"] = ... keeps the column where it was.
  auto step = make_ip_is_public_step("ip_address", "ip_address");
  auto bound = step->bind(input_schema());
  ASSERT_TRUE(bound.is_ok());
  ASSERT_EQ(bound->size(), 2u);
  EXPECT_EQ((*bound)[1].name, "ip_address");
  EXPECT_EQ((*bound)[1].type, ColumnType::kBool);
  Batch batch = batch_of({std::string("8.8.8.8"), std::string("127.0.0.1"), std::string("bad")});
  std::vector<CellError> errors;
  step->apply(batch, errors);
  ASSERT_EQ(batch.columns.size(), 2u);
  EXPECT_EQ(batch.columns[1], (std::vector<Value>{true, false, Value{}}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].origin, "B");  // the input's origin, although the column now holds the output

  auto over_id = make_ip_is_public_step("ip_address", "id");
  bound = over_id->bind(input_schema());
  ASSERT_TRUE(bound.is_ok());
  ASSERT_EQ(bound->size(), 2u);
  EXPECT_EQ((*bound)[0].name, "id");
  EXPECT_EQ((*bound)[0].type, ColumnType::kBool);
  batch = batch_of({std::string("8.8.8.8")});
  over_id->apply(batch, errors);
  EXPECT_EQ(batch.columns[0][0], Value(true));
  EXPECT_EQ(batch.columns[1][0], Value(std::string("8.8.8.8")));
}

TEST(IpIsPublicStepTest, BindNamesTheMissingColumnAndThoseThatExist) {
  auto step = make_ip_is_public_step("ip", "is_public_ip");
  auto bound = step->bind(input_schema());
  ASSERT_FALSE(bound.is_ok());
  EXPECT_EQ(bound.status().code(), common::Code::kNotFound);
  EXPECT_EQ(bound.status().message(), "ip_is_public: no column 'ip' (columns: id, ip_address)");
}

TEST(IpIsPublicStepTest, AnEmptyBatchGivesAnEmptyColumn) {
  auto step = make_ip_is_public_step("ip_address", "is_public_ip");
  ASSERT_TRUE(step->bind(input_schema()).is_ok());
  Batch batch = batch_of({});
  std::vector<CellError> errors;
  step->apply(batch, errors);
  ASSERT_EQ(batch.columns.size(), 3u);
  EXPECT_TRUE(batch.columns[2].empty());
}

}  // namespace
}  // namespace sluice::etl
