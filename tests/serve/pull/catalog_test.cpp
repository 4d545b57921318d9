#include "serve/pull/catalog.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

namespace sluice::serve::pull {
namespace {

using model::ModelFormat;

TEST(TorchHubHashPrefix, FollowsTorchHubsRegex) {
  // Expected values are what Python's re.search(r'-([a-f0-9]*)\.', name) gives.
  EXPECT_EQ(torch_hub_hash_prefix("mobilenet_v2-b0353104.pth"), "b0353104");
  EXPECT_EQ(torch_hub_hash_prefix("inception_v3_google-0cc3c7bd.pth"), "0cc3c7bd");
  EXPECT_EQ(torch_hub_hash_prefix("shufflenetv2_x0.5-f707e7126e.pth"), "f707e7126e");
  EXPECT_EQ(torch_hub_hash_prefix("a-xyz-12ab.pth"),
            "12ab");  // the first '-' that is followed by hex and '.'
  EXPECT_EQ(torch_hub_hash_prefix("a-12-34.pth"), "34");
  EXPECT_EQ(torch_hub_hash_prefix("x-1a2b.tar.gz"), "1a2b");
  EXPECT_EQ(torch_hub_hash_prefix("model.pth"), std::nullopt);
  EXPECT_EQ(torch_hub_hash_prefix("model-ABC.pth"), std::nullopt);  // uppercase is not in [a-f0-9]
  EXPECT_EQ(torch_hub_hash_prefix("x-1a2b"), std::nullopt);         // no '.' after the digits
  EXPECT_EQ(torch_hub_hash_prefix("a-.pth"), std::nullopt);         // torch.hub: "" (checks nothing)
}

TEST(ChecksumMatches, PrefixRuleAndFullDigest) {
  Source prefix;
  prefix.hash_prefix = "b0353104";
  prefix.file_name = "mobilenet_v2-b0353104.pth";
  EXPECT_TRUE(checksum_matches(prefix, "b0353104" + std::string(56, '0')));
  EXPECT_FALSE(checksum_matches(prefix, "b0353105" + std::string(56, '0')));
  EXPECT_NE(expected_checksum_text(prefix).find("starting with b0353104"), std::string::npos);

  Source full;
  full.sha256 = std::string(64, 'a');
  EXPECT_TRUE(checksum_matches(full, std::string(64, 'a')));
  EXPECT_FALSE(checksum_matches(full, std::string(63, 'a') + "b"));
  EXPECT_FALSE(checksum_matches(Source{}, std::string(64, 'a')));  // nothing to verify against: refuse
}

TEST(BuiltinCatalog, HoldsTheSixModelsWithVerifiableSources) {
  const Catalog& c = builtin_catalog();
  std::set<std::string> names;
  for (const auto& e : c.entries()) names.insert(e.name);
  EXPECT_EQ(names, (std::set<std::string>{"mobilenet_v2", "resnet50", "inception_v3", "densenet121",
                                          "squeezenet1_1", "shufflenet_v2_x1_0"}));
  for (const auto& e : c.entries()) {
    SCOPED_TRACE(e.name);
    EXPECT_EQ(e.labels.size(), 1000u);
    const Source* ts = e.source(ModelFormat::kTorchScript);
    ASSERT_NE(ts, nullptr);
    EXPECT_TRUE(ts->url.starts_with("https://download.pytorch.org/models/"));
    EXPECT_EQ(ts->hash_prefix, torch_hub_hash_prefix(ts->file_name));
    EXPECT_GE(ts->hash_prefix.size(), 8u);
    EXPECT_FALSE(ts->convert_arch.empty());
    const Source* onnx = e.source(ModelFormat::kOnnx);
    if (e.name == "inception_v3") {
      EXPECT_EQ(onnx, nullptr);  // the ONNX Model Zoo has no Inception v3
      EXPECT_EQ(&e.default_source(), ts);
      continue;
    }
    ASSERT_NE(onnx, nullptr);
    EXPECT_TRUE(
        onnx->url.starts_with("https://github.com/onnx/models/raw/main/validated/vision/classification/"));
    EXPECT_EQ(onnx->sha256.size(), 64u);
    EXPECT_GT(onnx->size, 1'000'000);
    EXPECT_TRUE(onnx->convert_arch.empty());
    EXPECT_EQ(&e.default_source(), onnx);
  }
}

TEST(BuiltinCatalog, PinsTheChecksumsReadFromTheirSources) {
  const Catalog& c = builtin_catalog();
  EXPECT_EQ(c.find("mobilenet_v2")->source(ModelFormat::kOnnx)->sha256,
            "c1c513582d56afceff8516c73804e484c81c6a830712ab6d682253f4a3cd042f");
  EXPECT_EQ(c.find("mobilenet_v2")->source(ModelFormat::kTorchScript)->hash_prefix, "7ebf99e0");
  EXPECT_EQ(c.find("inception_v3")->source(ModelFormat::kTorchScript)->file_name,
            "inception_v3_google-0cc3c7bd.pth");
  EXPECT_EQ(c.find("densenet121")->source(ModelFormat::kOnnx)->input["channel_order"], "BGR");
  EXPECT_EQ(c.find("inception_v3")->source(ModelFormat::kTorchScript)->input["crop"]["width"], 299);
}

TEST(Catalog, FindsByNameOrAliasIgnoringCaseAndSeparators) {
  const Catalog& c = builtin_catalog();
  EXPECT_EQ(c.find("MobileNetV2")->name, "mobilenet_v2");
  EXPECT_EQ(c.find("mobilenet-v2")->name, "mobilenet_v2");
  EXPECT_EQ(c.find("RESNET50")->name, "resnet50");
  EXPECT_EQ(c.find("InceptionV3")->name, "inception_v3");
  EXPECT_EQ(c.find("DenseNet121")->name, "densenet121");
  EXPECT_EQ(c.find("SqueezeNet")->name, "squeezenet1_1");
  EXPECT_EQ(c.find("ShuffleNet")->name, "shufflenet_v2_x1_0");
  EXPECT_EQ(c.find("vgg16"), nullptr);
  EXPECT_EQ(c.find("_-."), nullptr);
  EXPECT_EQ(c.find("mobilenet_v2")->installed_name(ModelFormat::kOnnx), "mobilenet_v2_onnx");
  EXPECT_EQ(c.find("mobilenet_v2")->installed_name(ModelFormat::kTorchScript), "mobilenet_v2");
}

TEST(ImagenetLabels, AreTorchvisionsThousandInOrder) {
  const auto& labels = imagenet_labels();
  ASSERT_EQ(labels.size(), 1000u);
  EXPECT_EQ(labels.front(), "tench");
  EXPECT_EQ(labels[1], "goldfish");
  EXPECT_EQ(labels[281], "tabby");
  EXPECT_EQ(labels.back(), "toilet tissue");
}

// The committed copy is what tools/gen_imagenet_labels.py makes from the installed torchvision now.
TEST(ImagenetLabels, MatchTheGeneratorsOutput) {
  if (std::system("/usr/bin/python3 -c 'import torchvision' 2>/dev/null") != 0) {
    GTEST_SKIP() << "python3-torchvision is not installed";
  }
  const std::string command = "/usr/bin/python3 " SLUICE_SOURCE_DIR "/tools/gen_imagenet_labels.py --check";
  EXPECT_EQ(std::system(command.c_str()), 0)
      << "src/serve/pull/imagenet_labels.inc is stale: run tools/gen_imagenet_labels.py";
}

std::string catalog_with(const std::string& source_fields, const std::string& labels = "[\"a\", \"b\"]") {
  return R"({"models": [{"name": "tiny", "labels": )" + labels + R"(, "sources": {"torchscript": {)" +
         source_fields + R"(, "input": {"crop": {"width": 8, "height": 8}}}}}]})";
}

std::string parse_error(const std::string& json) {
  auto c = parse_catalog(json, "test.json");
  return c ? "" : c.status().message();
}

TEST(ParseCatalog, ReadsACustomCatalog) {
  auto c = parse_catalog(
      catalog_with(R"("url": "http://127.0.0.1:1/m/tiny-0badcafe.pth", "sha256": "from_file_name",
                                         "convert": "tiny", "size": 5, "output": "probabilities")"),
      "test.json");
  ASSERT_TRUE(c) << c.status().message();
  const auto& e = c->entries().at(0);
  EXPECT_EQ(e.labels, (std::vector<std::string>{"a", "b"}));
  const Source& s = e.sources.at(0);
  EXPECT_EQ(s.file_name, "tiny-0badcafe.pth");
  EXPECT_EQ(s.hash_prefix, "0badcafe");
  EXPECT_EQ(s.size, 5);
  EXPECT_EQ(s.convert_arch, "tiny");
  EXPECT_EQ(s.output, "probabilities");
}

TEST(ParseCatalog, ErrorsNameTheFileAndTheField) {
  const std::string url = R"("url": "http://h/x.pt")";
  const std::string sha = R"("sha256": ")" + std::string(64, 'a') + "\"";
  EXPECT_EQ(parse_error("{"), parse_error("{")) << "stable";
  EXPECT_NE(parse_error("{").find("test.json: not valid JSON"), std::string::npos);
  EXPECT_EQ(parse_error(catalog_with(url + ", " + sha + R"(, "lables": 1)")),
            "test.json: models[0].sources.torchscript.lables: unknown field");
  EXPECT_EQ(parse_error(catalog_with(url + R"(, "sha256": "abc")")),
            "test.json: models[0].sources.torchscript.sha256: expected 64 hexadecimal digits or "
            "\"from_file_name\"");
  EXPECT_NE(parse_error(catalog_with(url + R"(, "sha256": "from_file_name")")).find("holds no -HEX."),
            std::string::npos);
  EXPECT_EQ(parse_error(catalog_with(R"("url": "ftp://h/x.pt", )" + sha)),
            "test.json: models[0].sources.torchscript.url: expected an http:// or https:// URL");
  EXPECT_EQ(parse_error(catalog_with(R"("url": "http://h/", )" + sha)),
            "test.json: models[0].sources.torchscript.url: the URL does not end with a file name");
  EXPECT_NE(parse_error(catalog_with(url + ", " + sha, "[]")).find("models[0].labels"), std::string::npos);
  EXPECT_NE(parse_error(catalog_with(url + ", " + sha, "\"cifar\"")).find("models[0].labels"),
            std::string::npos);
  EXPECT_NE(parse_error(catalog_with(url + ", " + sha + R"(, "output": "scores")")).find("output"),
            std::string::npos);
  const std::string two =
      R"({"models": [{"name": "a", "labels": ["x"], "sources": {"onnx": {"url": "http://h/a.onnx", )" + sha +
      R"(, "input": {}}}}, {"name": "A", "labels": ["x"], "sources": {"onnx": {"url": "http://h/b.onnx", )" +
      sha + R"(, "input": {}}}}]})";
  EXPECT_NE(parse_error(two).find("listed twice"), std::string::npos);
  const std::string convert_onnx =
      R"({"models": [{"name": "a", "labels": ["x"], "sources": {"onnx": {"url": "http://h/a.onnx", )" + sha +
      R"(, "convert": "a", "input": {}}}}]})";
  EXPECT_NE(parse_error(convert_onnx).find("only a torchscript source is converted"), std::string::npos);
  EXPECT_NE(
      parse_error(R"({"models": [{"name": "../x", "labels": ["x"], "sources": {}}]})").find("models[0].name"),
      std::string::npos);
}

}  // namespace
}  // namespace sluice::serve::pull
