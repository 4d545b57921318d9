#pragma once
// The images written by tools/make_test_images.py (a ctest fixture) and their manifest.json, which records
// what PIL and torchvision make of each.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::serve::vision::testing {

inline std::string images_dir() { return SLUICE_TEST_IMAGES_DIR; }

inline std::string read_bytes(const std::string& name) {
  std::ifstream in(images_dir() + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing " << images_dir() << "/" << name
                         << " (run /usr/bin/python3 tools/make_test_images.py " << images_dir() << ")";
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline const nlohmann::json& manifest() {
  static const nlohmann::json kManifest = [] {
    const std::string text = read_bytes("manifest.json");
    return text.empty() ? nlohmann::json::object({{"images", nlohmann::json::array()}})
                        : nlohmann::json::parse(text);
  }();
  return kManifest;
}

inline std::vector<nlohmann::json> images() {
  std::vector<nlohmann::json> out(manifest()["images"].begin(), manifest()["images"].end());
  EXPECT_FALSE(out.empty()) << "no test images in " << images_dir();
  return out;
}

inline bool decodable(const nlohmann::json& image) { return !image.contains("error"); }

inline common::Code expected_code(const nlohmann::json& image) {
  const std::string error = image.value("error", "");
  if (error == "unsupported") return common::Code::kUnsupported;
  if (error == "invalid_input") return common::Code::kInvalidInput;
  if (error == "resource_exhausted") return common::Code::kResourceExhausted;
  return common::Code::kOk;
}

}  // namespace sluice::serve::vision::testing
