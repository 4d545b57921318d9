// Magic sniffing and dimensions from the header alone, for the five supported formats.
#include <algorithm>
#include <cctype>
#include <climits>
#include <string>
#include <vector>

#include "serve/vision/byte_reader.h"
#include "serve/vision/image_decode.h"
#include "serve/vision/image_metadata.h"

namespace sluice::serve::vision {
namespace {

using common::Result;
using internal::ByteReader;

Result<ImageHeader> truncated(const char* type, const char* what) {
  return common::invalid_input(std::string(type) + " header is truncated or malformed: " + what);
}

Result<ImageHeader> sized(ImageType type, int64_t width, int64_t height) {
  if (width <= 0 || height <= 0) {
    return common::invalid_input(std::string(image_type_name(type)) + " header declares an empty image (" +
                                 std::to_string(width) + "x" + std::to_string(height) + ")");
  }
  return ImageHeader{type, width, height, width > INT64_MAX / height ? INT64_MAX : width * height};
}

bool is_sof(uint8_t marker) {
  // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

Result<ImageHeader> jpeg_header(std::string_view bytes) {
  internal::JpegWalker walker(bytes);
  internal::JpegSegment segment;
  while (walker.next(&segment) == internal::JpegStep::kSegment) {
    if (segment.marker == 0xDA) break;  // a scan before any frame header
    if (!is_sof(segment.marker)) continue;
    const ByteReader reader(segment.payload, /*big_endian=*/true);
    uint32_t height = 0;
    uint32_t width = 0;
    // A zero height defers to a DNL marker after the first scan; no decoder we use supports that.
    if (!reader.u16(1, &height) || !reader.u16(3, &width)) return truncated("JPEG", "short SOF segment");
    return sized(ImageType::kJpeg, width, height);
  }
  return truncated("JPEG", "no SOF segment before the image data");
}

Result<ImageHeader> png_header(std::string_view bytes) {
  const ByteReader reader(bytes, /*big_endian=*/true);
  uint32_t length = 0;
  uint32_t width = 0;
  uint32_t height = 0;
  std::string_view kind;
  if (!reader.u32(8, &length) || !reader.view(12, 4, &kind) || !reader.u32(16, &width) ||
      !reader.u32(20, &height)) {
    return truncated("PNG", "shorter than its IHDR chunk");
  }
  if (kind != "IHDR" || length != 13) return truncated("PNG", "the first chunk is not IHDR");
  if (width > 0x7FFFFFFF || height > 0x7FFFFFFF) return truncated("PNG", "dimension above 2^31-1");
  return sized(ImageType::kPng, width, height);
}

Result<ImageHeader> webp_header(std::string_view bytes) {
  const ByteReader reader(bytes, /*big_endian=*/false);
  std::string_view kind;
  if (!reader.view(12, 4, &kind)) return truncated("WebP", "no first chunk");
  uint32_t a = 0;
  uint32_t b = 0;
  if (kind == "VP8 ") {
    // Frame tag (3 bytes, bit 0 clear on a key frame), start code 9D 01 2A, then 14-bit width and height.
    uint32_t frame_tag = 0;
    std::string_view start;
    if (!reader.u24(20, &frame_tag) || !reader.view(23, 3, &start) || !reader.u16(26, &a) ||
        !reader.u16(28, &b)) {
      return truncated("WebP", "short VP8 frame header");
    }
    if ((frame_tag & 1) != 0 || start != "\x9d\x01\x2a") return truncated("WebP", "not a VP8 key frame");
    return sized(ImageType::kWebp, a & 0x3FFF, b & 0x3FFF);
  }
  if (kind == "VP8L") {
    // Signature 0x2F, then width-1 and height-1 in 14 bits each, least significant first.
    uint32_t signature = 0;
    if (!reader.u8(20, &signature) || !reader.u32(21, &a)) return truncated("WebP", "short VP8L header");
    if (signature != 0x2F) return truncated("WebP", "bad VP8L signature");
    return sized(ImageType::kWebp, int64_t{a & 0x3FFF} + 1, int64_t{(a >> 14) & 0x3FFF} + 1);
  }
  if (kind == "VP8X") {
    // Flags (4 bytes), then canvas width-1 and height-1 in 24 bits each.
    if (!reader.u24(24, &a) || !reader.u24(27, &b)) return truncated("WebP", "short VP8X header");
    return sized(ImageType::kWebp, int64_t{a} + 1, int64_t{b} + 1);
  }
  return truncated("WebP", "the first chunk is not VP8, VP8L or VP8X");
}

Result<ImageHeader> bmp_header(std::string_view bytes) {
  const ByteReader reader(bytes, /*big_endian=*/false);
  uint32_t info_size = 0;
  if (!reader.u32(14, &info_size)) return truncated("BMP", "no info header");
  uint32_t width = 0;
  uint32_t height = 0;
  if (info_size == 12) {  // OS/2 1.x BITMAPCOREHEADER: unsigned 16-bit dimensions
    if (!reader.u16(18, &width) || !reader.u16(20, &height)) return truncated("BMP", "short core header");
    return sized(ImageType::kBmp, width, height);
  }
  if (info_size < 16 || info_size > 1024) return truncated("BMP", "unknown info header size");
  if (!reader.u32(18, &width) || !reader.u32(22, &height)) return truncated("BMP", "short info header");
  // Signed 32-bit; a negative height means rows run top-down.
  const auto w = static_cast<int64_t>(static_cast<int32_t>(width));
  const auto h = static_cast<int64_t>(static_cast<int32_t>(height));
  return sized(ImageType::kBmp, w, h < 0 ? -h : h);
}

int64_t saturating_area(int64_t a, int64_t b) {
  if (a <= 0 || b <= 0) return 0;
  return a > INT64_MAX / b ? INT64_MAX : a * b;
}

// Every directory counts, not only the first: libtiff may read another one (a sub-file, a page), and a tile
// or strip buffer is allocated at its declared size, whatever the image size. `decode_pixels` is the
// largest of those areas, so that one small file cannot make the decoder allocate gigabytes.
Result<ImageHeader> tiff_header(std::string_view bytes) {
  std::vector<internal::TiffTags> directories;
  if (!internal::read_tiff_directories(bytes, &directories)) return truncated("TIFF", "no first IFD");
  const internal::TiffTags& first = directories.front();
  if (first.width < 0 || first.height < 0)
    return truncated("TIFF", "no ImageWidth/ImageLength in the first IFD");
  auto header = sized(ImageType::kTiff, first.width, first.height);
  if (!header) return header;
  int64_t largest = 0;
  for (size_t i = 0; i < directories.size(); ++i) {
    const auto& d = directories[i];
    if (d.conflicting) {
      return common::invalid_input("tiff header is inconsistent: IFD " + std::to_string(i) +
                                   " gives a dimension, strip or tile tag twice with different values");
    }
    largest = std::max(largest, saturating_area(d.width, d.height));
    largest = std::max(largest, saturating_area(d.tile_width, d.tile_length));
    // A strip holds RowsPerStrip full rows; libtiff clamps it to the image height, OpenCV does too.
    if (d.rows_per_strip > 0 && d.height > 0) {
      largest = std::max(largest, saturating_area(d.width, std::min(d.rows_per_strip, d.height)));
    }
  }
  header->decode_pixels = largest;
  return header;
}

ImageType sniff(std::string_view b) {
  if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") return ImageType::kJpeg;
  if (b.size() >= 8 && b.substr(0, 8) == "\x89PNG\r\n\x1a\n") return ImageType::kPng;
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return ImageType::kWebp;
  if (b.size() >= 2 && b.substr(0, 2) == "BM") return ImageType::kBmp;
  if (b.size() >= 4 &&
      (b.substr(0, 4) == std::string_view("II*\0", 4) || b.substr(0, 4) == std::string_view("MM\0*", 4) ||
       b.substr(0, 4) == std::string_view("II+\0", 4) || b.substr(0, 4) == std::string_view("MM\0+", 4))) {
    return ImageType::kTiff;
  }
  return ImageType::kUnknown;
}

}  // namespace

const char* image_type_name(ImageType type) {
  switch (type) {
    case ImageType::kJpeg:
      return "jpeg";
    case ImageType::kPng:
      return "png";
    case ImageType::kWebp:
      return "webp";
    case ImageType::kBmp:
      return "bmp";
    case ImageType::kTiff:
      return "tiff";
    case ImageType::kUnknown:
      break;
  }
  return "unknown";
}

ImageType image_type_from_content_type(std::string_view content_type) {
  const size_t semicolon = content_type.find(';');
  std::string type(content_type.substr(0, semicolon));
  type.erase(std::remove_if(type.begin(), type.end(), [](unsigned char c) { return std::isspace(c); }),
             type.end());
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  if (type == "image/jpeg" || type == "image/jpg" || type == "image/pjpeg") return ImageType::kJpeg;
  if (type == "image/png") return ImageType::kPng;
  if (type == "image/webp") return ImageType::kWebp;
  if (type == "image/bmp" || type == "image/x-bmp" || type == "image/x-ms-bmp") return ImageType::kBmp;
  if (type == "image/tiff" || type == "image/x-tiff") return ImageType::kTiff;
  return ImageType::kUnknown;
}

common::Result<ImageHeader> read_image_header(std::string_view bytes) {
  switch (sniff(bytes)) {
    case ImageType::kJpeg:
      return jpeg_header(bytes);
    case ImageType::kPng:
      return png_header(bytes);
    case ImageType::kWebp:
      return webp_header(bytes);
    case ImageType::kBmp:
      return bmp_header(bytes);
    case ImageType::kTiff:
      return tiff_header(bytes);
    case ImageType::kUnknown:
      break;
  }
  return common::unsupported("not a JPEG, PNG, WebP, BMP or TIFF image (unrecognised leading bytes)");
}

}  // namespace sluice::serve::vision
