#pragma once
// Image bytes → 8-bit RGB pixels, the way the reference's PIL `Image.open(...).convert("RGB")` would see
// them, plus a header sniffer that refuses decompression bombs before any pixel is decoded.
//
// Thread-safe; no global state.
#include <cstdint>
#include <opencv2/core.hpp>
#include <string_view>

#include "common/status.h"

namespace sluice::serve::vision {

enum class ImageType { kUnknown, kJpeg, kPng, kWebp, kBmp, kTiff };
const char* image_type_name(ImageType type);  // "jpeg", "png", …

// "image/jpeg" → kJpeg, … ; parameters and case ignored; anything else → kUnknown.
ImageType image_type_from_content_type(std::string_view content_type);

struct ImageHeader {
  ImageType type = ImageType::kUnknown;
  int64_t width = 0;
  int64_t height = 0;
  // The most pixels decoding may hold at once, by the header: width × height, or for a TIFF the largest
  // image, tile or strip of any of its directories. Saturates at INT64_MAX.
  int64_t decode_pixels = 0;
};

// Recognises the type by its magic bytes and reads the dimensions from the header alone (JPEG SOFn, PNG IHDR,
// WebP VP8/VP8L/VP8X, BMP info header, TIFF first IFD; every IFD for decode_pixels). Errors: kUnsupported
// when the magic is none of the five types (415), kInvalidInput when the header is truncated or inconsistent
// (422). Never reads out of bounds, whatever the input.
common::Result<ImageHeader> read_image_header(std::string_view bytes);

struct DecodeLimits {
  int64_t max_pixels = 40'000'000;  // width × height above this is refused before decoding (413)
};

// Decodes to a CV_8UC3 matrix in RGB order, as Pillow's exif_transpose + convert("RGB") would:
//  - EXIF orientation is applied, once (JPEG APP1, PNG eXIf, WebP EXIF chunk, TIFF Orientation tag);
//  - grayscale is expanded to three channels; alpha is dropped, not composited; palettes are expanded;
//  - CMYK JPEGs are converted to RGB (within 1 of Pillow's arithmetic);
//  - 16-bit samples keep their high byte (v >> 8). Pillow 9.4 instead clips a 16-bit grey PNG at 255,
//    turning most of it white; sluice deliberately differs there.
// Errors: kUnsupported (not one of the five types), kResourceExhausted (over max_pixels, from the header:
// the image, or a TIFF directory, tile or strip of more pixels than max_pixels),
// kInvalidInput (the decoder fails: corrupt data, or truncated — a JPEG must reach its EOI marker, because
// libjpeg would otherwise fill the missing part with grey and succeed). Animated WebP is not supported by
// OpenCV 4.6 and fails with kInvalidInput.
common::Result<cv::Mat> decode_rgb(std::string_view bytes, const DecodeLimits& limits);

}  // namespace sluice::serve::vision
