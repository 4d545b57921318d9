#include "serve/vision/image_decode.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <random>
#include <string>

#include "serve/vision/test_images.h"

namespace sluice::serve::vision {
namespace {

using common::Code;

// libjpeg-turbo 2.1.5 serves both Pillow and OpenCV here, with the same IDCT and upsampling, so JPEGs
// decode identically; libwebp 1.2.4 likewise for lossy WebP. The bound leaves room for a build where the
// two sides use different JPEG libraries (measured here: 0 for photo.jpg, exif6.jpg and lossy.webp, 1 for
// the CMYK JPEG, whose CMYK → RGB arithmetic differs by rounding between Pillow and OpenCV).
constexpr int kLossyTolerance = 2;

cv::Mat expected_rgb(const nlohmann::json& image) {
  const std::string pixels = testing::read_bytes(image["rgb"]);
  const int width = image["width"];
  const int height = image["height"];
  EXPECT_EQ(pixels.size(), size_t{3} * width * height);
  cv::Mat out(height, width, CV_8UC3);
  std::copy(pixels.begin(), pixels.end(), out.data);
  return out;
}

int max_abs_diff(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  double max = 0;
  cv::minMaxLoc(diff.reshape(1), nullptr, &max);
  return static_cast<int>(max);
}

bool documented(Code code) {
  return code == Code::kUnsupported || code == Code::kInvalidInput || code == Code::kResourceExhausted;
}

class ImageDecode : public ::testing::Test {
 protected:
  // Corrupt inputs make OpenCV log a warning each; thousands of them would bury a real failure.
  static void SetUpTestSuite() { cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT); }
};

TEST_F(ImageDecode, MatchesPillow) {
  for (const auto& image : testing::images()) {
    const std::string file = image["file"];
    SCOPED_TRACE(file);
    const auto decoded = decode_rgb(testing::read_bytes(file), DecodeLimits{});
    if (!testing::decodable(image)) {
      EXPECT_EQ(decoded.status().code(), testing::expected_code(image)) << decoded.status().message();
      continue;
    }
    ASSERT_TRUE(decoded.is_ok()) << decoded.status().message();
    ASSERT_EQ(decoded->type(), CV_8UC3);
    ASSERT_EQ(decoded->cols, image["width"].get<int>());
    ASSERT_EQ(decoded->rows, image["height"].get<int>());
    const int diff = max_abs_diff(decoded.value(), expected_rgb(image));
    std::cout << "  " << file << ": max |sluice - PIL| = " << diff << "\n";
    if (image["exact"].get<bool>()) {
      EXPECT_EQ(diff, 0);
    } else {
      EXPECT_LE(diff, kLossyTolerance);
    }
  }
}

TEST_F(ImageDecode, ExifOrientationSwapsDimensions) {
  // Orientation 6 (rotate 90° clockwise) on a stored 320x240 JPEG, 8 (counter-clockwise) on a 72x40 TIFF.
  const auto jpeg = decode_rgb(testing::read_bytes("exif6.jpg"), DecodeLimits{});
  ASSERT_TRUE(jpeg.is_ok()) << jpeg.status().message();
  EXPECT_EQ(jpeg->cols, 240);
  EXPECT_EQ(jpeg->rows, 320);
  const auto tiff = decode_rgb(testing::read_bytes("exif8.tiff"), DecodeLimits{});
  ASSERT_TRUE(tiff.is_ok()) << tiff.status().message();
  EXPECT_EQ(tiff->cols, 40);
  EXPECT_EQ(tiff->rows, 72);
}

TEST_F(ImageDecode, SixteenBitKeepsTheHighByte) {
  // Pillow 9.4 clips 16-bit grey to 255 in convert("RGB"); sluice scales (v >> 8) instead. The generator
  // wrote 0, 255, 256, 32767, 32768, 65279, 65280, 65535 into the first row.
  const auto decoded = decode_rgb(testing::read_bytes("gray16.png"), DecodeLimits{});
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().message();
  const int expected[] = {0, 0, 1, 127, 128, 254, 255, 255};
  for (int x = 0; x < 8; ++x) {
    const auto pixel = decoded->at<cv::Vec3b>(0, x);
    EXPECT_EQ(pixel[0], expected[x]) << x;
    EXPECT_EQ(pixel[1], expected[x]) << x;
    EXPECT_EQ(pixel[2], expected[x]) << x;
  }
}

TEST_F(ImageDecode, PixelLimitComesFromTheHeader) {
  const std::string photo = testing::read_bytes("photo.jpg");
  EXPECT_TRUE(decode_rgb(photo, DecodeLimits{640 * 427}).is_ok());
  EXPECT_EQ(decode_rgb(photo, DecodeLimits{640 * 427 - 1}).status().code(), Code::kResourceExhausted);
  // The bomb's IDAT holds one row; refusing it costs nothing because nothing is decoded.
  const auto bomb = decode_rgb(testing::read_bytes("bomb.png"), DecodeLimits{});
  EXPECT_EQ(bomb.status().code(), Code::kResourceExhausted);
  EXPECT_NE(bomb.status().message().find("50000x50000"), std::string::npos) << bomb.status().message();
}

TEST_F(ImageDecode, TruncatedAndGarbageInputs) {
  EXPECT_EQ(decode_rgb(testing::read_bytes("truncated.jpg"), DecodeLimits{}).status().code(),
            Code::kInvalidInput);
  EXPECT_EQ(decode_rgb(testing::read_bytes("garbage.bin"), DecodeLimits{}).status().code(),
            Code::kUnsupported);
  EXPECT_EQ(decode_rgb("", DecodeLimits{}).status().code(), Code::kUnsupported);
  // Only the final EOI is missing: still refused, as libjpeg would otherwise pad silently.
  const std::string photo = testing::read_bytes("photo.jpg");
  EXPECT_EQ(decode_rgb(photo.substr(0, photo.size() - 2), DecodeLimits{}).status().code(),
            Code::kInvalidInput);
  // Bytes after EOI are ignored.
  EXPECT_TRUE(decode_rgb(photo + "trailing", DecodeLimits{}).is_ok());
}

// Truncations: every prefix up to 2 KB (where the headers are) and 150 more spread over the rest of the file.
TEST_F(ImageDecode, TruncatedPrefixesFailCleanly) {
  for (const auto& image : testing::images()) {
    const std::string file = image["file"];
    SCOPED_TRACE(file);
    const std::string data = testing::read_bytes(file);
    const auto full = read_image_header(data);
    const size_t step = std::max<size_t>(1, data.size() / 150);
    for (size_t n = 0; n < data.size(); n += (n < 2048 ? 1 : step)) {
      const auto decoded = decode_rgb(std::string_view(data).substr(0, n), DecodeLimits{});
      if (decoded.is_ok()) {
        ASSERT_TRUE(full.is_ok());
        ASSERT_EQ(decoded->type(), CV_8UC3) << "prefix " << n;
        ASSERT_EQ(int64_t{decoded->rows} * decoded->cols, full->width * full->height) << "prefix " << n;
      } else {
        ASSERT_TRUE(documented(decoded.status().code()))
            << "prefix " << n << ": " << decoded.status().message();
      }
    }
  }
}

// 2,000 seeded mutations (byte overwrites, bit flips, deletions, insertions), biased towards the headers.
TEST_F(ImageDecode, MutatedImagesFailCleanly) {
  std::vector<std::string> seeds;
  for (const auto& image : testing::images()) {
    if (testing::decodable(image) && image["file"] != "photo.jpg")
      seeds.push_back(testing::read_bytes(image["file"]));
  }
  ASSERT_FALSE(seeds.empty());
  std::mt19937_64 rng(20240611);
  int decoded_ok = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string data = seeds[i % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits && !data.empty(); ++e) {
      const size_t span = (rng() % 2 == 0) ? std::min<size_t>(data.size(), 256) : data.size();
      const size_t pos = rng() % span;
      switch (rng() % 4) {
        case 0:
          data[pos] = static_cast<char>(rng());
          break;
        case 1:
          data[pos] = static_cast<char>(data[pos] ^ (1 << (rng() % 8)));
          break;
        case 2:
          data.erase(pos, 1 + rng() % 16);
          break;
        default:
          data.insert(pos, std::string(1 + rng() % 16, static_cast<char>(rng())));
          break;
      }
    }
    SCOPED_TRACE("mutation " + std::to_string(i));
    const auto header = read_image_header(data);
    if (!header.is_ok()) {
      ASSERT_TRUE(documented(header.status().code())) << header.status().message();
    }
    const auto decoded = decode_rgb(data, DecodeLimits{4'000'000});
    if (decoded.is_ok()) {
      ++decoded_ok;
      ASSERT_EQ(decoded->type(), CV_8UC3);
      ASSERT_LE(int64_t{decoded->rows} * decoded->cols, 4'000'000);
    } else {
      ASSERT_TRUE(documented(decoded.status().code())) << decoded.status().message();
    }
  }
  std::cout << "  " << decoded_ok << " of 2000 mutated images still decoded\n";
}

}  // namespace
}  // namespace sluice::serve::vision
