#pragma once
// Image bytes → 8-bit RGB pixels, the way the reference's PIL `Image.open(...).convert("RGB")` would see
// them, plus a header sniffer that refuses decompression bombs before any pixel is decoded.
//
// Thread-safe; no global state.
#include <cstdint>
#include <string_view>

#include <opencv2/core.hpp>

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
};

// Recognises the type by its magic bytes and reads the dimensions from the header alone (JPEG SOFn, PNG IHDR,
// WebP VP8/VP8L/VP8X, BMP info header, TIFF first IFD). Errors: kUnsupported when the magic is none of the
// five types (415), kInvalidInput when the header is truncated or inconsistent (422). Never reads out of
// bounds, whatever the input.
common::Result<ImageHeader> read_image_header(std::string_view bytes);

struct DecodeLimits {
  int64_t max_pixels = 40'000'000;  // width × height above this is refused before decoding (413)
};

// Decodes to a CV_8UC3 matrix in RGB order:
//  - EXIF orientation is applied (JPEG and TIFF);
//  - grayscale is expanded to three channels; alpha is dropped (as PIL's convert("RGB") does);
//  - 16-bit images are scaled to 8 bits; CMYK JPEGs are converted to RGB.
// Errors: kUnsupported (not one of the five types), kResourceExhausted (over max_pixels, from the header),
// kInvalidInput (the decoder fails: truncated or corrupt data).
common::Result<cv::Mat> decode_rgb(std::string_view bytes, const DecodeLimits& limits);

}  // namespace sluice::serve::vision
