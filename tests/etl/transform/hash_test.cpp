#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "etl/transform/steps.h"

namespace sluice::etl {
namespace {

Schema input_schema() { return {{"id", ColumnType::kUnknown, "A"}, {"email", ColumnType::kUnknown, "D"}}; }

Batch batch_of(std::vector<Value> emails) {
  Batch batch;
  std::vector<Value> ids;
  for (size_t r = 0; r < emails.size(); ++r) {
    ids.emplace_back(static_cast<int64_t>(r + 1));
    batch.source_rows.push_back(r + 2);
  }
  batch.columns = {std::move(ids), std::move(emails)};
  return batch;
}

Value text(const std::string& s) { return Value(s); }

TEST(HashStepTest, Md5OfTheReferenceAddressesIntoANewLastColumn) {
  auto step = make_hash_step("email", "obfuscated_email", HashAlgorithm::kMd5);
  auto bound = step->bind(input_schema());
  ASSERT_TRUE(bound.is_ok()) << bound.status().message();
  ASSERT_EQ(bound->size(), 3u);
  EXPECT_EQ((*bound)[2].name, "obfuscated_email");
  EXPECT_EQ((*bound)[2].type, ColumnType::kText);
  EXPECT_EQ((*bound)[2].origin, "");
  EXPECT_EQ(step->describe(), "hash md5(email) -> obfuscated_email");

  Batch batch =
      batch_of({text("1234567890@example.com"), text("email@example-one.com"), text("_______@example.com"),
                text("email@example.name"), text("email@example.museum"), text("email@example.co.jp")});
  std::vector<CellError> errors;
  step->apply(batch, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(batch.columns[2],
            (std::vector<Value>{
                text("59556d584ddf28283824ab6e9f1b3076"), text("0eb623faabcce12f53374ea7722401e8"),
                text("a3230e138a26aa723271acb94ae1386f"), text("2ef659be1fc27bd70f99043e7ad2a27a"),
                text("ad3741c78b03ce08bf48c5fe145f5a5d"), text("d772e97dfafc5d66397ad7e5135c09e5")}));
  EXPECT_EQ(batch.columns[1][0], text("1234567890@example.com"));  // the input is kept
}

TEST(HashStepTest, NullsStayNullAndNonTextIsHashedAsItsText) {
  auto step = make_hash_step("email", "h", HashAlgorithm::kMd5);
  ASSERT_TRUE(step->bind(input_schema()).is_ok());
  Batch batch = batch_of({Value{}, int64_t{42}, text("")});
  std::vector<CellError> errors;
  step->apply(batch, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(is_null(batch.columns[2][0]));
  EXPECT_EQ(batch.columns[2][1], text("a1d0c6e83f027327d8461063f4ac58a6"));  // md5("42")
  EXPECT_EQ(batch.columns[2][2], text("d41d8cd98f00b204e9800998ecf8427e"));  // md5("")
}

TEST(HashStepTest, Sha256AndHmacSha256) {
  auto sha = make_hash_step("email", "h", HashAlgorithm::kSha256);
  ASSERT_TRUE(sha->bind(input_schema()).is_ok());
  EXPECT_EQ(sha->describe(), "hash sha256(email) -> h");
  Batch batch = batch_of({text("abc")});
  std::vector<CellError> errors;
  sha->apply(batch, errors);
  EXPECT_EQ(batch.columns[2][0], text("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));

  // RFC 4231 test case 2.
  auto hmac = make_hash_step("email", "h", HashAlgorithm::kHmacSha256, "Jefe");
  ASSERT_TRUE(hmac->bind(input_schema()).is_ok());
  batch = batch_of({text("what do ya want for nothing?"), Value{}, text("what do ya want for nothing?")});
  hmac->apply(batch, errors);
  EXPECT_TRUE(errors.empty());
  const Value expected = text("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(batch.columns[2], (std::vector<Value>{expected, Value{}, expected}));
}

TEST(HashStepTest, TheKeyIsNeverDescribedAndMustNotBeEmpty) {
  auto hmac = make_hash_step("email", "h", HashAlgorithm::kHmacSha256, "s3cret-key");
  EXPECT_EQ(hmac->describe(), "hash hmac-sha256(email) -> h");
  auto keyless = make_hash_step("email", "h", HashAlgorithm::kHmacSha256, "");
  auto bound = keyless->bind(input_schema());
  ASSERT_FALSE(bound.is_ok());
  EXPECT_EQ(bound.status().code(), common::Code::kInvalidArgument);
  EXPECT_EQ(bound.status().message(), "hash: hmac-sha256 needs a non-empty secret key");
}

TEST(HashStepTest, HashingAColumnOntoItselfReplacesItInPlace) {
  auto step = make_hash_step("email", "email", HashAlgorithm::kMd5);
  auto bound = step->bind(input_schema());
  ASSERT_TRUE(bound.is_ok());
  ASSERT_EQ(bound->size(), 2u);
  EXPECT_EQ((*bound)[1].name, "email");
  Batch batch = batch_of({text("email@example.name"), Value{}});
  std::vector<CellError> errors;
  step->apply(batch, errors);
  ASSERT_EQ(batch.columns.size(), 2u);
  EXPECT_EQ(batch.columns[1], (std::vector<Value>{text("2ef659be1fc27bd70f99043e7ad2a27a"), Value{}}));
}

TEST(HashStepTest, BindNamesTheMissingColumnAndThoseThatExist) {
  auto step = make_hash_step("e_mail", "h", HashAlgorithm::kMd5);
  auto bound = step->bind(input_schema());
  ASSERT_FALSE(bound.is_ok());
  EXPECT_EQ(bound.status().code(), common::Code::kNotFound);
  EXPECT_EQ(bound.status().message(), "hash: no column 'e_mail' (columns: id, email)");
}

}  // namespace
}  // namespace sluice::etl
