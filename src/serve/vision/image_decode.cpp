// Bytes → RGB pixels with OpenCV, after the header check. EXIF orientation is applied here rather than by
// OpenCV so that every format Pillow rotates (JPEG, PNG, WebP; TIFF is the exception, below) is rotated once.
#include "serve/vision/image_decode.h"

#include <climits>
#include <exception>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "serve/vision/image_metadata.h"

namespace sluice::serve::vision {
namespace {

// Maps EXIF orientations to the transposition Pillow's ImageOps.exif_transpose applies.
void apply_orientation(int orientation, cv::Mat* image) {
  cv::Mat out;
  switch (orientation) {
    case 2:
      cv::flip(*image, out, 1);
      break;
    case 3:
      cv::rotate(*image, out, cv::ROTATE_180);
      break;
    case 4:
      cv::flip(*image, out, 0);
      break;
    case 5:
      cv::transpose(*image, out);
      break;
    case 6:
      cv::rotate(*image, out, cv::ROTATE_90_CLOCKWISE);
      break;
    case 7:
      cv::transpose(*image, out);
      cv::rotate(out, out, cv::ROTATE_180);
      break;
    case 8:
      cv::rotate(*image, out, cv::ROTATE_90_COUNTERCLOCKWISE);
      break;
    default:
      return;
  }
  *image = std::move(out);
}

}  // namespace

common::Result<cv::Mat> decode_rgb(std::string_view bytes, const DecodeLimits& limits) {
  auto header = read_image_header(bytes);
  if (!header) return header.status();
  const char* type_name = image_type_name(header->type);
  // Dimensions can reach 2^62 (BigTIFF), so compare without forming the product.
  if (header->width > limits.max_pixels / header->height) {
    return common::resource_exhausted(std::string(type_name) + " image of " + std::to_string(header->width) +
                                      "x" + std::to_string(header->height) + " pixels is over the limit of " +
                                      std::to_string(limits.max_pixels) + " pixels");
  }
  if (header->decode_pixels > limits.max_pixels) {
    return common::resource_exhausted(std::string(type_name) + " image: a directory, tile or strip of " +
                                      std::to_string(header->decode_pixels) +
                                      " pixels is over the limit of " + std::to_string(limits.max_pixels) +
                                      " pixels");
  }
  if (header->type == ImageType::kJpeg && !internal::jpeg_is_complete(bytes)) {
    return common::invalid_input("jpeg image is truncated (no EOI marker after the image data)");
  }
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return common::resource_exhausted("image of " + std::to_string(bytes.size()) + " bytes is too large");
  }
  try {
    // imdecode only reads its input; the Mat header is how it accepts a borrowed buffer.
    const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    // IMREAD_COLOR expands grey, drops alpha, converts CMYK and keeps the high byte of 16-bit samples.
    cv::Mat bgr = cv::imdecode(encoded, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
    if (bgr.empty()) {
      return common::invalid_input(std::string(type_name) +
                                   " image could not be decoded (corrupt or truncated)");
    }
    if (bgr.type() != CV_8UC3) {
      return common::internal_error("the decoder returned an unexpected pixel type " +
                                    std::to_string(bgr.type()));
    }
    if (int64_t{bgr.rows} * bgr.cols > limits.max_pixels) {
      return common::resource_exhausted(std::string(type_name) + " image decodes to more than " +
                                        std::to_string(limits.max_pixels) + " pixels");
    }
    // OpenCV's TIFF decoder applies the Orientation tag itself, whatever the flags (checked for all eight
    // values with OpenCV 4.6); everywhere else IMREAD_IGNORE_ORIENTATION leaves it to us.
    if (header->type != ImageType::kTiff) {
      apply_orientation(internal::exif_orientation(bytes, header->type), &bgr);
    }
    // In place: a 40-megapixel image would otherwise hold a second 120 MB copy.
    cv::cvtColor(bgr, bgr, cv::COLOR_BGR2RGB);
    return bgr;
  } catch (const cv::Exception& e) {
    return common::invalid_input(std::string(type_name) + " image could not be decoded: " + e.err);
  } catch (const std::bad_alloc&) {
    return common::resource_exhausted(std::string(type_name) + " image: out of memory while decoding");
  } catch (const std::exception& e) {
    return common::internal_error(std::string(type_name) + " image: unexpected decoder failure: " + e.what());
  }
}

}  // namespace sluice::serve::vision
