#include "serve/auth/api_keys.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <optional>

namespace sluice::serve::auth {

namespace {

using Hash = std::array<uint8_t, 32>;

constexpr std::string_view kWhitespace = " \t\r\n";
constexpr const char* kExpected = "expected 64 hex digits (the SHA-256 of a key)";

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(kWhitespace);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kWhitespace);
  return s.substr(b, e - b + 1);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Uppercase hex is accepted too: `sha256sum` prints lowercase, but nothing is gained by refusing the other.
std::optional<Hash> parse_hex_hash(std::string_view text) {
  if (text.size() != 64) return std::nullopt;
  Hash h{};
  for (size_t i = 0; i < 32; ++i) {
    int hi = hex_value(text[2 * i]);
    int lo = hex_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    h[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return h;
}

bool sha256(std::string_view data, Hash& out) {
  unsigned int len = 0;
  return EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) == 1 && len == 32;
}

bool iequals(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

void add_unique(std::vector<Hash>& hashes, const Hash& h) {
  if (std::find(hashes.begin(), hashes.end(), h) == hashes.end()) hashes.push_back(h);
}

}  // namespace

common::Result<ApiKeys> ApiKeys::from_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return common::not_found(name + ": cannot open the API key file");
  ApiKeys keys;
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    // A `#` starts a comment anywhere, so a line can say whose key it is: `<hash>  # ci-runner`.
    std::string_view text = line;
    text = trim(text.substr(0, text.find('#')));
    if (text.empty()) continue;
    auto h = parse_hex_hash(text);
    if (!h) return common::invalid_argument(name + ":" + std::to_string(line_no) + ": " + kExpected);
    add_unique(keys.hashes_, *h);
  }
  if (in.bad()) return common::unavailable(name + ": read error");
  if (keys.hashes_.empty()) {
    return common::invalid_argument(name + ": no keys (" + kExpected + ", one per line)");
  }
  return keys;
}

common::Result<ApiKeys> ApiKeys::from_list(std::string_view comma_separated, std::string_view source_name) {
  ApiKeys keys;
  size_t item = 0;
  while (!comma_separated.empty()) {
    size_t comma = comma_separated.find(',');
    std::string_view text = trim(comma_separated.substr(0, comma));
    comma_separated =
        comma == std::string_view::npos ? std::string_view{} : comma_separated.substr(comma + 1);
    ++item;
    if (text.empty()) continue;  // "a,,b" and a trailing comma are harmless
    auto h = parse_hex_hash(text);
    if (!h) {
      return common::invalid_argument(std::string(source_name) + ": item " + std::to_string(item) + ": " +
                                      kExpected);
    }
    add_unique(keys.hashes_, *h);
  }
  if (keys.hashes_.empty()) {
    return common::invalid_argument(std::string(source_name) + ": no keys (" + kExpected +
                                    ", comma-separated)");
  }
  return keys;
}

void ApiKeys::merge(const ApiKeys& other) {
  for (const auto& h : other.hashes_) add_unique(hashes_, h);
}

bool ApiKeys::allows(std::string_view authorization) const {
  // RFC 9110 strips surrounding whitespace from field values; the credentials are one token68, so
  // whitespace around the key is never part of it.
  std::string_view value = trim(authorization);
  size_t space = value.find_first_of(" \t");
  if (space == std::string_view::npos) return false;
  if (!iequals(value.substr(0, space), "bearer")) return false;
  std::string_view key = trim(value.substr(space));
  if (key.empty()) return false;

  Hash presented{};
  if (!sha256(key, presented)) return false;
  // Every configured hash is compared in full, whatever matched before, so the time taken depends only on
  // how many keys are configured.
  int matched = 0;
  for (const auto& h : hashes_) matched |= CRYPTO_memcmp(h.data(), presented.data(), h.size()) == 0;
  return matched != 0;
}

}  // namespace sluice::serve::auth
