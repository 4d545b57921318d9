// The concat step: pandas' df[a].astype(str) + sep + df[b] ..., with NULL propagating as NaN does.
#include <string>
#include <utility>

#include "etl/transform/step_support.h"
#include "etl/transform/steps.h"

namespace sluice::etl {

namespace {

constexpr const char* kStepName = "concat";
// Room reserved for a non-text value's rendering (an int64 or a shortest-repr double fits).
constexpr size_t kRenderedGuess = 24;

class ConcatStep final : public Step {
 public:
  ConcatStep(std::vector<std::string> inputs, std::string separator, std::string output)
      : inputs_(std::move(inputs)), separator_(std::move(separator)), output_(std::move(output)) {}

  std::string describe() const override {
    std::string out = std::string(kStepName) + "(";
    for (const std::string& name : inputs_) out += name + ", ";
    return out + "separator='" + separator_ + "') -> " + output_;
  }

  common::Result<Schema> bind(const Schema& input) override {
    if (inputs_.empty()) return common::invalid_argument(std::string(kStepName) + ": no input columns");
    in_indexes_.clear();
    for (const std::string& name : inputs_) {
      auto in = internal::resolve_column(kStepName, name, input);
      if (!in) return in.status();
      in_indexes_.push_back(in.value());
    }
    Schema out = input;
    out_index_ = internal::place_output(out, Field{output_, ColumnType::kText, ""});
    return out;
  }

  void apply(Batch& batch, std::vector<CellError>& /*errors*/) const override {
    const size_t rows = batch.columns[in_indexes_.front()].size();
    std::vector<Value> out(rows);  // NULL unless set below
    for (size_t r = 0; r < rows; ++r) {
      // Size first, so that each row's text is allocated once.
      size_t length = separator_.size() * (in_indexes_.size() - 1);
      bool any_null = false;
      for (size_t c : in_indexes_) {
        const Value& v = batch.columns[c][r];
        if (is_null(v)) {
          any_null = true;
          break;
        }
        const auto* text = std::get_if<std::string>(&v);
        length += text != nullptr ? text->size() : kRenderedGuess;
      }
      if (any_null) continue;
      std::string& joined = out[r].emplace<std::string>();
      joined.reserve(length);
      for (size_t i = 0; i < in_indexes_.size(); ++i) {
        if (i > 0) joined += separator_;
        const Value& v = batch.columns[in_indexes_[i]][r];
        if (const auto* text = std::get_if<std::string>(&v)) {
          joined += *text;
        } else {
          // pandas would raise on int + str; rendering the value is what the user almost always meant.
          joined += to_text(v);
        }
      }
    }
    internal::store_column(batch, out_index_, std::move(out));
  }

 private:
  std::vector<std::string> inputs_;
  std::string separator_;
  std::string output_;
  std::vector<size_t> in_indexes_;
  size_t out_index_ = 0;
};

}  // namespace

std::unique_ptr<Step> make_concat_step(std::vector<std::string> inputs, std::string separator,
                                       std::string output) {
  return std::make_unique<ConcatStep>(std::move(inputs), std::move(separator), std::move(output));
}

}  // namespace sluice::etl
