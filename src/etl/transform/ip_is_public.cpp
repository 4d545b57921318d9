// The ip_is_public step: Python's ipaddress.ip_address(value).is_global, one column at a time.
#include <cstdio>
#include <string>
#include <utility>

#include "common/ip_address.h"
#include "etl/message_text.h"
#include "etl/transform/step_support.h"
#include "etl/transform/steps.h"

namespace sluice::etl {

namespace {

constexpr const char* kStepName = "ip_is_public";
// The value as a message shows it: text quoted by quote_text (escaped, cut); other values by their type.
std::string describe_value(const Value& v) {
  const auto* text = std::get_if<std::string>(&v);
  if (text == nullptr) return std::string(column_type_name(type_of(v))) + " " + to_text(v);
  return quote_text(*text);
}

class IpIsPublicStep final : public Step {
 public:
  IpIsPublicStep(std::string input, std::string output)
      : input_(std::move(input)), output_(std::move(output)) {}

  std::string describe() const override { return std::string(kStepName) + "(" + input_ + ") -> " + output_; }

  common::Result<Schema> bind(const Schema& input) override {
    auto in = internal::resolve_column(kStepName, input_, input);
    if (!in) return in.status();
    in_index_ = in.value();
    in_origin_ = input[in_index_].origin;
    Schema out = input;
    out_index_ = internal::place_output(out, Field{output_, ColumnType::kBool, ""});
    return out;
  }

  void apply(Batch& batch, std::vector<CellError>& errors) const override {
    const std::vector<Value>& in = batch.columns[in_index_];
    std::vector<Value> out(in.size());  // NULL unless set below
    for (size_t r = 0; r < in.size(); ++r) {
      const Value& v = in[r];
      if (is_null(v)) continue;
      if (const auto* text = std::get_if<std::string>(&v)) {
        if (const auto ip = common::parse_ip(*text)) {
          out[r].emplace<bool>(common::is_global(*ip));
          continue;
        }
      }
      // Python's ip_address() would take an integer as an address; a number in an IP column is far more
      // likely a data error, so only text is accepted.
      std::string message = describe_value(v) + " is not an IPv4 or IPv6 address";
      if (!std::holds_alternative<std::string>(v)) message += " (expected text)";
      errors.push_back(CellError{r, input_, in_origin_, std::move(message)});
    }
    internal::store_column(batch, out_index_, std::move(out));
  }

 private:
  std::string input_;
  std::string output_;
  size_t in_index_ = 0;
  std::string in_origin_;
  size_t out_index_ = 0;
};

}  // namespace

std::unique_ptr<Step> make_ip_is_public_step(std::string input, std::string output) {
  return std::make_unique<IpIsPublicStep>(std::move(input), std::move(output));
}

}  // namespace sluice::etl
