#pragma once
// API keys for `Authorization: Bearer <key>`. Keys are configured as lowercase hex SHA-256 hashes of the
// key (never the key itself), one per line in a file (`#` comments and blank lines allowed) or comma-
// separated in an environment variable. A presented key is hashed and compared with every configured hash in
// constant time (CRYPTO_memcmp, no early exit across the list), so timing reveals neither which hash nor
// how much of it matched.
//
// Immutable after construction; thread-safe.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sluice::serve::auth {

class ApiKeys {
 public:
  ApiKeys() = default;  // no keys: enabled() is false
  // Errors name the file and line: "keys.txt:3: expected 64 hex digits (the SHA-256 of a key)".
  static common::Result<ApiKeys> from_file(const std::filesystem::path& path);
  static common::Result<ApiKeys> from_list(std::string_view comma_separated, std::string_view source_name);
  void merge(const ApiKeys& other);

  bool enabled() const { return !hashes_.empty(); }
  size_t size() const { return hashes_.size(); }
  // `authorization` is the raw header value; true when it is "Bearer <key>" (scheme case-insensitive) and
  // sha256(key) is configured.
  bool allows(std::string_view authorization) const;

 private:
  std::vector<std::array<uint8_t, 32>> hashes_;
};

}  // namespace sluice::serve::auth
