#include <gtest/gtest.h>

#include <string>

#include "serve/model/repository.h"
#include "test_support/temp_dir.h"

namespace sluice::serve::model {
namespace {

TEST(Sha256FileTest, MatchesKnownDigests) {
  sluice::testing::TempDir dir;
  EXPECT_EQ(sha256_file(dir.write("empty", "")).value(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_file(dir.write("abc", "abc")).value(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256FileTest, StreamsFilesLargerThanItsBuffer) {
  sluice::testing::TempDir dir;
  // 3 MiB + 1 of 'a' crosses the 1 MiB read buffer several times; digest from Python hashlib.
  std::string big((3 << 20) + 1, 'a');
  EXPECT_EQ(sha256_file(dir.write("big", big)).value(),
            "2b98b70051781969f52a33c9cd0e8392bb7a634a92a3be4597b25e13feb41ee6");
}

TEST(Sha256FileTest, MissingFileIsNotFound) {
  sluice::testing::TempDir dir;
  common::Result<std::string> digest = sha256_file(dir.file("nope"));
  ASSERT_FALSE(digest.is_ok());
  EXPECT_EQ(digest.status().code(), common::Code::kNotFound);
  EXPECT_NE(digest.status().message().find(dir.file("nope")), std::string::npos);
}

}  // namespace
}  // namespace sluice::serve::model
