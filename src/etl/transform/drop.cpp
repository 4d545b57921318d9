// The drop step: pandas' df.drop(columns=[...]).
#include <algorithm>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>

#include "etl/transform/step_support.h"
#include "etl/transform/steps.h"

namespace sluice::etl {

namespace {

constexpr const char* kStepName = "drop";

class DropStep final : public Step {
 public:
  explicit DropStep(std::vector<std::string> columns) : columns_(std::move(columns)) {}

  std::string describe() const override {
    std::string out = kStepName;
    for (size_t i = 0; i < columns_.size(); ++i) out += (i == 0 ? " " : ", ") + columns_[i];
    return out;
  }

  common::Result<Schema> bind(const Schema& input) override {
    indexes_.clear();
    for (const std::string& name : columns_) {
      auto index = internal::resolve_column(kStepName, name, input);
      if (!index) return index.status();
      indexes_.push_back(index.value());
    }
    // Highest first, so that erasing one column does not move the next one to erase; a name listed twice
    // is dropped once, as pandas does.
    std::sort(indexes_.begin(), indexes_.end(), std::greater<>());
    indexes_.erase(std::unique(indexes_.begin(), indexes_.end()), indexes_.end());
    Schema out = input;
    for (size_t index : indexes_) out.erase(out.begin() + static_cast<ptrdiff_t>(index));
    return out;
  }

  void apply(Batch& batch, std::vector<CellError>& /*errors*/) const override {
    for (size_t index : indexes_) batch.columns.erase(batch.columns.begin() + static_cast<ptrdiff_t>(index));
  }

 private:
  std::vector<std::string> columns_;
  std::vector<size_t> indexes_;  // into the bound schema, descending
};

}  // namespace

std::unique_ptr<Step> make_drop_step(std::vector<std::string> columns) {
  return std::make_unique<DropStep>(std::move(columns));
}

}  // namespace sluice::etl
