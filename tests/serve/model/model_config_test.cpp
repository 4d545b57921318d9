#include "serve/model/model_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "test_support/temp_dir.h"

namespace sluice::serve::model {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json good_config() {
  return json::parse(R"({
    "name": "mnv2", "version": "3", "format": "onnx", "file": "model.onnx",
    "sha256": "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
    "input": {"resize_mode": "shorter_side", "resize": 342, "crop": {"width": 299, "height": 280},
              "mean": [0.5, 0.25, 0.125], "std": [0.1, 0.2, 0.3], "channel_order": "BGR"},
    "output": "probabilities", "labels": "classes.txt", "default": true
  })");
}

class ModelConfigTest : public ::testing::Test {
 protected:
  std::filesystem::path write(const json& config, const std::string& labels = "cat\ndog\r\n  bird  \n") {
    dir_.write("config.json", config.dump());
    dir_.write("classes.txt", labels);
    dir_.write("labels.txt", labels);
    return dir_.path();
  }
  // The error message of loading `config`; fails the test if it loads.
  std::string error_of(const json& config, const std::string& labels = "a\nb\n") {
    common::Result<ModelConfig> result = load_model_config(write(config, labels));
    EXPECT_FALSE(result.is_ok());
    EXPECT_EQ(result.status().code(), common::Code::kInvalidArgument) << result.status().message();
    return result.status().message();
  }
  std::string file() const { return dir_.file("config.json"); }

  sluice::testing::TempDir dir_;
};

TEST_F(ModelConfigTest, ReadsEveryField) {
  common::Result<ModelConfig> config = load_model_config(write(good_config()));
  ASSERT_TRUE(config.is_ok()) << config.status().message();
  EXPECT_EQ(config->name, "mnv2");
  EXPECT_EQ(config->version, "3");
  EXPECT_EQ(config->format, ModelFormat::kOnnx);
  EXPECT_STREQ(model_format_name(config->format), "onnx");
  EXPECT_TRUE(config->weights.is_absolute());
  EXPECT_EQ(config->weights, std::filesystem::path(dir_.path()) / "model.onnx");
  EXPECT_EQ(config->sha256, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  EXPECT_EQ(config->preprocess.resize_mode, vision::ResizeMode::kShorterSide);
  EXPECT_EQ(config->preprocess.resize, 342);
  EXPECT_EQ(config->preprocess.crop_width, 299);
  EXPECT_EQ(config->preprocess.crop_height, 280);
  EXPECT_EQ(config->preprocess.mean, (std::array<float, 3>{0.5f, 0.25f, 0.125f}));
  EXPECT_EQ(config->preprocess.std, (std::array<float, 3>{0.1f, 0.2f, 0.3f}));
  EXPECT_TRUE(config->preprocess.bgr);
  EXPECT_FALSE(config->output_is_logits);
  EXPECT_TRUE(config->is_default);
  EXPECT_THAT(config->labels, ::testing::ElementsAre("cat", "dog", "bird"));
}

TEST_F(ModelConfigTest, OptionalFieldsTakeTheirDefaults) {
  json config = json::parse(R"({"format": "torchscript", "file": "model.pt",
    "sha256": "0000000000000000000000000000000000000000000000000000000000000000",
    "input": {"resize": 256, "crop": {"width": 224, "height": 224}}})");
  common::Result<ModelConfig> loaded = load_model_config(write(config));
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().message();
  EXPECT_EQ(loaded->name, std::filesystem::path(dir_.path()).filename().string());
  EXPECT_EQ(loaded->version, "1");
  EXPECT_EQ(loaded->format, ModelFormat::kTorchScript);
  EXPECT_EQ(loaded->preprocess.resize_mode, vision::ResizeMode::kShorterSide);
  EXPECT_EQ(loaded->preprocess.mean, (std::array<float, 3>{0.485f, 0.456f, 0.406f}));
  EXPECT_EQ(loaded->preprocess.std, (std::array<float, 3>{0.229f, 0.224f, 0.225f}));
  EXPECT_FALSE(loaded->preprocess.bgr);
  EXPECT_TRUE(loaded->output_is_logits);
  EXPECT_FALSE(loaded->is_default);
  EXPECT_EQ(loaded->labels.size(), 3u);  // labels.txt
}

TEST_F(ModelConfigTest, StretchNeedsNoResize) {
  json config = good_config();
  config["input"]["resize_mode"] = "stretch";
  config["input"].erase("resize");
  common::Result<ModelConfig> loaded = load_model_config(write(config));
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().message();
  EXPECT_EQ(loaded->preprocess.resize_mode, vision::ResizeMode::kStretch);

  config["input"]["resize"] = 300;
  EXPECT_THAT(error_of(config), HasSubstr(file() + ": input.resize: not used with resize_mode \"stretch\""));
}

TEST_F(ModelConfigTest, UnknownKeysAreRejectedWithASuggestion) {
  json config = good_config();
  config["lables"] = "labels.txt";
  EXPECT_EQ(error_of(config), file() + ": lables: unknown field (did you mean \"labels\"?)");

  config = good_config();
  config["input"]["mena"] = {0, 0, 0};
  EXPECT_EQ(error_of(config), file() + ": input.mena: unknown field (did you mean \"mean\"?)");

  config = good_config();
  config["input"]["crop"]["depth"] = 3;
  EXPECT_EQ(error_of(config), file() + ": input.crop.depth: unknown field");
}

struct BadField {
  const char* pointer;  // JSON pointer into good_config()
  const char* value;    // JSON text, or nullptr to remove the field
  const char* message;  // expected after "<file>: "
};

void PrintTo(const BadField& bad, std::ostream* os) {
  *os << bad.pointer << "=" << (bad.value ? bad.value : "(absent)");
}

class ModelConfigBadFieldTest : public ModelConfigTest, public ::testing::WithParamInterface<BadField> {};

TEST_P(ModelConfigBadFieldTest, NamesFileAndField) {
  json config = good_config();
  const BadField& bad = GetParam();
  json::json_pointer pointer(bad.pointer);
  if (bad.value == nullptr) {
    config[pointer.parent_pointer()].erase(pointer.back());
  } else {
    config[pointer] = json::parse(bad.value);
  }
  EXPECT_THAT(error_of(config), HasSubstr(file() + ": " + bad.message));
}

INSTANTIATE_TEST_SUITE_P(
    Fields, ModelConfigBadFieldTest,
    ::testing::Values(
        BadField{"/name", R"("../etc")", "name: \"../etc\" is not a model name"},
        BadField{"/name", "7", "name: expected a non-empty string"},
        BadField{"/version", R"("")", "version: expected a non-empty string"},
        BadField{"/format", nullptr, "format: required field is missing"},
        BadField{"/format", R"("tflite")", R"(format: expected "torchscript" or "onnx", got "tflite")"},
        BadField{"/file", nullptr, "file: required field is missing"},
        BadField{"/file", R"("../other/model.pt")", "file: must be a relative path inside"},
        BadField{"/file", R"("/etc/passwd")", "file: must be a relative path inside"},
        BadField{"/sha256", nullptr, "sha256: required field is missing"},
        BadField{"/sha256", R"("abc")", "sha256: expected 64 hexadecimal digits"},
        BadField{"/input", nullptr, "input: required field is missing"},
        BadField{"/input", "[]", "input: expected an object"},
        BadField{"/input/resize_mode", R"("fit")", "input.resize_mode: expected"},
        BadField{"/input/resize", nullptr, "input.resize: required with resize_mode"},
        BadField{"/input/resize", "0", "input.resize: expected an integer from 1 to 8192"},
        BadField{"/input/resize", "256.5", "input.resize: expected an integer"},
        BadField{"/input/resize", "200", "input.resize: must be at least the crop's width and height"},
        BadField{"/input/crop", nullptr, "input.crop: required field is missing"},
        BadField{"/input/crop", "[224, 224]", "input.crop: expected an object"},
        BadField{"/input/crop/height", nullptr, "input.crop.height: required field is missing"},
        BadField{"/input/crop/width", "-3", "input.crop.width: expected an integer"},
        BadField{"/input/mean", "[0.5, 0.5]", "input.mean: expected 3 numbers"},
        BadField{"/input/mean", R"([0.5, "x", 0.5])", "input.mean: expected 3 numbers"},
        BadField{"/input/std", "[0.5, 0, 0.5]", "input.std: expected 3 positive numbers"},
        BadField{"/input/channel_order", R"("rgb")", R"(input.channel_order: expected "RGB" or "BGR")"},
        BadField{"/output", R"("scores")", R"(output: expected "logits" or "probabilities")"},
        BadField{"/default", R"("yes")", "default: expected true or false"},
        BadField{"/labels", R"("../labels.txt")", "labels: must be a relative path inside"}));

TEST_F(ModelConfigTest, RejectsMalformedJson) {
  dir_.write("config.json", "{\"name\": \"x\",\n  oops}");
  common::Result<ModelConfig> result = load_model_config(dir_.path());
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.status().code(), common::Code::kInvalidArgument);
  EXPECT_THAT(result.status().message(), HasSubstr(file() + ": invalid JSON: parse error at line 2"));

  dir_.write("config.json", "[1, 2]");
  EXPECT_EQ(load_model_config(dir_.path()).status().message(), file() + ": expected a JSON object");
}

TEST_F(ModelConfigTest, MissingConfigIsNotFound) {
  common::Result<ModelConfig> result = load_model_config(dir_.path());
  EXPECT_EQ(result.status().code(), common::Code::kNotFound);
  EXPECT_THAT(result.status().message(), HasSubstr(file()));
}

TEST_F(ModelConfigTest, LabelsFileMustHaveOneNonEmptyLabelPerLine) {
  const std::string labels = dir_.file("classes.txt");
  EXPECT_EQ(error_of(good_config(), "cat\n\ndog\n"),
            labels + ":2: empty label (one label per line, no blank lines)");
  EXPECT_EQ(error_of(good_config(), "cat\n   \n"),
            labels + ":2: empty label (one label per line, no blank lines)");
  EXPECT_EQ(error_of(good_config(), ""), labels + ": no labels");

  common::Result<ModelConfig> no_final_newline = load_model_config(write(good_config(), "crane\ncrane"));
  ASSERT_TRUE(no_final_newline.is_ok()) << no_final_newline.status().message();
  EXPECT_THAT(no_final_newline->labels, ::testing::ElementsAre("crane", "crane"));  // ImageNet repeats some

  dir_.write("config.json", good_config().dump());
  std::filesystem::remove(labels);
  common::Result<ModelConfig> missing = load_model_config(dir_.path());
  EXPECT_EQ(missing.status().code(), common::Code::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr(labels));
}

}  // namespace
}  // namespace sluice::serve::model
