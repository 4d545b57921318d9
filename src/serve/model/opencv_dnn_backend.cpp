// OpenCV DNN running an ONNX graph on the CPU with OpenCV's own kernels.
#include <exception>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <string>

#include "serve/model/engines.h"

namespace sluice::serve::model::internal {
namespace {

using common::Result;

// cv::Exception::what() repeats the source location and nests importer errors; `err` is the readable part.
std::string describe(const cv::Exception& e) {
  std::string text = e.err.empty() ? e.what() : e.err;
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  return text;
}

class OpenCvDnnBackend final : public Backend {
 public:
  OpenCvDnnBackend(const ModelConfig& config, cv::dnn::Net net)
      : name_(config.name),
        net_(std::move(net)),
        height_(config.preprocess.crop_height),
        width_(config.preprocess.crop_width) {}

  Result<std::vector<float>> forward(const float* input, int64_t n) override {
    if (n < 1) return common::invalid_argument(name_ + ": a batch needs at least one image");
    try {
      const int sizes[] = {static_cast<int>(n), 3, height_, width_};
      // setInput copies the blob, so wrapping the caller's buffer without a copy is safe.
      net_.setInput(cv::Mat(4, sizes, CV_32F, const_cast<float*>(input)));
      cv::Mat out = net_.forward();
      if (out.empty() || out.dims < 1 || out.size[0] != n) {
        return common::internal_error(name_ + ": " + std::to_string(n) + " images in, output of " +
                                      std::to_string(out.total()) + " values out");
      }
      if (out.type() != CV_32F) out.convertTo(out, CV_32F);
      if (!out.isContinuous()) out = out.clone();
      const float* data = out.ptr<float>();
      return std::vector<float>(data, data + out.total());
    } catch (const cv::Exception& e) {
      return common::internal_error(name_ + ": OpenCV DNN forward failed: " + describe(e));
    } catch (const std::exception& e) {
      return common::internal_error(name_ + ": OpenCV DNN forward failed: " + e.what());
    }
  }

  const char* engine() const override { return "opencv-dnn"; }

 private:
  std::string name_;
  cv::dnn::Net net_;
  int height_;
  int width_;
};

}  // namespace

Result<std::unique_ptr<Backend>> open_opencv_dnn_backend(const ModelConfig& config) {
  const std::string prefix =
      config.name + ": OpenCV DNN cannot load " + config.weights.filename().string() + ": ";
  try {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(config.weights.string());
    if (net.empty()) return common::invalid_argument(prefix + "the network is empty");
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    return std::unique_ptr<Backend>(std::make_unique<OpenCvDnnBackend>(config, std::move(net)));
  } catch (const cv::Exception& e) {
    return common::invalid_argument(prefix + describe(e));
  } catch (const std::exception& e) {
    return common::invalid_argument(prefix + e.what());
  }
}

}  // namespace sluice::serve::model::internal
