#include "serve/pull/model_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "serve/model/model_config.h"
#include "serve/pull/pull.h"
#include "test_support/temp_dir.h"

namespace sluice::serve::pull {
namespace {

namespace fs = std::filesystem;
using model::ModelFormat;

// Every source of the built-in catalog gives a config.json that the server's own reader accepts, with the
// preprocessing the catalog states.
TEST(MakeModelConfig, EveryBuiltinSourceGivesAConfigTheServerAccepts) {
  sluice::testing::TempDir dir;
  for (const auto& entry : builtin_catalog().entries()) {
    for (const auto& source : entry.sources) {
      const std::string installed = entry.installed_name(source.format);
      SCOPED_TRACE(installed);
      const fs::path model_dir = fs::path(dir.path()) / installed;
      fs::create_directories(model_dir);
      const std::string sha(64, 'e');
      const auto config = make_model_config(installed, source, weights_file_name(source.format), sha);
      ASSERT_TRUE(write_model_files(model_dir, config, entry.labels));
      auto read = model::load_model_config(model_dir);
      ASSERT_TRUE(read) << read.status().message();
      EXPECT_EQ(read->name, installed);
      EXPECT_EQ(read->format, source.format);
      EXPECT_EQ(read->sha256, sha);
      EXPECT_EQ(read->weights, model_dir / (source.format == ModelFormat::kOnnx ? "model.onnx" : "model.pt"));
      EXPECT_EQ(read->labels.size(), 1000u);
      EXPECT_EQ(read->version, fs::path(source.file_name).stem().string());
      EXPECT_EQ(read->preprocess.crop_width, source.input["crop"]["width"].get<int>());
      EXPECT_TRUE(read->output_is_logits);
      EXPECT_FALSE(fs::exists(model_dir / "config.json.tmp"));
    }
  }
}

TEST(MakeModelConfig, CarriesEachModelsOwnPreprocessing) {
  const Catalog& c = builtin_catalog();
  const auto inception =
      make_model_config("inception_v3", *c.find("inception_v3")->source(ModelFormat::kTorchScript),
                        "model.pt", std::string(64, '0'));
  EXPECT_EQ(inception["input"]["resize"], 342);
  EXPECT_EQ(inception["input"]["crop"]["height"], 299);
  EXPECT_EQ(inception["format"], "torchscript");
  EXPECT_EQ(inception["version"], "inception_v3_google-0cc3c7bd");
  const auto densenet =
      make_model_config("densenet121_onnx", *c.find("densenet121")->source(ModelFormat::kOnnx), "model.onnx",
                        std::string(64, '0'));
  EXPECT_EQ(densenet["input"]["channel_order"], "BGR");
  EXPECT_EQ(densenet["format"], "onnx");
  const auto mobilenet =
      make_model_config("mobilenet_v2_onnx", *c.find("mobilenet_v2")->source(ModelFormat::kOnnx),
                        "model.onnx", std::string(64, '0'));
  EXPECT_EQ(mobilenet["input"]["resize"], 256);
  EXPECT_EQ(mobilenet["input"]["mean"], nlohmann::json({0.485, 0.456, 0.406}));
  EXPECT_EQ(mobilenet["output"], "logits");
}

TEST(InstallDirectory, PutsANewModelInPlace) {
  sluice::testing::TempDir dir;
  const fs::path staged = fs::path(dir.path()) / ".staging";
  fs::create_directories(staged);
  std::ofstream(staged / "model.pt") << "new";
  ASSERT_TRUE(install_directory(staged, fs::path(dir.path()) / "m"));
  EXPECT_EQ(sluice::testing::read_file(dir.file("m/model.pt")), "new");
  EXPECT_FALSE(fs::exists(staged));
}

TEST(InstallDirectory, ReplacesAnInstalledModelWhole) {
  sluice::testing::TempDir dir;
  const fs::path target = fs::path(dir.path()) / "m";
  fs::create_directories(target);
  std::ofstream(target / "model.pt") << "old";
  std::ofstream(target / "stale.txt") << "only in the old version";
  const fs::path staged = fs::path(dir.path()) / ".staging";
  fs::create_directories(staged);
  std::ofstream(staged / "model.pt") << "new";
  ASSERT_TRUE(install_directory(staged, target));
  EXPECT_EQ(sluice::testing::read_file(dir.file("m/model.pt")), "new");
  EXPECT_FALSE(fs::exists(target / "stale.txt"));
  EXPECT_FALSE(fs::exists(staged));
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir.path())) left.push_back(e.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"m"});  // no old copy left behind
}

TEST(SourceUrl, AMirrorReplacesTheOrigin) {
  Source s;
  s.url =
      "https://github.com/onnx/models/raw/main/validated/vision/classification/mobilenet/model/"
      "mobilenetv2-7.onnx";
  s.file_name = "mobilenetv2-7.onnx";
  EXPECT_EQ(source_url(s, ""), s.url);
  EXPECT_EQ(source_url(s, "http://127.0.0.1:8000/models"), "http://127.0.0.1:8000/models/mobilenetv2-7.onnx");
  EXPECT_EQ(source_url(s, "http://127.0.0.1:8000/models/"),
            "http://127.0.0.1:8000/models/mobilenetv2-7.onnx");
  EXPECT_EQ(source_url(s, "http://mirror/a/mobilenetv2-7.onnx"), "http://mirror/a/mobilenetv2-7.onnx");
  EXPECT_EQ(source_url(s, "http://mirror/a/mobilenetv2-7.onnx?token=1"),
            "http://mirror/a/mobilenetv2-7.onnx?token=1");
}

}  // namespace
}  // namespace sluice::serve::pull
