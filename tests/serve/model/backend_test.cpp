#include "serve/model/backend.h"

#include <ATen/Parallel.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "serve/model/model_config.h"
#include "test_models.h"

namespace sluice::serve::model {
namespace {

using testing::models_dir;
using ::testing::StartsWith;

TEST(BackendTest, OpensEachFormatWithItsEngine) {
  for (const char* name : {"tiny", "tiny_onnx"}) {
    common::Result<ModelConfig> config = load_model_config(models_dir() / "repo" / name);
    ASSERT_TRUE(config.is_ok()) << config.status().message();
    common::Result<std::unique_ptr<Backend>> backend = open_backend(*config);
    ASSERT_TRUE(backend.is_ok()) << backend.status().message();
    EXPECT_STREQ((*backend)->engine(), config->format == ModelFormat::kOnnx ? "opencv-dnn" : "libtorch");

    std::vector<float> input(4 * 3 * 32 * 32, 0.25f);
    common::Result<std::vector<float>> out = (*backend)->forward(input.data(), 4);
    ASSERT_TRUE(out.is_ok()) << out.status().message();
    EXPECT_EQ(out->size(), 40u);
    EXPECT_EQ((*backend)->forward(input.data(), 0).status().code(), common::Code::kInvalidArgument);
  }
}

TEST(BackendTest, WrongFormatIsReportedNotThrown) {
  // TorchScript weights handed to OpenCV, and the other way round.
  common::Result<ModelConfig> config = load_model_config(models_dir() / "repo" / "tiny");
  ASSERT_TRUE(config.is_ok()) << config.status().message();
  config->format = ModelFormat::kOnnx;
  common::Result<std::unique_ptr<Backend>> as_onnx = open_backend(*config);
  EXPECT_THAT(as_onnx.status().message(), StartsWith("tiny: OpenCV DNN cannot load model.pt: "));

  config = load_model_config(models_dir() / "repo" / "tiny_onnx");
  ASSERT_TRUE(config.is_ok()) << config.status().message();
  config->format = ModelFormat::kTorchScript;
  common::Result<std::unique_ptr<Backend>> as_torch = open_backend(*config);
  EXPECT_THAT(as_torch.status().message(), StartsWith("tiny_onnx: LibTorch cannot load model.onnx: "));
}

TEST(BackendTest, InferenceThreadsCanBeSetMoreThanOnce) {
  set_inference_threads(1);
  set_inference_threads(2);  // LibTorch refuses a second inter-op setting; that must not escape
  EXPECT_EQ(at::get_num_threads(), 2);
  EXPECT_EQ(cv::getNumThreads(), 2);
}

}  // namespace
}  // namespace sluice::serve::model
