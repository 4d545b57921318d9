#include "serve/pull/local_models.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "serve/model/repository.h"
#include "serve/pull/model_files.h"
#include "test_support/temp_dir.h"

namespace sluice::serve::pull {
namespace {

namespace fs = std::filesystem;
using State = LocalModel::State;

class LocalModelsTest : public ::testing::Test {
 protected:
  // A model directory whose config.json states the sha256 of `stated`, holding `actual` as its weights
  // (none when empty).
  void add(const std::string& name, const std::string& stated, const std::string& actual) {
    const fs::path d = fs::path(dir.path()) / name;
    fs::create_directories(d);
    const std::string sha = model::sha256_file(dir.write(".tmp", stated)).value();
    Source s;
    s.format = model::ModelFormat::kTorchScript;
    s.file_name = name + ".pth";
    s.input = {{"resize", 9}, {"crop", {{"width", 8}, {"height", 8}}}};
    ASSERT_TRUE(write_model_files(d, make_model_config(name, s, "model.pt", sha), {"a", "b"}));
    if (!actual.empty()) std::ofstream(d / "model.pt", std::ios::binary) << actual;
  }
  sluice::testing::TempDir dir;
};

TEST_F(LocalModelsTest, VerifyRecomputesEveryChecksum) {
  add("good", "weights", "weights");
  add("tampered", "weights", "weightz");
  add("waiting", "weights", "");
  fs::create_directories(fs::path(dir.path()) / "broken");
  std::ofstream(fs::path(dir.path()) / "broken/config.json")
      << "{\"format\": \"torchscript\", \"lables\": 1}";
  fs::create_directories(fs::path(dir.path()) / ".staging-x");  // skipped, as the server skips it
  std::ofstream(fs::path(dir.path()) / ".staging-x/config.json") << "{}";
  fs::create_directories(fs::path(dir.path()) / "not-a-model");  // no config.json

  auto models = scan_repository(dir.path(), true);
  ASSERT_TRUE(models) << models.status().message();
  ASSERT_EQ(models->size(), 4u);
  EXPECT_EQ((*models)[0].name, "broken");
  EXPECT_EQ((*models)[0].state, State::kBadConfig);
  EXPECT_NE((*models)[0].detail.find("lables"), std::string::npos) << (*models)[0].detail;
  EXPECT_EQ((*models)[1].name, "good");
  EXPECT_EQ((*models)[1].state, State::kOk);
  EXPECT_EQ((*models)[1].size, 7);
  EXPECT_EQ((*models)[1].format, "torchscript");
  EXPECT_EQ((*models)[2].name, "tampered");
  EXPECT_EQ((*models)[2].state, State::kMismatch);
  EXPECT_TRUE((*models)[2].detail.starts_with("model.pt: sha256 is ")) << (*models)[2].detail;
  EXPECT_EQ((*models)[3].name, "waiting");
  EXPECT_EQ((*models)[3].state, State::kMissingWeights);
  EXPECT_NE((*models)[3].detail.find("copy the file to"), std::string::npos);

  auto quick = scan_repository(dir.path(), false);  // --no-verify: the tampered file is not read
  ASSERT_TRUE(quick);
  EXPECT_EQ((*quick)[2].state, State::kOk);
}

TEST_F(LocalModelsTest, AMissingRepositoryIsNotFound) {
  auto models = scan_repository(dir.file("nowhere"), true);
  ASSERT_FALSE(models);
  EXPECT_EQ(models.status().code(), common::Code::kNotFound);
}

TEST_F(LocalModelsTest, ListsPartialDownloads) {
  fs::create_directories(fs::path(dir.path()) / ".downloads");
  dir.write(".downloads/mobilenetv2-7.onnx.partial", std::string(1000, 'x'));
  dir.write(".downloads/mobilenetv2-7.onnx", "complete, not partial");
  const auto partials = partial_downloads(dir.path());
  ASSERT_EQ(partials.size(), 1u);
  EXPECT_EQ(partials[0].first, "mobilenetv2-7.onnx");
  EXPECT_EQ(partials[0].second, 1000);
}

TEST_F(LocalModelsTest, RemoveDeletesOneModelDirectory) {
  add("a", "w", "w");
  add("b", "w", "w");
  ASSERT_TRUE(remove_model(dir.path(), "a"));
  EXPECT_FALSE(fs::exists(dir.file("a")));
  EXPECT_TRUE(fs::exists(dir.file("b/model.pt")));
  EXPECT_EQ(remove_model(dir.path(), "a").code(), common::Code::kNotFound);
  EXPECT_EQ(remove_model(dir.path(), "..").code(), common::Code::kInvalidArgument);
  EXPECT_EQ(remove_model(dir.path(), "../x").code(), common::Code::kInvalidArgument);
  EXPECT_EQ(remove_model(dir.path(), ".downloads").code(), common::Code::kInvalidArgument);
  fs::create_directories(fs::path(dir.path()) / "plain");  // not a model: left alone
  EXPECT_EQ(remove_model(dir.path(), "plain").code(), common::Code::kNotFound);
  EXPECT_TRUE(fs::exists(dir.file("plain")));
}

}  // namespace
}  // namespace sluice::serve::pull
