#pragma once
// API keys for `Authorization: Bearer <key>`. Keys are configured as lowercase hex SHA-256 hashes of the
// key (never the key itself), one per line in a file (`#` comments and blank lines allowed) or comma-
// separated in an environment variable. A presented key is hashed and compared with every configured hash in
// constant time (CRYPTO_memcmp, no early exit across the list), so timing reveals neither which hash nor
// how much of it matched.
//
// Hex may be upper- or lowercase; in the file a `#` starts a comment anywhere on a line, so a hash can be
// labelled (`<hash>  # ci-runner`). A file or list that yields no key at all is an error rather than a
// silent "auth disabled". Whitespace around the presented key is not part of it (HTTP strips it from field
// values anyway), so a key cannot begin or end with spaces.
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
  // Errors name the file and line: "keys.txt:3: expected 64 hex digits (the SHA-256 of a key)"; kNotFound
  // when the file cannot be opened, kInvalidArgument otherwise.
  static common::Result<ApiKeys> from_file(const std::filesystem::path& path);
  // Empty items are skipped; errors name the source and the item: "SLUICE_API_KEYS: item 2: expected …".
  static common::Result<ApiKeys> from_list(std::string_view comma_separated, std::string_view source_name);
  void merge(const ApiKeys& other);  // duplicates are kept once

  bool enabled() const { return !hashes_.empty(); }
  size_t size() const { return hashes_.size(); }
  // `authorization` is the raw header value; true when it is "Bearer <key>" (scheme case-insensitive) and
  // sha256(key) is configured.
  bool allows(std::string_view authorization) const;

 private:
  std::vector<std::array<uint8_t, 32>> hashes_;
};

}  // namespace sluice::serve::auth
