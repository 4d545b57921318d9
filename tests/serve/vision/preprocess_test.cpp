#include "serve/vision/preprocess.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "serve/vision/test_images.h"

namespace sluice::serve::vision {
namespace {

using common::Code;

// The C++ side runs the same ATen kernels on the same libtorch_cpu.so as Python (Debian's python3-torch and
// libtorch-dev are one build), in the same order, so the floats agree bit for bit: measured max |diff| = 0
// over 14 images × 5 specs. The bound is one float32 ulp at the largest magnitude produced (|x| < 2.7
// → 2.4e-7) rounded up, so that a build where Python and C++ pick different SIMD paths still passes, while
// any real slip (a pixel of resize rounding is 1/255/0.225 = 0.017; an off-by-one crop moves whole rows)
// fails.
constexpr float kTolerance = 5e-7f;

cv::Mat load_rgb(const nlohmann::json& image) {
  const std::string pixels = testing::read_bytes(image["rgb"]);
  cv::Mat out(image["height"].get<int>(), image["width"].get<int>(), CV_8UC3);
  EXPECT_EQ(pixels.size(), out.total() * 3);
  std::memcpy(out.data, pixels.data(), std::min(pixels.size(), out.total() * 3));
  return out;
}

std::vector<float> load_floats(const std::string& name) {
  const std::string raw = testing::read_bytes(name);
  std::vector<float> out(raw.size() / sizeof(float));
  std::memcpy(out.data(), raw.data(), out.size() * sizeof(float));  // little-endian host, as written
  return out;
}

PreprocessSpec spec_from(const nlohmann::json& json) {
  PreprocessSpec spec;
  spec.resize_mode = json["mode"] == "stretch" ? ResizeMode::kStretch : ResizeMode::kShorterSide;
  spec.resize = json["resize"];
  spec.crop_width = json["crop_width"];
  spec.crop_height = json["crop_height"];
  for (int c = 0; c < 3; ++c) {
    spec.mean[c] = testing::manifest()["mean"][c].get<float>();
    spec.std[c] = testing::manifest()["std"][c].get<float>();
  }
  return spec;
}

std::vector<float> run(const cv::Mat& rgb, const PreprocessSpec& spec) {
  std::vector<float> out(input_floats(spec), -1000.0f);
  const common::Status status = preprocess(rgb, spec, out.data());
  EXPECT_TRUE(status.is_ok()) << status.message();
  return out;
}

TEST(Preprocess, MatchesTorchvision) {
  float worst = 0;
  int compared = 0;
  for (const auto& image : testing::images()) {
    if (!testing::decodable(image) || !image.contains("preprocess")) continue;
    const cv::Mat rgb = load_rgb(image);
    for (const auto& [spec_name, file] : image["preprocess"].items()) {
      SCOPED_TRACE(image["file"].get<std::string>() + " " + spec_name);
      const PreprocessSpec spec = spec_from(testing::manifest()["specs"][spec_name]);
      const std::vector<float> expected = load_floats(file);
      const std::vector<float> got = run(rgb, spec);
      ASSERT_EQ(got.size(), expected.size());
      float max_diff = 0;
      for (size_t i = 0; i < got.size(); ++i) max_diff = std::max(max_diff, std::fabs(got[i] - expected[i]));
      EXPECT_LE(max_diff, kTolerance);
      worst = std::max(worst, max_diff);
      ++compared;
    }
  }
  EXPECT_GT(compared, 0);
  std::cout << "  " << compared << " image/spec pairs, max |sluice - torchvision| = " << worst << "\n";
}

TEST(Preprocess, BgrReversesChannelsAndTheirMeanAndStd) {
  const auto photo = testing::images().front();
  ASSERT_EQ(photo["file"], "photo.jpg");
  const cv::Mat rgb = load_rgb(photo);
  PreprocessSpec spec;
  const std::vector<float> as_rgb = run(rgb, spec);
  spec.bgr = true;
  const std::vector<float> as_bgr = run(rgb, spec);
  const size_t plane = size_t{224} * 224;
  for (int c = 0; c < 3; ++c) {
    EXPECT_TRUE(std::equal(as_bgr.begin() + c * plane, as_bgr.begin() + (c + 1) * plane,
                           as_rgb.begin() + (2 - c) * plane))
        << "channel " << c;
  }
}

TEST(Preprocess, StretchIgnoresTheAspectRatio) {
  // A 40x10 image whose left half is black and right half white: stretched to 8x8, columns 0-3 stay near
  // black and 4-7 near white in every row, which a shorter-side resize plus centre crop could not produce.
  cv::Mat rgb(10, 40, CV_8UC3, cv::Scalar(0, 0, 0));
  rgb.colRange(20, 40).setTo(cv::Scalar(255, 255, 255));
  PreprocessSpec spec;
  spec.resize_mode = ResizeMode::kStretch;
  spec.crop_width = 8;
  spec.crop_height = 8;
  spec.mean = {0, 0, 0};
  spec.std = {1, 1, 1};
  const std::vector<float> out = run(rgb, spec);
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < 8; ++y) {
      for (int x = 0; x < 8; ++x) {
        const float v = out[(c * 8 + y) * 8 + x];
        if (x < 3 || x > 4) {
          EXPECT_EQ(v, x < 3 ? 0.0f : 1.0f) << x << "," << y;
        }
      }
    }
  }
}

TEST(Preprocess, RoiViewEqualsItsCopy) {
  const cv::Mat rgb = load_rgb(testing::images().front());
  const cv::Mat roi = rgb(cv::Rect(13, 7, 301, 211));  // not continuous: rows keep the parent's stride
  ASSERT_FALSE(roi.isContinuous());
  PreprocessSpec spec;
  EXPECT_EQ(run(roi, spec), run(roi.clone(), spec));
}

TEST(Preprocess, RefusesBadInputsAndSpecs) {
  std::vector<float> out(3 * 224 * 224);
  const cv::Mat rgb(32, 32, CV_8UC3, cv::Scalar(1, 2, 3));
  const auto code = [&](const cv::Mat& image, const PreprocessSpec& spec, float* dst) {
    return preprocess(image, spec, dst).code();
  };
  PreprocessSpec spec;
  EXPECT_EQ(code(cv::Mat(), spec, out.data()), Code::kInvalidArgument);
  EXPECT_EQ(code(cv::Mat(32, 32, CV_8UC1), spec, out.data()), Code::kInvalidArgument);
  EXPECT_EQ(code(cv::Mat(32, 32, CV_32FC3), spec, out.data()), Code::kInvalidArgument);
  EXPECT_EQ(code(rgb, spec, nullptr), Code::kInvalidArgument);
  PreprocessSpec bad = spec;
  bad.crop_width = 0;
  EXPECT_EQ(code(rgb, bad, out.data()), Code::kInvalidArgument);
  bad = spec;
  bad.resize = -1;
  EXPECT_EQ(code(rgb, bad, out.data()), Code::kInvalidArgument);
  bad = spec;
  bad.std[1] = 0;
  EXPECT_EQ(code(rgb, bad, out.data()), Code::kInvalidArgument);
  bad = spec;
  bad.mean[2] = NAN;
  EXPECT_EQ(code(rgb, bad, out.data()), Code::kInvalidArgument);
  // 1x100000 resized to a shorter side of 256 would be 25.6M x 256.
  EXPECT_EQ(code(cv::Mat(1, 100000, CV_8UC3, cv::Scalar(0, 0, 0)), spec, out.data()), Code::kInvalidInput);
  EXPECT_TRUE(preprocess(rgb, spec, out.data()).is_ok());
}

}  // namespace
}  // namespace sluice::serve::vision
