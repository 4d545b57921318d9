// The rename step: pandas' df.rename(columns={...}), refusing to create two columns of one name.
#include <string>
#include <utility>

#include "etl/transform/step_support.h"
#include "etl/transform/steps.h"

namespace sluice::etl {

namespace {

constexpr const char* kStepName = "rename";

class RenameStep final : public Step {
 public:
  explicit RenameStep(std::vector<std::pair<std::string, std::string>> renames)
      : renames_(std::move(renames)) {}

  std::string describe() const override {
    std::string out = kStepName;
    for (size_t i = 0; i < renames_.size(); ++i) {
      out += (i == 0 ? " " : ", ") + renames_[i].first + " -> " + renames_[i].second;
    }
    return out;
  }

  // All renames apply at once, as in pandas, so {a = "b", b = "a"} swaps two columns. The result must not
  // hold two columns of one name (pandas would allow it, and every later step and the database would then
  // pick one of them silently).
  common::Result<Schema> bind(const Schema& input) override {
    Schema out = input;
    std::vector<bool> renamed(input.size(), false);
    for (const auto& [from, to] : renames_) {
      auto index = internal::resolve_column(kStepName, from, input);
      if (!index) return index.status();
      if (to.empty()) {
        return common::invalid_argument(std::string(kStepName) + ": cannot rename '" + from +
                                        "' to an empty name");
      }
      if (renamed[index.value()]) {
        return common::invalid_argument(std::string(kStepName) + ": column '" + from + "' is renamed twice");
      }
      renamed[index.value()] = true;
      out[index.value()].name = to;
    }
    for (const auto& [from, to] : renames_) {
      const size_t index = static_cast<size_t>(find_column(input, from));
      for (size_t other = 0; other < out.size(); ++other) {
        if (other == index || out[other].name != to) continue;
        if (renamed[other]) {
          return common::invalid_argument(std::string(kStepName) + ": '" + from + "' and '" +
                                          input[other].name + "' would both be named '" + to + "'");
        }
        return common::invalid_argument(std::string(kStepName) + ": cannot rename '" + from + "' to '" + to +
                                        "': a column '" + to +
                                        "' already exists (columns: " + column_list(input) + ")");
      }
    }
    return out;
  }

  // Names live in the schema only; the data does not move.
  void apply(Batch& /*batch*/, std::vector<CellError>& /*errors*/) const override {}

 private:
  std::vector<std::pair<std::string, std::string>> renames_;
};

}  // namespace

std::unique_ptr<Step> make_rename_step(std::vector<std::pair<std::string, std::string>> renames) {
  return std::make_unique<RenameStep>(std::move(renames));
}

}  // namespace sluice::etl
