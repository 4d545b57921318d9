#include "serve/api/client_text.h"

namespace sluice::serve::api {

namespace {
bool is_control(unsigned char c) { return c < 0x20 || c == 0x7F; }
}  // namespace

std::string client_text(std::string_view text, size_t max_bytes) {
  size_t keep = std::min(text.size(), max_bytes);
  if (keep < text.size()) {
    // Back off continuation bytes (10xxxxxx) so that the cut falls before a sequence, not inside it.
    while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
  }
  std::string out;
  out.reserve(keep + 24);
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < keep; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (is_control(c)) {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (keep < text.size()) out += "\xE2\x80\xA6 (" + std::to_string(text.size()) + " bytes)";
  return out;
}

bool has_control_character(std::string_view text) {
  for (char c : text) {
    if (is_control(static_cast<unsigned char>(c))) return true;
  }
  return false;
}

}  // namespace sluice::serve::api
