#include "etl/source/xlsx/ooxml_escape.h"

#include <cstdint>

#include "etl/source/xlsx/xml_lex.h"

namespace sluice::etl::xlsx {

namespace {
// The code unit of the escape at text[i] ("_xHHHH_"), or -1.
int32_t escape_at(std::string_view text, size_t i) {
  if (i + 7 > text.size() || text[i] != '_' || text[i + 1] != 'x' || text[i + 6] != '_') return -1;
  int32_t unit = 0;
  for (size_t k = i + 2; k < i + 6; ++k) {
    const char c = text[k];
    int32_t v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else
      return -1;
    unit = unit * 16 + v;
  }
  return unit;
}
}  // namespace

void append_unescaped(std::string_view text, std::string& out) {
  size_t done = 0;
  for (size_t i = text.find("_x"); i != std::string_view::npos; i = text.find("_x", i)) {
    const int32_t unit = escape_at(text, i);
    if (unit < 0) {
      ++i;
      continue;
    }
    uint32_t cp = static_cast<uint32_t>(unit);
    size_t length = 7;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      const int32_t low = escape_at(text, i + 7);
      if (low < 0xDC00 || low > 0xDFFF) {
        i += 7;  // a lone high surrogate stays as written
        continue;
      }
      cp = 0x10000 + ((static_cast<uint32_t>(unit) - 0xD800) << 10) + (static_cast<uint32_t>(low) - 0xDC00);
      length = 14;
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      i += 7;
      continue;
    }
    out.append(text.substr(done, i - done));
    append_utf8(cp, out);
    i += length;
    done = i;
  }
  out.append(text.substr(done));
}

}  // namespace sluice::etl::xlsx
