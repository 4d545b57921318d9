// torchvision's uint8 tensor pipeline, op for op, on the same ATen kernels (Debian's python3-torch and
// libtorch-dev share libtorch_cpu.so), so that the floats match bit for bit. The reference is torchvision
// 0.14: transforms/functional.py (_compute_resized_output_size, center_crop) and functional_tensor.py
// (resize, _cast_squeeze_in/out, convert_image_dtype, normalize).
#include "serve/vision/preprocess.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <string>
#include <vector>

namespace sluice::serve::vision {
namespace {

constexpr int kMaxSide = 16384;  // far above any classifier input; keeps a bad spec from allocating gigabytes
// A 1×40M-pixel image resized to a shorter side of 256 would be 256×10^10 pixels; refuse past 2^24 (200 MB of
// float32) instead.
constexpr int64_t kMaxResizedPixels = int64_t{1} << 24;

// Python's round() of (d / 2.0) for a non-negative integer d: halves go to the even neighbour.
int64_t half_round_even(int64_t d) {
  const int64_t half = d / 2;
  return (d % 2 == 0 || half % 2 == 0) ? half : half + 1;
}

common::Status check(const cv::Mat& rgb, const PreprocessSpec& spec, const float* out) {
  if (rgb.empty()) return common::invalid_argument("preprocess: empty image");
  if (rgb.type() != CV_8UC3) {
    return common::invalid_argument("preprocess: expected an 8-bit 3-channel image, got type " +
                                    std::to_string(rgb.type()));
  }
  if (out == nullptr) return common::invalid_argument("preprocess: no output buffer");
  const auto in_range = [](int v) { return v >= 1 && v <= kMaxSide; };
  if (!in_range(spec.crop_width) || !in_range(spec.crop_height)) {
    return common::invalid_argument("preprocess: crop " + std::to_string(spec.crop_width) + "x" +
                                    std::to_string(spec.crop_height) + " is outside 1.." +
                                    std::to_string(kMaxSide));
  }
  if (spec.resize_mode == ResizeMode::kShorterSide && !in_range(spec.resize)) {
    return common::invalid_argument("preprocess: resize " + std::to_string(spec.resize) + " is outside 1.." +
                                    std::to_string(kMaxSide));
  }
  for (float s : spec.std) {
    if (!(s != 0.0f) || !std::isfinite(s))
      return common::invalid_argument("preprocess: std must be finite, not 0");
  }
  for (float m : spec.mean) {
    if (!std::isfinite(m)) return common::invalid_argument("preprocess: mean must be finite");
  }
  return common::Status::ok();
}

// transforms.functional._compute_resized_output_size for an int size: the shorter side becomes `size`, the
// longer int(size * long / short), truncated as Python's int() does.
std::array<int64_t, 2> shorter_side_size(int64_t h, int64_t w, int64_t size) {
  const int64_t short_side = std::min(h, w);
  const int64_t long_side = std::max(h, w);
  const auto new_long =
      static_cast<int64_t>(static_cast<double>(size * long_side) / static_cast<double>(short_side));
  return w <= h ? std::array<int64_t, 2>{new_long, size} : std::array<int64_t, 2>{size, new_long};
}

// functional_tensor.resize on a uint8 CHW tensor with antialias=True: to float32, antialiased bilinear with
// align_corners=False, round, back to uint8 (no clamp: the weights are non-negative and sum to one).
at::Tensor resize_uint8(const at::Tensor& chw, int64_t out_h, int64_t out_w) {
  if (chw.size(1) == out_h && chw.size(2) == out_w) return chw;
  // One channel at a time: the kernel treats each plane alone (the same weights, the same order), so the
  // result is identical, and a 40-megapixel image holds 160 MB of float32 at once instead of 480 MB.
  std::vector<at::Tensor> planes;
  planes.reserve(static_cast<size_t>(chw.size(0)));
  for (int64_t c = 0; c < chw.size(0); ++c) {
    at::Tensor x = chw.slice(0, c, c + 1).unsqueeze(0).to(at::kFloat);
    x = at::_upsample_bilinear2d_aa(x, {out_h, out_w}, /*align_corners=*/false, c10::nullopt, c10::nullopt);
    planes.push_back(at::round(x).to(at::kByte).squeeze(0));
  }
  return at::cat(planes, 0);
}

// functional.center_crop: zero padding when the crop is larger, then offsets int(round((h - ch) / 2.0)).
at::Tensor center_crop(at::Tensor chw, int64_t crop_h, int64_t crop_w) {
  int64_t h = chw.size(1);
  int64_t w = chw.size(2);
  if (crop_w > w || crop_h > h) {
    const int64_t left = crop_w > w ? (crop_w - w) / 2 : 0;
    const int64_t top = crop_h > h ? (crop_h - h) / 2 : 0;
    const int64_t right = crop_w > w ? (crop_w - w + 1) / 2 : 0;
    const int64_t bottom = crop_h > h ? (crop_h - h + 1) / 2 : 0;
    chw = at::constant_pad_nd(chw, {left, right, top, bottom}, 0);
    h = chw.size(1);
    w = chw.size(2);
    if (crop_w == w && crop_h == h) return chw;
  }
  const int64_t top = half_round_even(h - crop_h);
  const int64_t left = half_round_even(w - crop_w);
  return chw.slice(1, top, top + crop_h).slice(2, left, left + crop_w);
}

}  // namespace

common::Status preprocess(const cv::Mat& rgb, const PreprocessSpec& spec, float* out) {
  SLUICE_RETURN_IF_ERROR(check(rgb, spec, out));
  try {
    c10::InferenceMode inference;
    // The HWC view permuted to CHW is exactly what F.pil_to_tensor hands torchvision.
    const at::Tensor hwc = at::from_blob(rgb.data, {rgb.rows, rgb.cols, 3},
                                         {static_cast<int64_t>(rgb.step[0]), 3, 1}, at::kByte);
    at::Tensor img = hwc.permute({2, 0, 1});
    const int64_t crop_h = spec.crop_height;
    const int64_t crop_w = spec.crop_width;
    if (spec.resize_mode == ResizeMode::kStretch) {
      img = resize_uint8(img, crop_h, crop_w);
    } else {
      const auto [out_h, out_w] = shorter_side_size(rgb.rows, rgb.cols, spec.resize);
      if (out_w > kMaxResizedPixels / out_h) {
        return common::invalid_input(
            "preprocess: a " + std::to_string(rgb.cols) + "x" + std::to_string(rgb.rows) +
            " image resized to a shorter side of " + std::to_string(spec.resize) + " would be " +
            std::to_string(out_w) + "x" + std::to_string(out_h) + " pixels; the aspect ratio is too extreme");
      }
      img = resize_uint8(img, out_h, out_w);
    }
    img = center_crop(img, crop_h, crop_w);
    at::Tensor x = img.to(at::kFloat) / 255.0;  // convert_image_dtype(uint8 → float)
    const auto options = at::TensorOptions().dtype(at::kFloat);
    const at::Tensor mean = at::tensor({spec.mean[0], spec.mean[1], spec.mean[2]}, options).view({-1, 1, 1});
    const at::Tensor std = at::tensor({spec.std[0], spec.std[1], spec.std[2]}, options).view({-1, 1, 1});
    x = x.sub(mean).div_(std);
    if (spec.bgr) x = x.flip({0});
    at::from_blob(out, {3, crop_h, crop_w}, at::kFloat).copy_(x);
    return common::Status::ok();
  } catch (const std::exception& e) {
    return common::internal_error(std::string("preprocess: ") + e.what());
  }
}

}  // namespace sluice::serve::vision
