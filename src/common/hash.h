#pragma once
// Message digests as lowercase hex, through OpenSSL's EVP interface (never hand-rolled crypto). The ETL's
// hash step runs one digest per row on millions of rows, so a Hasher fetches the algorithm once and keeps
// its OpenSSL context between calls. The only allocation per call that sluice makes is the output string
// growing to fit (none when it already has the capacity); OpenSSL 3.0 itself allocates its small digest
// state once per call (twice for HMAC), which later OpenSSL versions avoid.
//
// A Hasher is not thread-safe: use one per thread. Moving it is cheap; copying is not allowed.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace sluice::common {

enum class HashAlgorithm {
  kMd5,         // 128-bit; fine as a checksum, not as a pseudonym (see docs/pipeline-file.md)
  kSha256,      // 256-bit, unkeyed
  kHmacSha256,  // HMAC (RFC 2104) with SHA-256 and a secret key
};

// "md5", "sha256", "hmac-sha256": the names the pipeline file uses.
const char* hash_algorithm_name(HashAlgorithm algorithm);

class Hasher {
 public:
  // Fetches the algorithm from OpenSSL's default provider. key is used by kHmacSha256 only (any length,
  // empty included, as RFC 2104 allows; whether an empty key is acceptable is the caller's policy) and is
  // copied into OpenSSL's context, not kept here. Fails (kUnsupported) when the provider lacks the algorithm,
  // e.g. MD5 under a FIPS-only configuration.
  static Result<Hasher> create(HashAlgorithm algorithm, std::string_view key = {});

  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  ~Hasher();

  HashAlgorithm algorithm() const { return algorithm_; }
  // Digest length in bytes (16 for MD5, 32 for the others); the hex text is twice as long.
  size_t digest_size() const;

  // Replaces out's contents with the lowercase hex digest of data, reusing out's capacity. Returns false
  // only if OpenSSL reports a failure (out is then empty), which does not happen with the default provider.
  bool hex_digest(std::string_view data, std::string& out);

 private:
  struct State;  // the OpenSSL handles; kept out of this header so that callers need no OpenSSL includes
  explicit Hasher(HashAlgorithm algorithm, std::unique_ptr<State> state);

  HashAlgorithm algorithm_;
  std::unique_ptr<State> state_;
};

// One-shot convenience for small inputs and tests: creates a Hasher for each call.
Result<std::string> hex_digest(HashAlgorithm algorithm, std::string_view data, std::string_view key = {});

}  // namespace sluice::common
