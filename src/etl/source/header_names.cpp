#include "etl/source/header_names.h"

#include <unordered_set>

namespace sluice::etl::internal {

std::vector<std::string> normalise_header_names(std::vector<std::string> names) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) names[i] = "Unnamed: " + std::to_string(i);
  }
  std::unordered_set<std::string> seen;
  for (auto& name : names) {
    if (seen.insert(name).second) continue;
    for (int k = 1;; ++k) {
      std::string candidate = name + "." + std::to_string(k);
      if (seen.insert(candidate).second) {
        name = std::move(candidate);
        break;
      }
    }
  }
  return names;
}

}  // namespace sluice::etl::internal
