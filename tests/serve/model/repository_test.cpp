#include "serve/model/repository.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "test_models.h"
#include "test_support/temp_dir.h"

namespace sluice::serve::model {
namespace {

namespace fs = std::filesystem;
using testing::good_repository;
using ::testing::HasSubstr;
using testing::models_dir;
using ::testing::StartsWith;

std::vector<std::string> names_of(const ModelRepository& repository) {
  std::vector<std::string> names;
  for (const auto& model : repository.models()) names.push_back(model->config().name);
  return names;
}

TEST(ModelRepositoryTest, LoadsEveryModelOfTheTestRepository) {
  const ModelRepository* repository = good_repository();
  ASSERT_NE(repository, nullptr);
  for (const UnloadableModel& failure : repository->failures()) ADD_FAILURE() << failure.reason;
  EXPECT_THAT(names_of(*repository),
              ::testing::ElementsAre("densenet121", "densenet121_onnx", "inception_v3", "inception_v3_onnx",
                                     "mobilenet_v2", "mobilenet_v2_onnx", "resnet50", "resnet50_onnx", "tiny",
                                     "tiny_onnx"));
  for (const auto& model : repository->models()) {
    const bool onnx = model->config().format == ModelFormat::kOnnx;
    EXPECT_STREQ(model->engine(), onnx ? "opencv-dnn" : "libtorch") << model->config().name;
    EXPECT_EQ(model->num_classes(), model->config().name.starts_with("tiny") ? 10u : 1000u);
    EXPECT_GT(model->load_seconds(), 0.0);
  }
  EXPECT_EQ(repository->find("inception_v3")->config().preprocess.crop_width, 299);
  EXPECT_EQ(repository->find("resnet50")->config().labels.front(), "tench");
  EXPECT_EQ(repository->find("nope"), nullptr);
  ASSERT_NE(repository->default_model(), nullptr);
  EXPECT_EQ(repository->default_model()->config().name, "tiny");
}

TEST(ModelRepositoryTest, InferReturnsProbabilities) {
  const ModelRepository* repository = good_repository();
  ASSERT_NE(repository, nullptr);
  LoadedModel* tiny = repository->find("tiny");
  ASSERT_NE(tiny, nullptr);
  std::vector<float> input(3 * 3 * 32 * 32, 0.5f);
  common::Result<std::vector<float>> out = tiny->infer(input.data(), 3);
  ASSERT_TRUE(out.is_ok()) << out.status().message();
  ASSERT_EQ(out->size(), 30u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(std::accumulate(out->begin() + i * 10, out->begin() + (i + 1) * 10, 0.0), 1.0, 1e-5);
  }
}

TEST(ModelRepositoryTest, BrokenModelsAreReportedByNameAndReason) {
  common::Result<std::unique_ptr<ModelRepository>> loaded = ModelRepository::load(models_dir() / "broken");
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().message();
  const ModelRepository& repository = **loaded;
  EXPECT_THAT(names_of(repository), ::testing::ElementsAre("tiny"));
  EXPECT_EQ(repository.default_model(), repository.find("tiny"));

  const std::vector<UnloadableModel>& failures = repository.failures();
  ASSERT_EQ(failures.size(), 3u);
  EXPECT_EQ(failures[0].name, "bad_checksum");
  EXPECT_THAT(failures[0].reason, ::testing::MatchesRegex("bad_checksum: model.pt: sha256 is [0-9a-f]{64}, "
                                                          "config.json says 0{64}; refusing to load"));
  EXPECT_EQ(failures[1].name, "config_typo");
  EXPECT_EQ(failures[1].reason, (models_dir() / "broken" / "config_typo" / "config.json").string() +
                                    ": lables: unknown field (did you mean \"labels\"?)");
  EXPECT_EQ(failures[2].name, "onnx_clip_inputs");
  EXPECT_THAT(failures[2].reason, StartsWith("onnx_clip_inputs: OpenCV DNN cannot load model.onnx: "));
  EXPECT_THAT(failures[2].reason, HasSubstr("Clip"));
}

TEST(ModelRepositoryTest, MissingDirectoryIsAnError) {
  sluice::testing::TempDir dir;
  common::Result<std::unique_ptr<ModelRepository>> loaded = ModelRepository::load(dir.file("absent"));
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_EQ(loaded.status().code(), common::Code::kNotFound);
}

// Repositories built from copies of the tiny TorchScript model, to test the rules between models.
class RepositoryRulesTest : public ::testing::Test {
 protected:
  // Copies tiny into DIR/<dir_name> with config fields overridden by `changes`.
  void add(const std::string& dir_name, const nlohmann::json& changes = nlohmann::json::object()) {
    const fs::path from = models_dir() / "repo" / "tiny";
    const fs::path to = fs::path(dir_.path()) / dir_name;
    fs::create_directories(to);
    fs::copy_file(from / "model.pt", to / "model.pt");
    fs::copy_file(from / "labels.txt", to / "labels.txt");
    nlohmann::json config = nlohmann::json::parse(sluice::testing::read_file(from / "config.json"));
    config["name"] = dir_name;
    config["default"] = false;
    config.merge_patch(changes);
    dir_.write(dir_name + "/config.json", config.dump(2));
  }
  std::unique_ptr<ModelRepository> load() {
    common::Result<std::unique_ptr<ModelRepository>> loaded = ModelRepository::load(dir_.path());
    EXPECT_TRUE(loaded.is_ok()) << loaded.status().message();
    return loaded ? std::move(loaded).value() : std::make_unique<ModelRepository>();
  }
  std::string default_name() {
    auto repository = load();
    return repository->default_model() ? repository->default_model()->config().name : "(none)";
  }

  sluice::testing::TempDir dir_;
};

TEST_F(RepositoryRulesTest, EmptyRepositoryHasNoDefault) { EXPECT_EQ(default_name(), "(none)"); }

TEST_F(RepositoryRulesTest, TheOnlyModelIsTheDefault) {
  add("solo");
  EXPECT_EQ(default_name(), "solo");
}

TEST_F(RepositoryRulesTest, WithoutAMarkedDefaultTheFirstByNameIs) {
  add("b");
  add("a");
  EXPECT_EQ(default_name(), "a");
}

TEST_F(RepositoryRulesTest, TheModelMarkedDefaultWins) {
  add("a");
  add("b", {{"default", true}});
  add("c");
  EXPECT_EQ(default_name(), "b");
}

TEST_F(RepositoryRulesTest, ModelsAreSortedByConfiguredName) {
  add("a", {{"name", "zebra"}});
  add("b", {{"name", "aardvark"}});
  EXPECT_THAT(names_of(*load()), ::testing::ElementsAre("aardvark", "zebra"));
}

TEST_F(RepositoryRulesTest, DuplicateNamesLoadOnce) {
  add("a", {{"name", "same"}});
  add("b", {{"name", "same"}});
  auto repository = load();
  EXPECT_THAT(names_of(*repository), ::testing::ElementsAre("same"));
  ASSERT_EQ(repository->failures().size(), 1u);
  EXPECT_EQ(repository->failures()[0].name, "b");
  EXPECT_THAT(repository->failures()[0].reason, HasSubstr("uses a name another model already has"));
}

TEST_F(RepositoryRulesTest, LabelCountMustMatchTheModel) {
  add("good");
  add("short");
  dir_.write("short/labels.txt", "one\ntwo\nthree\n");
  auto repository = load();
  EXPECT_THAT(names_of(*repository), ::testing::ElementsAre("good"));
  ASSERT_EQ(repository->failures().size(), 1u);
  EXPECT_EQ(repository->failures()[0].reason,
            "short: the model outputs 10 classes but its labels file has 3");
}

TEST_F(RepositoryRulesTest, MissingOrCorruptWeightsAreReported) {
  add("missing");
  fs::remove(fs::path(dir_.path()) / "missing" / "model.pt");
  add("garbage");
  dir_.write("garbage/model.pt", "not a zip file");
  const std::string digest = sha256_file(dir_.file("garbage/model.pt")).value();
  nlohmann::json config = nlohmann::json::parse(sluice::testing::read_file(dir_.file("garbage/config.json")));
  config["sha256"] = digest;
  dir_.write("garbage/config.json", config.dump());
  add("no_config");
  fs::remove(fs::path(dir_.path()) / "no_config" / "config.json");

  auto repository = load();
  EXPECT_TRUE(repository->models().empty());
  ASSERT_EQ(repository->failures().size(), 3u);
  EXPECT_EQ(repository->failures()[0].name, "garbage");
  EXPECT_THAT(repository->failures()[0].reason, StartsWith("garbage: LibTorch cannot load model.pt: "));
  EXPECT_EQ(repository->failures()[1].name, "missing");
  EXPECT_THAT(repository->failures()[1].reason, StartsWith("missing: "));
  EXPECT_THAT(repository->failures()[1].reason, HasSubstr("model.pt: cannot open"));
  EXPECT_EQ(repository->failures()[2].name, "no_config");
  EXPECT_THAT(repository->failures()[2].reason, HasSubstr("config.json: cannot open"));
}

}  // namespace
}  // namespace sluice::serve::model
