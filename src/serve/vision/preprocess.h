#pragma once
// RGB pixels → the float tensor a classifier expects, numerically identical to torchvision's
//   Resize(resize, antialias=True) → CenterCrop(crop) → ConvertImageDtype(float) → Normalize(mean, std)
// on a uint8 tensor (the resize rounds back to uint8 exactly as torchvision does), so that a model exported
// from PyTorch sees here what it saw in Python. Verified against PyTorch in tests/serve/vision.
//
// Thread-safe.
#include <array>
#include <cstdint>
#include <opencv2/core.hpp>

#include "common/status.h"

namespace sluice::serve::vision {

enum class ResizeMode {
  kShorterSide,  // scale so the shorter side equals `resize`, keep the aspect ratio (torchvision Resize(int))
  kStretch,      // scale to exactly crop_width × crop_height, ignoring the aspect ratio
};

struct PreprocessSpec {
  ResizeMode resize_mode = ResizeMode::kShorterSide;
  int resize = 256;  // target of the shorter side (kShorterSide only)
  int crop_width = 224;
  int crop_height = 224;
  std::array<float, 3> mean{0.485f, 0.456f, 0.406f};  // in RGB order, applied after scaling to [0, 1]
  std::array<float, 3> std{0.229f, 0.224f, 0.225f};
  bool bgr = false;  // the model wants channels in B, G, R order (mean/std are reordered with them)
};

// Writes 3 × crop_height × crop_width floats, channel-major (CHW), into `out`.
// `rgb` is CV_8UC3 in RGB order. Errors: kInvalidArgument for an empty image or a bad spec (a size outside
// 1..16384, a zero or non-finite std); kInvalidInput when the image's aspect ratio is so extreme that the
// resized image would exceed 2^24 pixels.
common::Status preprocess(const cv::Mat& rgb, const PreprocessSpec& spec, float* out);

inline int64_t input_floats(const PreprocessSpec& spec) {
  return int64_t{3} * spec.crop_height * spec.crop_width;
}

}  // namespace sluice::serve::vision
