#pragma once
// --preview N: the first N transformed rows as an aligned text table, for a dry run.
#include <string>
#include <vector>

#include "etl/batch.h"

namespace sluice::etl {

class Preview {
 public:
  explicit Preview(size_t max_rows) : max_rows_(max_rows) {}
  void add(const Schema& schema, const Batch& batch);
  // "id | gender | ..." with a rule under the header; NULL shown as NULL; long cells cut at 40 characters.
  std::string render() const;

 private:
  size_t max_rows_;
  Schema schema_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace sluice::etl
