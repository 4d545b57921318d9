// Each engine against PyTorch's own output on the same input (tools/make_test_models.py wrote both), and
// batching against single images.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "test_models.h"

namespace sluice::serve::model {
namespace {

using testing::models_dir;

std::vector<int> top5(const float* probabilities, size_t classes) {
  std::vector<int> order(classes);
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + 5, order.end(),
                    [&](int a, int b) { return probabilities[a] > probabilities[b]; });
  order.resize(5);
  return order;
}

const nlohmann::json& reference() {
  static const nlohmann::json json = [] {
    std::ifstream in(models_dir() / "reference.json");
    return in ? nlohmann::json::parse(in) : nlohmann::json::object();
  }();
  return json;
}

class BackendParityTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Only the model under test is opened (not the whole repository): ctest runs each test in a process of
  // its own, and the large models take seconds each to open.
  void SetUp() override {
    common::Result<ModelConfig> config = load_model_config(models_dir() / "repo" / GetParam());
    ASSERT_TRUE(config.is_ok()) << config.status().message();
    common::Result<std::unique_ptr<Backend>> backend = open_backend(*config);
    ASSERT_TRUE(backend.is_ok()) << backend.status().message();
    model_ = std::make_unique<LoadedModel>(std::move(config).value(), std::move(backend).value(), 0.0);
    ASSERT_TRUE(reference().contains("models") && reference()["models"].contains(GetParam()))
        << "no reference for " << GetParam() << " in " << models_dir() / "reference.json";
    expected_ = &reference()["models"][GetParam()];
    input_ = testing::read_floats(models_dir() / (*expected_)["input"].get<std::string>());
    images_ = (*expected_)["shape"][0].get<int64_t>();
    ASSERT_EQ(static_cast<int64_t>(input_.size()),
              images_ * vision::input_floats(model_->config().preprocess));
  }

  std::unique_ptr<LoadedModel> model_;
  const nlohmann::json* expected_ = nullptr;
  std::vector<float> input_;
  int64_t images_ = 0;
};

TEST_P(BackendParityTest, MatchesPyTorch) {
  const auto started = std::chrono::steady_clock::now();
  common::Result<std::vector<float>> out = model_->infer(input_.data(), images_);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_TRUE(out.is_ok()) << out.status().message();
  const size_t classes = model_->num_classes();
  ASSERT_EQ(out->size(), images_ * classes);

  double max_diff = 0;
  for (int64_t i = 0; i < images_; ++i) {
    const nlohmann::json& row = (*expected_)["probabilities"][i];
    ASSERT_EQ(row.size(), classes);
    for (size_t c = 0; c < classes; ++c) {
      max_diff =
          std::max(max_diff, std::abs(static_cast<double>((*out)[i * classes + c]) - row[c].get<double>()));
    }
    EXPECT_EQ(top5(out->data() + i * classes, classes), (*expected_)["top5"][i].get<std::vector<int>>())
        << "image " << i;
  }
  EXPECT_LT(max_diff, 1e-4);
  // Reported, not asserted: the figures the model area's report quotes.
  std::cout << "[ parity   ] " << GetParam() << " (" << model_->engine() << "): max |prob diff| " << max_diff
            << ", batch of " << images_ << " in " << seconds * 1e3 << " ms\n";
}

TEST_P(BackendParityTest, ABatchEqualsSingleImages) {
  common::Result<std::vector<float>> batch = model_->infer(input_.data(), images_);
  ASSERT_TRUE(batch.is_ok()) << batch.status().message();
  const int64_t floats = vision::input_floats(model_->config().preprocess);
  const size_t classes = model_->num_classes();
  for (int64_t i = 0; i < images_; ++i) {
    common::Result<std::vector<float>> single = model_->infer(input_.data() + i * floats, 1);
    ASSERT_TRUE(single.is_ok()) << single.status().message();
    for (size_t c = 0; c < classes; ++c) {
      ASSERT_NEAR((*single)[c], (*batch)[i * classes + c], 1e-5) << "image " << i << ", class " << c;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Models, BackendParityTest,
                         ::testing::Values("tiny", "tiny_onnx", "mobilenet_v2", "mobilenet_v2_onnx",
                                           "resnet50", "resnet50_onnx", "inception_v3", "inception_v3_onnx",
                                           "densenet121", "densenet121_onnx"));

}  // namespace
}  // namespace sluice::serve::model
