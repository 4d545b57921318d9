#include "common/hash.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::common {
namespace {

std::string digest(HashAlgorithm algorithm, std::string_view data, std::string_view key = {}) {
  auto result = hex_digest(algorithm, data, key);
  EXPECT_TRUE(result.is_ok()) << result.status().message();
  return result.is_ok() ? result.value() : std::string();
}

TEST(HashTest, Md5OfTheReferenceAddresses) {
  // The obfuscated_email values of the reference pipeline's output.
  EXPECT_EQ(digest(HashAlgorithm::kMd5, "1234567890@example.com"), "59556d584ddf28283824ab6e9f1b3076");
  EXPECT_EQ(digest(HashAlgorithm::kMd5, "email@example-one.com"), "0eb623faabcce12f53374ea7722401e8");
  EXPECT_EQ(digest(HashAlgorithm::kMd5, "_______@example.com"), "a3230e138a26aa723271acb94ae1386f");
  EXPECT_EQ(digest(HashAlgorithm::kMd5, "email@example.name"), "2ef659be1fc27bd70f99043e7ad2a27a");
  EXPECT_EQ(digest(HashAlgorithm::kMd5, "email@example.museum"), "ad3741c78b03ce08bf48c5fe145f5a5d");
  EXPECT_EQ(digest(HashAlgorithm::kMd5, "email@example.co.jp"), "d772e97dfafc5d66397ad7e5135c09e5");
}

TEST(HashTest, Md5OfEmptyAndNonAsciiInput) {
  EXPECT_EQ(digest(HashAlgorithm::kMd5, ""), "d41d8cd98f00b204e9800998ecf8427e");
  // The UTF-8 bytes are hashed, as Python's str.encode() gives them.
  EXPECT_EQ(digest(HashAlgorithm::kMd5, "\xc3\xa9@example.com"), "f4156f14784848108ab2f4d4d64b5d67");
}

TEST(HashTest, Sha256KnownVectors) {
  // FIPS 180-2 appendix B.1 and the empty message.
  EXPECT_EQ(digest(HashAlgorithm::kSha256, "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(digest(HashAlgorithm::kSha256, ""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(HashTest, HmacSha256Rfc4231) {
  // Test case 1: 20-byte key.
  EXPECT_EQ(digest(HashAlgorithm::kHmacSha256, "Hi There", std::string(20, '\x0b')),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: a key shorter than the output.
  EXPECT_EQ(digest(HashAlgorithm::kHmacSha256, "what do ya want for nothing?", "Jefe"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block, which HMAC hashes first.
  EXPECT_EQ(digest(HashAlgorithm::kHmacSha256, "Test Using Larger Than Block-Size Key - Hash Key First",
                   std::string(131, '\xaa')),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HashTest, HmacSha256WithAnEmptyKeyIsStillHmac) {
  // Python: hmac.new(b"", b"", hashlib.sha256).hexdigest(); not the plain SHA-256 of "".
  EXPECT_EQ(digest(HashAlgorithm::kHmacSha256, "", ""),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HashTest, AReusedHasherGivesTheSameAnswersAsFreshOnes) {
  // The context is reinitialised between calls; a leftover state would change the second digest.
  for (HashAlgorithm algorithm : {HashAlgorithm::kMd5, HashAlgorithm::kSha256, HashAlgorithm::kHmacSha256}) {
    auto hasher = Hasher::create(algorithm, "Jefe");
    ASSERT_TRUE(hasher.is_ok()) << hasher.status().message();
    std::string out = "previous contents that must go";
    for (const char* data :
         {"what do ya want for nothing?", "", "email@example.name", "what do ya want for nothing?"}) {
      ASSERT_TRUE(hasher->hex_digest(data, out));
      EXPECT_EQ(out, digest(algorithm, data, "Jefe"))
          << hash_algorithm_name(algorithm) << " of '" << data << "'";
      EXPECT_EQ(out.size(), 2 * hasher->digest_size());
    }
  }
  auto hmac = Hasher::create(HashAlgorithm::kHmacSha256, "Jefe");
  ASSERT_TRUE(hmac.is_ok());
  std::string out;
  ASSERT_TRUE(hmac->hex_digest("what do ya want for nothing?", out));
  EXPECT_EQ(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HashTest, MovedHasherKeepsWorking) {
  auto created = Hasher::create(HashAlgorithm::kSha256);
  ASSERT_TRUE(created.is_ok());
  Hasher moved = std::move(created.value());
  std::string out;
  ASSERT_TRUE(moved.hex_digest("abc", out));
  EXPECT_EQ(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(moved.algorithm(), HashAlgorithm::kSha256);
}

TEST(HashTest, DigestSizesAndNames) {
  EXPECT_EQ(Hasher::create(HashAlgorithm::kMd5)->digest_size(), 16u);
  EXPECT_EQ(Hasher::create(HashAlgorithm::kSha256)->digest_size(), 32u);
  EXPECT_EQ(Hasher::create(HashAlgorithm::kHmacSha256, "k")->digest_size(), 32u);
  EXPECT_STREQ(hash_algorithm_name(HashAlgorithm::kMd5), "md5");
  EXPECT_STREQ(hash_algorithm_name(HashAlgorithm::kSha256), "sha256");
  EXPECT_STREQ(hash_algorithm_name(HashAlgorithm::kHmacSha256), "hmac-sha256");
}

}  // namespace
}  // namespace sluice::common
