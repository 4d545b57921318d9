#pragma once
// The repositories tools/make_test_models.py writes under SLUICE_TEST_MODELS_DIR (a ctest fixture), loaded
// once per test binary because opening the large models is the slow part.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "serve/model/repository.h"

namespace sluice::serve::model::testing {

inline std::filesystem::path models_dir() { return SLUICE_TEST_MODELS_DIR; }

// nullptr (and a failed test) when the fixture has not been generated.
inline const ModelRepository* good_repository() {
  static const std::unique_ptr<ModelRepository> repository = [] {
    auto loaded = ModelRepository::load(models_dir() / "repo");
    return loaded ? std::move(loaded).value() : nullptr;
  }();
  if (repository == nullptr) {
    ADD_FAILURE() << "no model repository at " << models_dir() / "repo"
                  << "; run /usr/bin/python3 tools/make_test_models.py " << models_dir();
  }
  return repository.get();
}

inline std::vector<float> read_floats(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  std::vector<float> values(in ? static_cast<size_t>(in.tellg()) / sizeof(float) : 0);
  in.seekg(0);
  in.read(reinterpret_cast<char*>(values.data()),
          static_cast<std::streamsize>(values.size() * sizeof(float)));
  return values;
}

}  // namespace sluice::serve::model::testing
