#include "etl/source/xlsx/cell_ref.h"

namespace sluice::etl::xlsx {

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
}  // namespace

int column_of_reference(std::string_view text) {
  size_t i = 0;
  if (i < text.size() && text[i] == '$') ++i;
  int column = 0, letters = 0;
  for (; i < text.size() && is_letter(text[i]); ++i, ++letters) {
    if (letters == 3) return -1;  // four letters are past XFD, and would overflow
    column = column * 26 + ((text[i] | 0x20) - 'a' + 1);
  }
  if (letters == 0 || letters > 3 || column > kMaxColumns) return -1;
  if (i < text.size() && text[i] == '$') ++i;
  bool nonzero = false;
  const size_t digits = i;
  for (; i < text.size() && is_digit(text[i]); ++i) nonzero = nonzero || text[i] != '0';
  if (i == digits || i != text.size() || !nonzero) return -1;
  return column - 1;
}

std::string column_letters(int column) {
  std::string out;
  for (int n = column + 1; n > 0; n = (n - 1) / 26)
    out.insert(out.begin(), static_cast<char>('A' + (n - 1) % 26));
  return out;
}

bool parse_row_number(std::string_view text, uint64_t& row) {
  uint64_t value = 0;
  size_t i = 0;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    value = value * 10 + static_cast<uint64_t>(text[i] - '0');
    if (value >= (uint64_t{1} << 40)) return false;
  }
  if (i == 0) return false;
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] == '0'; ++i) {
    }
  }
  if (i != text.size() || value == 0) return false;
  row = value;
  return true;
}

bool parse_style_index(std::string_view text, uint32_t& style) {
  uint64_t value = 0;
  for (char c : text) {
    if (!is_digit(c)) return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
    if (value > UINT32_MAX) return false;
  }
  style = static_cast<uint32_t>(value);
  return true;
}

}  // namespace sluice::etl::xlsx
