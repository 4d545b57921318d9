// pull_model() end to end against a loopback server: download, verification, conversion, atomic install.
#include "serve/pull/pull.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "serve/model/model_config.h"
#include "serve/model/repository.h"
#include "serve/pull/file_server.h"
#include "test_support/temp_dir.h"

namespace sluice::serve::pull {
namespace {

namespace fs = std::filesystem;
namespace t = testing;
using common::Code;

std::string sha256_of(const std::string& bytes) {
  sluice::testing::TempDir dir;
  return model::sha256_file(dir.write("f", bytes)).value();
}

class PullTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  void SetUp() override {
    ASSERT_TRUE(server.ok());
    log = std::tmpfile();
    options.models_dir = fs::path(repo.path()) / "models";
    options.out = log;
    options.download.connect_timeout = std::chrono::seconds(5);
    options.download.stall_timeout = std::chrono::seconds(1);
  }
  void TearDown() override { std::fclose(log); }

  // A catalog of one model "tiny" whose ONNX file is `body` (full sha256) and whose TorchScript source is a
  // checkpoint named by its sha256 prefix, as torchvision's are, converted by `convert`.
  CatalogEntry entry(const std::string& onnx_sha, const std::string& pth_name) const {
    const std::string json = R"({"models": [{"name": "tiny", "labels": ["cat", "dog"], "sources": {
        "onnx": {"url": ")" + server.url("/zoo/tiny.onnx") +
                             R"(", "sha256": ")" + onnx_sha + R"(", "size": )" + std::to_string(body.size()) +
                             R"(,
                 "input": {"resize": 36, "crop": {"width": 32, "height": 32}}},
        "torchscript": {"url": ")" +
                             server.url("/hub/" + pth_name) + R"(", "sha256": "from_file_name",
                        "convert": "tiny", "input": {"resize": 36, "crop": {"width": 32, "height": 32}}}}}]})";
    auto c = parse_catalog(json, "test catalog");
    EXPECT_TRUE(c) << c.status().message();
    return c ? c->entries().at(0) : CatalogEntry{};
  }
  CatalogEntry good_entry() const { return entry(sha256_of(body), pth_name()); }
  std::string pth_name() const { return "tiny-" + sha256_of(checkpoint).substr(0, 10) + ".pth"; }
  fs::path models() const { return options.models_dir; }

  // A stand-in for tools/export_model.py: copies the checkpoint to OUT/model.pt and writes a config.json
  // whose normalisation differs from the catalog's, as the real script's does for Inception v3.
  std::string fake_export_script() const {
    return repo.write(
        "export_model.py",
        "import json, os, shutil, sys\n"
        "a = dict(zip(sys.argv[1::2], sys.argv[2::2]))\n"
        "assert a['--format'] == 'torchscript' and a['--arch'] == 'tiny', sys.argv\n"
        "assert os.path.basename(a['--out']) == 'tiny' and not os.path.exists(a['--out'])\n"
        "assert os.environ.get('SLUICE_SERVE')\n"
        "os.makedirs(a['--out'])\n"
        "shutil.copy(a['--weights'], a['--out'] + '/model.pt')\n"
        "json.dump({'file': 'model.pt', 'input': {'resize': 99, 'crop': {'width': 32, 'height': 32},\n"
        "           'mean': [0.5, 0.5, 0.5], 'std': [0.5, 0.5, 0.5]}}, open(a['--out'] + '/config.json', "
        "'w'))\n");
  }

  sluice::testing::TempDir repo;
  t::FileServer server;
  PullOptions options;
  std::FILE* log = nullptr;
  const std::string body = std::string(40'000, 'o') + "nnx";
  const std::string checkpoint = std::string(30'000, 'p') + "th";
};

TEST_F(PullTest, InstallsAVerifiedModelWithConfigAndLabels) {
  server.route("/zoo/tiny.onnx", t::file(body));
  auto result = pull_model(good_entry(), options);
  ASSERT_TRUE(result) << result.status().message();
  EXPECT_FALSE(result->already_installed);
  EXPECT_EQ(result->installed_name, "tiny_onnx");
  EXPECT_EQ(result->sha256, sha256_of(body));
  auto config = model::load_model_config(models() / "tiny_onnx");
  ASSERT_TRUE(config) << config.status().message();
  EXPECT_EQ(config->sha256, sha256_of(body));
  EXPECT_EQ(config->labels, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(sluice::testing::read_file((models() / "tiny_onnx/model.onnx").string()), body);
  // Nothing half-done is left beside it.
  EXPECT_FALSE(fs::exists(models() / ".downloads/tiny.onnx.partial"));
  EXPECT_FALSE(fs::exists(models() / ".downloads/tiny.onnx"));
  for (const auto& e : fs::directory_iterator(models())) {
    EXPECT_FALSE(e.path().filename().string().starts_with(".staging")) << e.path();
  }

  auto again = pull_model(good_entry(), options);
  ASSERT_TRUE(again) << again.status().message();
  EXPECT_TRUE(again->already_installed);
  EXPECT_EQ(server.requests().size(), 1u);  // verified locally, not downloaded again

  options.force = true;
  auto forced = pull_model(good_entry(), options);
  ASSERT_TRUE(forced) << forced.status().message();
  EXPECT_FALSE(forced->already_installed);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST_F(PullTest, ACorruptedDownloadIsDeletedAndNothingInstalled) {
  std::string corrupted = body;
  corrupted[1000] ^= 0x01;
  server.route("/zoo/tiny.onnx", t::file(corrupted));
  auto result = pull_model(good_entry(), options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.status().code(), Code::kInvalidInput);
  const std::string& m = result.status().message();
  EXPECT_TRUE(m.starts_with("checksum mismatch: tiny.onnx from " + server.url("/zoo/tiny.onnx"))) << m;
  EXPECT_NE(m.find("has sha256 " + sha256_of(corrupted)), std::string::npos) << m;
  EXPECT_NE(m.find("expects sha256 " + sha256_of(body)), std::string::npos) << m;
  EXPECT_NE(m.find("the file was deleted"), std::string::npos) << m;
  EXPECT_FALSE(fs::exists(models() / ".downloads/tiny.onnx.partial"));
  EXPECT_FALSE(fs::exists(models() / ".downloads/tiny.onnx"));
  EXPECT_FALSE(fs::exists(models() / "tiny_onnx"));
}

TEST_F(PullTest, ATruncatedDownloadResumesOnTheNextPull) {
  server.route("/zoo/tiny.onnx", t::sequence({t::cut_short(body, 10'000), t::file(body)}));
  auto first = pull_model(good_entry(), options);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.status().code(), Code::kUnavailable);
  EXPECT_EQ(fs::file_size(models() / ".downloads/tiny.onnx.partial"), 10'000u);
  auto second = pull_model(good_entry(), options);
  ASSERT_TRUE(second) << second.status().message();
  EXPECT_EQ(server.requests().at(1).header("range"), "bytes=10000-");
  EXPECT_EQ(sluice::testing::read_file((models() / "tiny_onnx/model.onnx").string()), body);
}

TEST_F(PullTest, WithoutANetworkItSaysWhereToCopyTheFile) {
  options.mirror = "http://127.0.0.1:1/zoo";  // port 1: nothing listens, the connection is refused
  auto result = pull_model(good_entry(), options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.status().code(), Code::kUnavailable);
  const std::string& m = result.status().message();
  const std::string path = (models() / "tiny_onnx/model.onnx").string();
  EXPECT_TRUE(m.starts_with("cannot reach 127.0.0.1: ")) << m;
  EXPECT_NE(m.find("; copy the file by hand to " + path + " and run `sluice-serve models verify`"),
            std::string::npos)
      << m;
  EXPECT_EQ(m.find('\n'), std::string::npos);
  // The model's directory waits for the file: copying it there is all that is left to do.
  auto config = model::load_model_config(models() / "tiny_onnx");
  ASSERT_TRUE(config) << config.status().message();
  EXPECT_EQ(config->sha256, sha256_of(body));
  std::ofstream(path, std::ios::binary) << body;
  EXPECT_EQ(model::sha256_file(path).value(), config->sha256);
}

TEST_F(PullTest, ConvertsACheckpointVerifiedByItsNamePrefix) {
  server.route("/hub/" + pth_name(), t::file(checkpoint));
  options.format = model::ModelFormat::kTorchScript;
  options.convert.script = fake_export_script();
  auto result = pull_model(good_entry(), options);
  ASSERT_TRUE(result) << result.status().message();
  EXPECT_EQ(result->installed_name, "tiny");
  auto config = model::load_model_config(models() / "tiny");
  ASSERT_TRUE(config) << config.status().message();
  EXPECT_EQ(config->format, model::ModelFormat::kTorchScript);
  EXPECT_EQ(config->sha256, sha256_of(checkpoint));  // of the converted file (here a copy)
  EXPECT_EQ(config->version, fs::path(pth_name()).stem().string());
  // The script's normalisation (it knows its graph), the catalog's resize (it knows the checkpoint's recipe).
  EXPECT_EQ(config->preprocess.mean, (std::array<float, 3>{0.5f, 0.5f, 0.5f}));
  EXPECT_EQ(config->preprocess.std, (std::array<float, 3>{0.5f, 0.5f, 0.5f}));
  EXPECT_EQ(config->preprocess.resize, 36);
  EXPECT_FALSE(
      fs::exists(models() / ".downloads" / pth_name()));  // the checkpoint is not kept once converted
}

TEST_F(PullTest, ACheckpointWhoseDigestDoesNotStartWithItsNamePrefixIsRefused) {
  const std::string wrong_name = "tiny-" + std::string(8, '0') + ".pth";
  server.route("/hub/" + wrong_name, t::file(checkpoint));
  options.format = model::ModelFormat::kTorchScript;
  auto result = pull_model(entry(sha256_of(body), wrong_name), options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.status().code(), Code::kInvalidInput);
  EXPECT_NE(result.status().message().find("a sha256 starting with 00000000"), std::string::npos)
      << result.status().message();
  EXPECT_FALSE(fs::exists(models() / ".downloads" / wrong_name));
}

TEST_F(PullTest, WithoutTheExportScriptTheCheckpointIsKeptAndTheMessageSaysHowToConvert) {
  server.route("/hub/" + pth_name(), t::file(checkpoint));
  options.format = model::ModelFormat::kTorchScript;
  options.convert.script = repo.file("no_such_export_model.py");
  auto result = pull_model(good_entry(), options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.status().code(), Code::kUnsupported);
  const std::string& m = result.status().message();
  EXPECT_NE(m.find("needs tools/export_model.py"), std::string::npos) << m;
  EXPECT_NE(m.find("convert it by hand with `/usr/bin/python3 tools/export_model.py --arch tiny --weights"),
            std::string::npos)
      << m;
  EXPECT_EQ(m.find('\n'), std::string::npos);
  EXPECT_TRUE(fs::exists(models() / ".downloads" / pth_name()));
  EXPECT_FALSE(fs::exists(models() / "tiny"));

  // Once the script is there, the kept checkpoint is converted without downloading it again.
  options.convert.script = fake_export_script();
  auto retry = pull_model(good_entry(), options);
  ASSERT_TRUE(retry) << retry.status().message();
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(PullTest, AFailingExportScriptIsReportedWithItsLastWords) {
  server.route("/hub/" + pth_name(), t::file(checkpoint));
  options.format = model::ModelFormat::kTorchScript;
  options.convert.script =
      repo.write("export_model.py", "import sys\nsys.exit('unknown architecture tiny')\n");
  auto result = pull_model(good_entry(), options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.status().code(), Code::kUnsupported);
  EXPECT_NE(result.status().message().find("failed (exit 1): unknown architecture tiny"), std::string::npos)
      << result.status().message();
}

TEST_F(PullTest, ASecondPullIntoTheSameRepositoryIsRefused) {
  server.route("/zoo/tiny.onnx", t::file(body));
  fs::create_directories(models() / ".downloads");
  const int held = ::open((models() / ".downloads").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(::flock(held, LOCK_EX), 0);  // as a running pull holds it
  auto result = pull_model(good_entry(), options);
  ::close(held);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.status().message(), "another pull into " + models().string() + " is running");
  EXPECT_TRUE(server.requests().empty());
  EXPECT_TRUE(pull_model(good_entry(), options));
}

TEST_F(PullTest, AFormatTheCatalogLacksIsNotFound) {
  auto c = parse_catalog(
      R"({"models": [{"name": "x", "labels": ["a"], "sources": {"onnx": {"url": "http://h/x.onnx",
                            "sha256": ")" +
          std::string(64, 'a') + R"(", "input": {"crop": {"width": 8, "height": 8}}}}}]})",
      "test");
  ASSERT_TRUE(c) << c.status().message();
  options.format = model::ModelFormat::kTorchScript;
  auto result = pull_model(c->entries().at(0), options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.status().code(), Code::kNotFound);
  EXPECT_EQ(result.status().message(), "x has no torchscript source in the catalog (it has: onnx)");
}

}  // namespace
}  // namespace sluice::serve::pull
