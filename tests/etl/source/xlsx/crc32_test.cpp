#include "etl/source/xlsx/crc32.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <vector>

namespace sluice::etl::xlsx {
namespace {

TEST(XlsxCrc32, KnownValues) {
  const auto crc = [](const std::string& s) {
    return update_crc32(0, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  };
  EXPECT_EQ(crc(""), 0u);
  EXPECT_EQ(crc("123456789"), 0xCBF43926u);  // the standard check value of CRC-32/ISO-HDLC
  EXPECT_EQ(
      crc(std::string(1000, 'a')),
      static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(std::string(1000, 'a').data()), 1000)));
}

TEST(XlsxCrc32, MatchesZlibForEveryLengthAndSplit) {
  std::mt19937 rng(5);
  std::vector<unsigned char> data(5000);
  for (auto& b : data) b = static_cast<unsigned char>(rng());
  for (size_t size = 0; size <= 600; ++size) {
    const uint32_t want = static_cast<uint32_t>(crc32(0, data.data(), static_cast<uInt>(size)));
    ASSERT_EQ(update_crc32(0, data.data(), size), want) << size;
    const size_t split = size == 0 ? 0 : rng() % size;  // continued across two calls, as chunks arrive
    ASSERT_EQ(update_crc32(update_crc32(0, data.data(), split), data.data() + split, size - split), want)
        << size;
  }
  EXPECT_EQ(update_crc32(0, data.data() + 3, 4997), static_cast<uint32_t>(crc32(0, data.data() + 3, 4997)));
}

}  // namespace
}  // namespace sluice::etl::xlsx
