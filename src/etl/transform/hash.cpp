// The hash step: hashlib.<algorithm>(value.encode()).hexdigest() (or hmac.new(key, ...)), one column at a
// time.
#include "common/hash.h"

#include <openssl/crypto.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "etl/transform/step_support.h"
#include "etl/transform/steps.h"

namespace sluice::etl {

namespace {

constexpr const char* kStepName = "hash";

common::HashAlgorithm to_common(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kMd5:
      return common::HashAlgorithm::kMd5;
    case HashAlgorithm::kSha256:
      return common::HashAlgorithm::kSha256;
    case HashAlgorithm::kHmacSha256:
      return common::HashAlgorithm::kHmacSha256;
  }
  return common::HashAlgorithm::kMd5;
}

class HashStep final : public Step {
 public:
  HashStep(std::string input, std::string output, HashAlgorithm algorithm, std::string key)
      : input_(std::move(input)),
        output_(std::move(output)),
        algorithm_(to_common(algorithm)),
        key_(std::move(key)) {}

  // The key is a secret: wipe it rather than leave it in freed memory.
  ~HashStep() override { OPENSSL_cleanse(key_.data(), key_.size()); }

  // Never shows the key, only the algorithm.
  std::string describe() const override {
    return std::string(kStepName) + " " + common::hash_algorithm_name(algorithm_) + "(" + input_ + ") -> " +
           output_;
  }

  common::Result<Schema> bind(const Schema& input) override {
    auto in = internal::resolve_column(kStepName, input_, input);
    if (!in) return in.status();
    in_index_ = in.value();
    in_origin_ = input[in_index_].origin;
    if (algorithm_ == common::HashAlgorithm::kHmacSha256 && key_.empty()) {
      // An empty key makes HMAC as guessable as a plain hash, which is what the user chose HMAC to avoid.
      return common::invalid_argument(std::string(kStepName) + ": hmac-sha256 needs a non-empty secret key");
    }
    auto hasher = common::Hasher::create(algorithm_, key_);
    if (!hasher)
      return common::Status(hasher.status().code(),
                            std::string(kStepName) + ": " + hasher.status().message());
    hasher_.emplace(std::move(hasher.value()));
    Schema out = input;
    out_index_ = internal::place_output(out, Field{output_, ColumnType::kText, ""});
    return out;
  }

  void apply(Batch& batch, std::vector<CellError>& errors) const override {
    const std::vector<Value>& in = batch.columns[in_index_];
    std::vector<Value> out(in.size());  // NULL unless set below
    std::string rendered;
    for (size_t r = 0; r < in.size(); ++r) {
      const Value& v = in[r];
      if (is_null(v)) continue;
      std::string_view data;
      if (const auto* text = std::get_if<std::string>(&v)) {
        data = *text;
      } else {
        // pandas' .encode() would raise on a number; hashing its text is what a user means by it.
        rendered = to_text(v);
        data = rendered;
      }
      std::string& digest = out[r].emplace<std::string>();
      digest.reserve(2 * hasher_->digest_size());
      if (!hasher_->hex_digest(data, digest)) {
        out[r] = std::monostate{};
        errors.push_back(CellError{r, input_, in_origin_, "OpenSSL failed to compute the digest"});
      }
    }
    internal::store_column(batch, out_index_, std::move(out));
  }

 private:
  std::string input_;
  std::string output_;
  common::HashAlgorithm algorithm_;
  std::string key_;
  size_t in_index_ = 0;
  std::string in_origin_;
  size_t out_index_ = 0;
  // Holds OpenSSL's context between rows; apply() is called from one thread at a time (step.h).
  mutable std::optional<common::Hasher> hasher_;
};

}  // namespace

std::unique_ptr<Step> make_hash_step(std::string input, std::string output, HashAlgorithm algorithm,
                                     std::string key) {
  return std::make_unique<HashStep>(std::move(input), std::move(output), algorithm, std::move(key));
}

}  // namespace sluice::etl
