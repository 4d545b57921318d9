#include "serve/auth/api_keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "common/hash.h"
#include "test_support/temp_dir.h"

namespace sluice::serve::auth {
namespace {

std::string sha(std::string_view key) {
  auto h = common::hex_digest(common::HashAlgorithm::kSha256, key);
  EXPECT_TRUE(h.is_ok());
  return h.value();
}

// `printf 'secret-one' | sha256sum`, so the test does not only agree with itself.
constexpr const char* kSecretOneSha = "ea77193cc4e6f18656f3130e296203880c4b9b3772afc855211b82fdd46e9185";

TEST(ApiKeysTest, DefaultHasNoKeysAndAllowsNothing) {
  ApiKeys keys;
  EXPECT_FALSE(keys.enabled());
  EXPECT_EQ(keys.size(), 0u);
  EXPECT_FALSE(keys.allows("Bearer anything"));
}

TEST(ApiKeysTest, FileWithCommentsAndBlankLines) {
  sluice::testing::TempDir dir;
  std::string path = dir.write("keys.txt", "# API keys for staging\n\n   \n" + sha("secret-one") +
                                               "  # ci-runner\r\n" + "  " + sha("secret-two") + "\n");
  auto keys = ApiKeys::from_file(path);
  ASSERT_TRUE(keys.is_ok()) << keys.status().message();
  EXPECT_TRUE(keys->enabled());
  EXPECT_EQ(keys->size(), 2u);
  EXPECT_TRUE(keys->allows("Bearer secret-one"));
  EXPECT_TRUE(keys->allows("Bearer secret-two"));
  EXPECT_FALSE(keys->allows("Bearer secret-three"));
}

TEST(ApiKeysTest, KnownDigestAndUppercaseHex) {
  ASSERT_EQ(sha("secret-one"), kSecretOneSha);
  std::string upper = kSecretOneSha;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  auto keys = ApiKeys::from_list(upper, "test");
  ASSERT_TRUE(keys.is_ok()) << keys.status().message();
  EXPECT_TRUE(keys->allows("Bearer secret-one"));
}

TEST(ApiKeysTest, BadLineErrorNamesFileAndLine) {
  sluice::testing::TempDir dir;
  std::string path = dir.write("keys.txt", "# header\n" + sha("a") + "\nsecret-in-plain-text\n");
  auto keys = ApiKeys::from_file(path);
  ASSERT_FALSE(keys.is_ok());
  EXPECT_EQ(keys.status().code(), common::Code::kInvalidArgument);
  EXPECT_EQ(keys.status().message(), path + ":3: expected 64 hex digits (the SHA-256 of a key)");
  // The bad line's content (possibly a plaintext key) is not echoed into logs.
  EXPECT_EQ(keys.status().message().find("secret-in-plain-text"), std::string::npos);
}

TEST(ApiKeysTest, RejectsWrongLengthAndNonHex) {
  std::string good = sha("k");
  EXPECT_FALSE(ApiKeys::from_list(good.substr(1), "t").is_ok());
  EXPECT_FALSE(ApiKeys::from_list(good + "0", "t").is_ok());
  std::string bad = good;
  bad[10] = 'g';
  EXPECT_FALSE(ApiKeys::from_list(bad, "t").is_ok());
}

TEST(ApiKeysTest, MissingFileIsNotFound) {
  sluice::testing::TempDir dir;
  auto keys = ApiKeys::from_file(dir.file("absent.txt"));
  ASSERT_FALSE(keys.is_ok());
  EXPECT_EQ(keys.status().code(), common::Code::kNotFound);
}

TEST(ApiKeysTest, FileOrListWithoutKeysIsAnError) {
  sluice::testing::TempDir dir;
  auto file = ApiKeys::from_file(dir.write("keys.txt", "# nobody yet\n\n"));
  ASSERT_FALSE(file.is_ok());
  EXPECT_EQ(file.status().code(), common::Code::kInvalidArgument);
  EXPECT_FALSE(ApiKeys::from_list("", "SLUICE_API_KEYS").is_ok());
  EXPECT_FALSE(ApiKeys::from_list(" , ,", "SLUICE_API_KEYS").is_ok());
}

TEST(ApiKeysTest, EnvListWithSpacesAndEmptyItems) {
  auto keys = ApiKeys::from_list(" " + sha("one") + " ,," + sha("two") + ",", "SLUICE_API_KEYS");
  ASSERT_TRUE(keys.is_ok()) << keys.status().message();
  EXPECT_EQ(keys->size(), 2u);
  EXPECT_TRUE(keys->allows("Bearer one"));
  EXPECT_TRUE(keys->allows("Bearer two"));
}

TEST(ApiKeysTest, EnvListErrorNamesSourceAndItem) {
  auto keys = ApiKeys::from_list(sha("one") + ",nothex", "SLUICE_API_KEYS");
  ASSERT_FALSE(keys.is_ok());
  EXPECT_EQ(keys.status().message(),
            "SLUICE_API_KEYS: item 2: expected 64 hex digits (the SHA-256 of a key)");
}

TEST(ApiKeysTest, SchemeIsCaseInsensitive) {
  auto keys = ApiKeys::from_list(sha("k1"), "t");
  ASSERT_TRUE(keys.is_ok());
  EXPECT_TRUE(keys->allows("Bearer k1"));
  EXPECT_TRUE(keys->allows("bearer k1"));
  EXPECT_TRUE(keys->allows("BEARER k1"));
  EXPECT_TRUE(keys->allows("bEaReR\tk1"));
  EXPECT_FALSE(keys->allows("Bearerk1"));
  EXPECT_FALSE(keys->allows("Bear k1"));
  EXPECT_FALSE(keys->allows("Basic k1"));
}

TEST(ApiKeysTest, WrongMissingOrEmptyCredentials) {
  auto keys = ApiKeys::from_list(sha("k1"), "t");
  ASSERT_TRUE(keys.is_ok());
  EXPECT_FALSE(keys->allows("Bearer k2"));
  EXPECT_FALSE(keys->allows("Bearer K1"));  // the key itself is case-sensitive
  EXPECT_FALSE(keys->allows("Bearer k1x"));
  EXPECT_FALSE(keys->allows("k1"));  // no scheme
  EXPECT_FALSE(keys->allows(""));
  EXPECT_FALSE(keys->allows("Bearer"));
  EXPECT_FALSE(keys->allows("Bearer "));
  EXPECT_FALSE(keys->allows("   "));
  EXPECT_FALSE(keys->allows(sha("k1")));  // presenting the hash is not presenting the key
  EXPECT_FALSE(keys->allows("Bearer " + sha("k1")));
}

TEST(ApiKeysTest, WhitespaceAroundTheKeyIsNotPartOfIt) {
  auto keys = ApiKeys::from_list(sha("k1"), "t");
  ASSERT_TRUE(keys.is_ok());
  EXPECT_TRUE(keys->allows("Bearer k1  "));
  EXPECT_TRUE(keys->allows("  Bearer   k1\t"));
  // A key configured with a trailing space can therefore never match: the space is stripped.
  auto spaced = ApiKeys::from_list(sha("k1 "), "t");
  ASSERT_TRUE(spaced.is_ok());
  EXPECT_FALSE(spaced->allows("Bearer k1 "));
  // Inner whitespace is kept, and so does not match the key without it.
  EXPECT_FALSE(keys->allows("Bearer k 1"));
}

TEST(ApiKeysTest, MergeUnitesAndDeduplicates) {
  auto a = ApiKeys::from_list(sha("one") + "," + sha("two"), "a");
  auto b = ApiKeys::from_list(sha("two") + "," + sha("three"), "b");
  ASSERT_TRUE(a.is_ok());
  ASSERT_TRUE(b.is_ok());
  ApiKeys all;
  all.merge(*a);
  all.merge(*b);
  EXPECT_EQ(all.size(), 3u);
  for (const char* k : {"one", "two", "three"}) EXPECT_TRUE(all.allows(std::string("Bearer ") + k)) << k;
  EXPECT_FALSE(all.allows("Bearer four"));
}

}  // namespace
}  // namespace sluice::serve::auth
