#include "etl/source/xlsx/prefetch_reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "etl/source/xlsx/xlsx_test_util.h"
#include "test_support/temp_dir.h"

namespace sluice::etl::xlsx {
namespace {

std::string random_text(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, ' ');
  for (auto& c : s) c = static_cast<char>('a' + rng() % 7);  // compressible, like XML
  return s;
}

// Everything a PrefetchReader hands out, read with reads of `step` bytes.
std::string drain(PrefetchReader& reader, size_t step) {
  std::string out, buf(step, '\0');
  for (;;) {
    auto got = reader.read(buf.data(), buf.size());
    EXPECT_TRUE(got.is_ok()) << got.status().message();
    if (!got.is_ok() || *got == 0) return out;
    out.append(buf.data(), *got);
  }
}

TEST(XlsxPrefetchReader, HandsOutThePartExactlyForEveryChunkAndReadSize) {
  sluice::testing::TempDir dir;
  const std::string content = random_text(300000, 1);
  testing::write_zip(dir.file("a.zip"), {{"part.xml", content}});
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}, PrefetchReader::kChunkBytes}) {
    for (size_t depth : {size_t{1}, size_t{3}}) {
      auto zip = ZipArchive::open(dir.file("a.zip"));
      ASSERT_TRUE(zip.is_ok());
      auto part = (*zip)->open_part("part.xml");
      ASSERT_TRUE(part.is_ok());
      PrefetchReader reader(std::move(*part), chunk, depth);
      EXPECT_EQ(reader.uncompressed_size(), content.size());
      const std::string got = drain(reader, chunk == 1 ? 65536 : 1000);
      EXPECT_EQ(got.size(), content.size()) << "chunk " << chunk << " depth " << depth;
      EXPECT_TRUE(got == content) << "chunk " << chunk << " depth " << depth;
      EXPECT_EQ(reader.compressed_read(), reader.compressed_size());
    }
  }
}

TEST(XlsxPrefetchReader, ReportsACorruptPartAndCanBeDestroyedEarly) {
  sluice::testing::TempDir dir;
  const std::string content = random_text(200000, 2);
  testing::write_zip(dir.file("a.zip"), {{"part.xml", content}}, /*store=*/true);
  {
    // Flip a byte in the stored data: the CRC-32 check at the end must fail through the prefetcher.
    std::fstream f(dir.file("a.zip"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(30 + 8 + 1000);
    f.put('#');
  }
  auto zip = ZipArchive::open(dir.file("a.zip"));
  ASSERT_TRUE(zip.is_ok());
  auto part = (*zip)->open_part("part.xml");
  ASSERT_TRUE(part.is_ok());
  PrefetchReader reader(std::move(*part), 4096, 2);
  const common::Status st = reader.skip_rest();
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("CRC"), std::string::npos) << st.message();

  // Destroying a reader whose thread is still ahead of the consumer must not hang or leak.
  auto part2 = (*zip)->open_part("part.xml");
  ASSERT_TRUE(part2.is_ok());
  PrefetchReader early(std::move(*part2), 1024, 2);
  char buf[10];
  EXPECT_TRUE(early.read(buf, sizeof buf).is_ok());
}

}  // namespace
}  // namespace sluice::etl::xlsx
