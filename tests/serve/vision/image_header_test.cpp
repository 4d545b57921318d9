#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "serve/vision/image_decode.h"
#include "serve/vision/test_images.h"

namespace sluice::serve::vision {
namespace {

using common::Code;

// Little helpers for crafting headers byte by byte.
std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}
std::string le(uint64_t v, int width) {
  std::string out;
  for (int i = 0; i < width; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  return out;
}
std::string be(uint64_t v, int width) {
  std::string out;
  for (int i = width - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  return out;
}

void expect_header(const std::string& data, ImageType type, int64_t width, int64_t height) {
  const auto header = read_image_header(data);
  ASSERT_TRUE(header.is_ok()) << header.status().message();
  EXPECT_EQ(header->type, type);
  EXPECT_EQ(header->width, width);
  EXPECT_EQ(header->height, height);
}

void expect_code(const std::string& data, Code code) {
  const auto header = read_image_header(data);
  EXPECT_EQ(header.status().code(), code) << header.status().message();
}

TEST(ImageHeader, ReadsEveryGeneratedImage) {
  for (const auto& image : testing::images()) {
    SCOPED_TRACE(image["file"].get<std::string>());
    const std::string data = testing::read_bytes(image["file"]);
    const auto header = read_image_header(data);
    if (image["type"] == "unknown") {
      EXPECT_EQ(header.status().code(), Code::kUnsupported);
      continue;
    }
    ASSERT_TRUE(header.is_ok()) << header.status().message();
    EXPECT_EQ(image_type_name(header->type), image["type"].get<std::string>());
    // Declared (stored) dimensions: EXIF rotation is the decoder's business.
    EXPECT_EQ(header->width, image["header_width"].get<int64_t>());
    EXPECT_EQ(header->height, image["header_height"].get<int64_t>());
  }
}

TEST(ImageHeader, EveryPrefixIsReadIdenticallyOrRefused) {
  for (const auto& image : testing::images()) {
    SCOPED_TRACE(image["file"].get<std::string>());
    const std::string data = testing::read_bytes(image["file"]);
    const auto full = read_image_header(data);
    size_t first_ok = data.size() + 1;
    for (size_t n = 0; n <= data.size(); ++n) {
      const auto header = read_image_header(std::string_view(data).substr(0, n));
      if (header.is_ok()) {
        ASSERT_TRUE(full.is_ok());
        ASSERT_EQ(header->type, full->type) << "prefix " << n;
        ASSERT_EQ(header->width, full->width) << "prefix " << n;
        ASSERT_EQ(header->height, full->height) << "prefix " << n;
        first_ok = std::min(first_ok, n);
      } else {
        const Code code = header.status().code();
        ASSERT_TRUE(code == Code::kUnsupported || code == Code::kInvalidInput) << "prefix " << n;
        // Past the magic, a prefix of a recognised image is truncated, never of an unknown type.
        if (full.is_ok() && n >= 12) {
          ASSERT_EQ(code, Code::kInvalidInput) << "prefix " << n;
        }
      }
    }
    // The header alone suffices: no format here needs more than its first kilobyte.
    if (full.is_ok()) {
      EXPECT_LE(first_ok, 1024u);
    }
  }
}

TEST(ImageHeader, PngNeedsOnlyItsIhdr) {
  const std::string data = testing::read_bytes("gray.png");
  expect_header(data.substr(0, 24), ImageType::kPng, 123, 77);
  expect_code(data.substr(0, 23), Code::kInvalidInput);
}

TEST(ImageHeader, PngRefusesOtherFirstChunksAndHugeDimensions) {
  const std::string sig = "\x89PNG\r\n\x1a\n";
  expect_code(sig + be(13, 4) + "IDAT" + be(10, 4) + be(10, 4) + std::string(9, '\0'), Code::kInvalidInput);
  expect_code(sig + be(13, 4) + "IHDR" + be(0x80000000u, 4) + be(10, 4) + std::string(9, '\0'),
              Code::kInvalidInput);
  expect_code(sig + be(13, 4) + "IHDR" + be(0, 4) + be(10, 4) + std::string(9, '\0'), Code::kInvalidInput);
  expect_header(sig + be(13, 4) + "IHDR" + be(0x7FFFFFFF, 4) + be(3, 4), ImageType::kPng, 0x7FFFFFFF, 3);
}

TEST(ImageHeader, JpegSkipsTablesAndStrayBytesToTheFrameHeader) {
  const std::string soi = bytes({0xFF, 0xD8});
  const std::string app0 = bytes({0xFF, 0xE0, 0x00, 0x04, 'J', 'F'});
  const std::string dht = bytes({0xFF, 0xC4, 0x00, 0x03, 0x00});  // C4 is in the SOF range but is not one
  const std::string sof2 =
      bytes({0xFF, 0xC2, 0x00, 0x0B, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x01, 0x01, 0x11, 0x00});
  expect_header(soi + app0 + "xx" + bytes({0xFF}) + dht + sof2, ImageType::kJpeg, 640, 480);
  // A zero height (defined later by a DNL marker) is refused.
  expect_code(soi + bytes({0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x00, 0x02, 0x80, 0x01, 0, 0, 0, 0, 0}),
              Code::kInvalidInput);
  // A scan before any frame header, and a segment length below two.
  expect_code(soi + bytes({0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xD9}), Code::kInvalidInput);
  expect_code(soi + bytes({0xFF, 0xE1, 0x00, 0x01}) + sof2, Code::kInvalidInput);
  expect_code(soi + bytes({0xFF, 0xD9}), Code::kInvalidInput);
  expect_code(soi + bytes({0xFF}), Code::kInvalidInput);
  expect_code(soi, Code::kUnsupported);  // too short for the three-byte magic
}

TEST(ImageHeader, WebpChunkKinds) {
  const auto riff = [](const std::string& chunk) {
    return "RIFF" + le(4 + chunk.size(), 4) + "WEBP" + chunk;
  };
  // VP8X: 24-bit canvas width-1 and height-1.
  expect_header(riff("VP8X" + le(10, 4) + le(0x10, 4) + le(20000 - 1, 3) + le(300 - 1, 3)), ImageType::kWebp,
                20000, 300);
  // VP8L: 14 bits each after the 0x2F signature.
  const uint32_t packed = (150 - 1) | ((100 - 1) << 14);
  expect_header(riff("VP8L" + le(5, 4) + "\x2F" + le(packed, 4)), ImageType::kWebp, 150, 100);
  expect_code(riff("VP8L" + le(5, 4) + "\x2E" + le(packed, 4)), Code::kInvalidInput);
  // VP8: a key frame carries the start code and 14-bit dimensions (top two bits are scaling).
  const std::string key_frame = le(0x000010, 3) + "\x9d\x01\x2a" + le(0xC000 | 640, 2) + le(427, 2);
  expect_header(riff("VP8 " + le(10, 4) + key_frame), ImageType::kWebp, 640, 427);
  const std::string inter_frame = le(0x000011, 3) + "\x9d\x01\x2a" + le(640, 2) + le(427, 2);
  expect_code(riff("VP8 " + le(10, 4) + inter_frame), Code::kInvalidInput);
  expect_code(riff("ALPH" + le(4, 4) + "abcd"), Code::kInvalidInput);
  expect_code("RIFF" + le(4, 4) + "WAVE", Code::kUnsupported);
}

TEST(ImageHeader, BmpHeaderVariants) {
  const std::string file_header = "BM" + std::string(12, '\0');
  expect_header(file_header + le(40, 4) + le(10, 4) + le(static_cast<uint32_t>(-20), 4), ImageType::kBmp, 10,
                20);
  expect_header(file_header + le(124, 4) + le(7, 4) + le(9, 4), ImageType::kBmp, 7, 9);
  expect_header(file_header + le(12, 4) + le(5, 2) + le(6, 2), ImageType::kBmp, 5, 6);
  expect_code(file_header + le(40, 4) + le(0, 4) + le(9, 4), Code::kInvalidInput);
  expect_code(file_header + le(40, 4) + le(static_cast<uint32_t>(-3), 4) + le(9, 4), Code::kInvalidInput);
  expect_code(file_header + le(40, 4) + le(0, 4) + le(0x80000000u, 4), Code::kInvalidInput);
  expect_code(file_header + le(3, 4) + le(5, 4) + le(6, 4), Code::kInvalidInput);
}

TEST(ImageHeader, TiffBothByteOrdersAndBigTiff) {
  // Big-endian: SHORT width, LONG height, an unrelated tag between them.
  const std::string mm = std::string("MM\0*", 4) + be(8, 4) + be(3, 2) + be(256, 2) + be(3, 2) + be(1, 4) +
                         be(300, 2) + be(0, 2) + be(259, 2) + be(3, 2) + be(1, 4) + be(1, 2) + be(0, 2) +
                         be(257, 2) + be(4, 2) + be(1, 4) + be(70000, 4) + be(0, 4);
  expect_header(mm, ImageType::kTiff, 300, 70000);
  // Little-endian with the IFD after a gap.
  const std::string ii = std::string("II*\0", 4) + le(12, 4) + "gap!" + le(2, 2) + le(257, 2) + le(3, 2) +
                         le(1, 4) + le(33, 4) + le(256, 2) + le(4, 2) + le(1, 4) + le(44, 4) + le(0, 4);
  expect_header(ii, ImageType::kTiff, 44, 33);
  // BigTIFF: 8-byte offsets and counts, LONG8 values.
  const std::string big = std::string("II+\0", 4) + le(8, 2) + le(0, 2) + le(16, 8) + le(2, 8) + le(256, 2) +
                          le(16, 2) + le(1, 8) + le(5000000000ull, 8) + le(257, 2) + le(3, 2) + le(1, 8) +
                          le(2, 8);
  expect_header(big, ImageType::kTiff, 5000000000ll, 2);
  expect_code(std::string("II*\0", 4) + le(0xFFFFFFF0u, 4), Code::kInvalidInput);  // IFD past the end
  expect_code(ii.substr(0, 12 + 4 + 2 + 12), Code::kInvalidInput);                 // width entry cut off
}

TEST(ImageHeader, DecompressionBombIsRefusedFromItsHeaderAlone) {
  const std::string data = testing::read_bytes("bomb.png");
  expect_header(data, ImageType::kPng, 50000, 50000);
  const auto decoded = decode_rgb(data, DecodeLimits{});
  EXPECT_EQ(decoded.status().code(), Code::kResourceExhausted) << decoded.status().message();
}

TEST(ImageHeader, UnknownMagicIsUnsupported) {
  expect_code("", Code::kUnsupported);
  expect_code("GIF89a\x01\x00\x01\x00", Code::kUnsupported);
  expect_code("<html>", Code::kUnsupported);
  expect_code(testing::read_bytes("garbage.bin"), Code::kUnsupported);
}

TEST(ImageHeader, ContentTypes) {
  EXPECT_EQ(image_type_from_content_type("image/jpeg"), ImageType::kJpeg);
  EXPECT_EQ(image_type_from_content_type("Image/JPEG; charset=binary"), ImageType::kJpeg);
  EXPECT_EQ(image_type_from_content_type("image/jpg"), ImageType::kJpeg);
  EXPECT_EQ(image_type_from_content_type(" image/png "), ImageType::kPng);
  EXPECT_EQ(image_type_from_content_type("image/webp"), ImageType::kWebp);
  EXPECT_EQ(image_type_from_content_type("image/x-ms-bmp"), ImageType::kBmp);
  EXPECT_EQ(image_type_from_content_type("image/bmp"), ImageType::kBmp);
  EXPECT_EQ(image_type_from_content_type("image/tiff"), ImageType::kTiff);
  EXPECT_EQ(image_type_from_content_type("image/gif"), ImageType::kUnknown);
  EXPECT_EQ(image_type_from_content_type("application/octet-stream"), ImageType::kUnknown);
  EXPECT_EQ(image_type_from_content_type(""), ImageType::kUnknown);
  EXPECT_STREQ(image_type_name(ImageType::kWebp), "webp");
  EXPECT_STREQ(image_type_name(ImageType::kUnknown), "unknown");
}

}  // namespace
}  // namespace sluice::serve::vision

namespace sluice::serve::vision {
namespace {

// A little-endian classic TIFF whose IFDs hold LONG entries (tag, value), chained in order.
std::string tiff_ifds(const std::vector<std::vector<std::pair<int, uint32_t>>>& ifds) {
  std::string out = std::string("II*\0", 4) + le(8, 4);
  size_t pos = 8;
  for (size_t i = 0; i < ifds.size(); ++i) {
    pos += 2 + 12 * ifds[i].size() + 4;
    out += le(ifds[i].size(), 2);
    for (auto [tag, value] : ifds[i]) out += le(tag, 2) + le(4, 2) + le(1, 4) + le(value, 4);
    out += le(i + 1 < ifds.size() ? pos : 0, 4);
  }
  return out;
}

TEST(ImageHeader, TiffEveryDirectoryTileAndStripCountsTowardsDecodePixels) {
  const auto small = std::vector<std::pair<int, uint32_t>>{{256, 64}, {257, 64}, {278, 64}};
  auto header = read_image_header(tiff_ifds({small}));
  ASSERT_TRUE(header.is_ok());
  EXPECT_EQ(header->decode_pixels, 64 * 64);
  // A second directory of 30000x30000 behind a 64x64 first one.
  header = read_image_header(tiff_ifds({small, {{256, 30000}, {257, 30000}}}));
  ASSERT_TRUE(header.is_ok());
  EXPECT_EQ(header->width, 64);
  EXPECT_EQ(header->decode_pixels, int64_t{30000} * 30000);
  // One huge tile in a small image.
  header = read_image_header(tiff_ifds({{{256, 64}, {257, 64}, {322, 30000}, {323, 30000}}}));
  ASSERT_TRUE(header.is_ok());
  EXPECT_EQ(header->decode_pixels, int64_t{30000} * 30000);
  // RowsPerStrip beyond the height is clamped to it, as libtiff does.
  header = read_image_header(tiff_ifds({{{256, 64}, {257, 64}, {278, 0xFFFFFFFFu}}}));
  ASSERT_TRUE(header.is_ok());
  EXPECT_EQ(header->decode_pixels, 64 * 64);
  for (const auto& data : {tiff_ifds({small, {{256, 30000}, {257, 30000}}}),
                           tiff_ifds({{{256, 64}, {257, 64}, {322, 30000}, {323, 30000}}})}) {
    auto decoded = decode_rgb(data, DecodeLimits{});
    EXPECT_EQ(decoded.status().code(), Code::kResourceExhausted) << decoded.status().message();
  }
}

TEST(ImageHeader, TiffRepeatedDimensionTagWithAnotherValueIsInconsistent) {
  expect_code(tiff_ifds({{{256, 64}, {256, 30000}, {257, 64}}}), Code::kInvalidInput);
  expect_header(tiff_ifds({{{256, 64}, {256, 64}, {257, 64}}}), ImageType::kTiff, 64, 64);
}

TEST(ImageHeader, TiffDirectoryLoopsAndLongChainsEnd) {
  // IFD0 pointing back at itself.
  std::string loop = std::string("II*\0", 4) + le(8, 4) + le(2, 2) + le(256, 2) + le(4, 2) + le(1, 4) +
                     le(5, 4) + le(257, 2) + le(4, 2) + le(1, 4) + le(6, 4) + le(8, 4);
  expect_header(loop, ImageType::kTiff, 5, 6);
  std::vector<std::vector<std::pair<int, uint32_t>>> many(1000, {{256, 2}, {257, 2}});
  many.back() = {{256, 30000}, {257, 30000}};  // past the 64-directory cap: never read
  auto header = read_image_header(tiff_ifds(many));
  ASSERT_TRUE(header.is_ok());
  EXPECT_EQ(header->decode_pixels, 4);
}

}  // namespace
}  // namespace sluice::serve::vision
