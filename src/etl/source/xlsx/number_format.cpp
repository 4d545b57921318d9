#include "etl/source/xlsx/number_format.h"

#include <cctype>
#include <vector>

namespace sluice::etl::xlsx {

namespace {
bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}
}  // namespace

NumberKind classify_builtin_format(int id) {
  if ((id >= 14 && id <= 17) || id == 22) return NumberKind::kDateTime;
  if (id == 46) return NumberKind::kDuration;
  if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47)) return NumberKind::kTime;
  if (id == 32 || id == 33) return NumberKind::kTime;
  if ((id >= 27 && id <= 36) || (id >= 50 && id <= 58)) return NumberKind::kDateTime;
  return NumberKind::kNumber;
}

NumberKind classify_format_code(std::string_view code) {
  // The date/time letters of the first section, lower-cased, in order; 'E' marks an elapsed bracket.
  std::vector<char> tokens;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == ';') break;
    if (c == '"') {
      const size_t close = code.find('"', i + 1);
      if (close == std::string_view::npos) break;
      i = close;
      continue;
    }
    if (c == '\\' || c == '_' || c == '*') {
      ++i;  // the next character is literal text, padding or fill
      continue;
    }
    if (c == '[') {
      const size_t close = code.find(']', i + 1);
      if (close == std::string_view::npos) break;
      const std::string_view inner = code.substr(i + 1, close - i - 1);
      bool elapsed = !inner.empty() && inner.size() <= 2;
      for (char k : inner) elapsed = elapsed && std::tolower(static_cast<unsigned char>(k)) == inner[0];
      const char k0 =
          inner.empty() ? 0 : static_cast<char>(std::tolower(static_cast<unsigned char>(inner[0])));
      if (elapsed && (k0 == 'h' || k0 == 'm' || k0 == 's')) tokens.push_back('E');
      i = close;
      continue;
    }
    if (starts_with_nocase(code.substr(i), "am/pm") || starts_with_nocase(code.substr(i), "a/p")) {
      i += code[i + 2] == '/' ? 4 : 2;  // a 12-hour clock marker, whose M and P are not tokens
      continue;
    }
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == 'y' || lower == 'd' || lower == 'm' || lower == 'h' || lower == 's') {
      // A run of the same letter is one token (yyyy, mmm).
      if (i == 0 || std::tolower(static_cast<unsigned char>(code[i - 1])) != lower) tokens.push_back(lower);
    }
  }
  bool has_date = false, has_time = false, elapsed = false;
  for (size_t t = 0; t < tokens.size(); ++t) {
    switch (tokens[t]) {
      case 'y':
      case 'd':
        has_date = true;
        break;
      case 'h':
      case 's':
        has_time = true;
        break;
      case 'E':
        has_time = elapsed = true;
        break;
      case 'm': {
        const bool after_hour = t > 0 && (tokens[t - 1] == 'h' || tokens[t - 1] == 'E');
        const bool before_second = t + 1 < tokens.size() && tokens[t + 1] == 's';
        (after_hour || before_second ? has_time : has_date) = true;
        break;
      }
    }
  }
  if (has_date) return NumberKind::kDateTime;
  if (has_time) return elapsed ? NumberKind::kDuration : NumberKind::kTime;
  return NumberKind::kNumber;
}

}  // namespace sluice::etl::xlsx
