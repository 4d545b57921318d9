#pragma once
// OOXML's own escape for characters XML 1.0 cannot carry: _xHHHH_ stands for the UTF-16 code unit HHHH
// (ECMA-376 Part 1, 22.9.2.19 ST_Xstring), so "_x000D_" is a carriage return and "_x005F_" an underscore;
// "_x005F_x000D_" is therefore the literal text "_x000D_". Excel writes these in shared strings, inline
// strings and formula results; openpyxl undoes the _x005F_ case in shared strings, we undo them all.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "etl/source/xlsx/xml_lex.h"

namespace sluice::etl::xlsx {

// True when text may hold an escape (contains "_x"). Looks for '_' eight bytes at a time first: most strings
// have none, and they are short, where memchr's call costs more than the search.
inline bool may_hold_escapes(std::string_view text) {
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t x;
    std::memcpy(&x, text.data() + i, 8);
    if (swar_has_byte(x, '_') != 0) return text.find("_x", i) != std::string_view::npos;
  }
  for (; i < text.size(); ++i) {
    if (text[i] == '_') return text.find("_x", i) != std::string_view::npos;
  }
  return false;
}

// Appends text with every _xHHHH_ replaced by its character (a surrogate pair of escapes by one character);
// an escape of a lone surrogate is kept as written.
void append_unescaped(std::string_view text, std::string& out);

}  // namespace sluice::etl::xlsx
