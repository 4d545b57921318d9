// libFuzzer target for database URLs (src/etl/sink/database_url.*): any text must split, parse and redact
// without a crash, UB or a hang, and redaction must not leak the password the parser would connect with.
// The leak property, kept sound: for a parsed password p of at least 4 bytes, the redacted text may only
// contain p (raw or as written in the URL) where p also occurs in the URL with its password span removed,
// since then the text shows p for a reason other than the password (e.g. user "abcd", password "abcd"),
// and p holds no '*' (see check_no_leak).
// Build and run: fuzz/run_parsers.sh SECONDS.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "etl/sink/database_url.h"

namespace {

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

void check_no_leak(std::string_view url, std::string_view secret, std::string_view without_password,
                   const std::string& redacted, const char* what) {
  // A secret holding '*' can be spelled across the "***" that replaced it (password "x***y" after a user
  // ending in "x"): no leak. Without '*', every occurrence lies in one run of kept URL text, so in
  // without_password unless redaction failed.
  if (secret.size() < 4 || contains(secret, "*") || !contains(redacted, secret) ||
      contains(without_password, secret))
    return;
  std::fprintf(stderr, "redact_url leaks the %s password (%zu bytes)\n  url:      %.*s\n  redacted: %s\n",
               what, secret.size(), static_cast<int>(url.size()), url.data(), redacted.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string url(reinterpret_cast<const char*>(data), size);
  const std::string redacted = sluice::etl::redact_url(url);
  auto parsed = sluice::etl::parse_database_url(url);
  auto spans = sluice::etl::split_database_url(url);
  if (!spans.is_ok() || !spans->has_password) return 0;
  // The URL with the password span cut out: whatever of the password shows up there is not a leak.
  const size_t at = static_cast<size_t>(spans->password.data() - url.data());
  const std::string without_password = url.substr(0, at) + url.substr(at + spans->password.size());
  check_no_leak(url, spans->password, without_password, redacted, "raw");
  if (parsed.is_ok()) check_no_leak(url, parsed->password, without_password, redacted, "decoded");
  return 0;
}
