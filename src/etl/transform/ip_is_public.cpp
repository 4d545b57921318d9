// The ip_is_public step: Python's ipaddress.ip_address(value).is_global, one column at a time.
#include <cstdio>
#include <string>
#include <utility>

#include "common/ip_address.h"
#include "etl/transform/step_support.h"
#include "etl/transform/steps.h"

namespace sluice::etl {

namespace {

constexpr const char* kStepName = "ip_is_public";
// Long enough for any address with a scope id; a longer cell is not an address and its tail adds nothing.
constexpr size_t kMaxQuoted = 80;

// The value as a message shows it: text in single quotes with control bytes escaped (the message is one
// line of a log or a CSV cell) and cut at kMaxQuoted bytes on a UTF-8 boundary; other values by their type.
std::string describe_value(const Value& v) {
  const auto* text = std::get_if<std::string>(&v);
  if (text == nullptr) return std::string(column_type_name(type_of(v))) + " " + to_text(v);
  size_t end = text->size();
  bool cut = false;
  if (end > kMaxQuoted) {
    end = kMaxQuoted;
    while (end > 0 && (static_cast<unsigned char>((*text)[end]) & 0xC0) == 0x80) --end;
    cut = true;
  }
  std::string out = "'";
  for (size_t i = 0; i < end; ++i) {
    const unsigned char c = static_cast<unsigned char>((*text)[i]);
    if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    } else if (c == '\'' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(c);
    }
  }
  out += cut ? "'..." : "'";
  return out;
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
