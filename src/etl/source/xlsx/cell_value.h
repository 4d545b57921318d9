#pragma once
// How a scanned cell becomes a Value, as pandas.read_excel(engine="openpyxl") would see it:
//  - numbers: int64 when integral and within int64 (pandas does int(v) when it equals v), else double; a
//    number whose style has a date format becomes a DateTime (see excel_serial_to_datetime);
//  - shared (t="s"), inline (t="inlineStr") and formula (t="str") strings: UTF-8 text, _xHHHH_ decoded;
//  - booleans (t="b"): bool;
//  - error cells (t="e": #N/A, #DIV/0!, ...): NULL, because pandas turns them into NaN;
//  - ISO 8601 cells (t="d"): DateTime;
//  - a cell with no value, or an empty string: NULL (pandas reads both as NaN).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "etl/batch.h"
#include "etl/source/xlsx/number_format.h"
#include "etl/source/xlsx/shared_strings.h"
#include "etl/source/xlsx/sheet_scanner.h"

namespace sluice::etl::xlsx {

struct CellContext {
  const SharedStrings* shared_strings = nullptr;         // never null
  const std::vector<NumberKind>* style_kinds = nullptr;  // never null; by cellXfs index, beyond it numbers
  bool date1904 = false;
};

// Sets out to the cell's value. Returns false, with problem saying what is wrong (for a message that the
// caller prefixes with the cell's location), when the text does not fit the cell's type: a number that is
// not one, a shared string index beyond the table, a boolean other than 0/1. When out already holds a
// string (a Batch slot from the previous batch), its storage is reused.
[[gnu::always_inline]] inline bool convert_cell(const RawCell& cell, std::string_view text,
                                                const CellContext& context, Value& out, std::string& problem);

// The general case of convert_cell, out of line.
bool convert_cell_slow(const RawCell& cell, std::string_view text, const CellContext& context, Value& out,
                       std::string& problem);

// An Excel serial date (days since the epoch, the fraction the time of day) as a DateTime, rounded to the
// millisecond as openpyxl does. kDateTime formats give kDateTime: in the 1900 system day 0 is 1899-12-30
// and serials in (0, 60) are moved a day later for Lotus 1-2-3's phantom 1900-02-29, as openpyxl does, so
// 1 is 1900-01-01 and 61 is 1900-03-01. kTime formats (h:mm) give kTime, the time of day of the fraction
// (whole days dropped, as Excel shows them); kDuration formats ([h]:mm:ss) give kTime holding the whole
// serial, days kept as hours (26:00:00; openpyxl 3.0 gives a datetime in 1900 there). False when the
// serial is outside years 1-9999 or not finite (openpyxl makes such a cell an error, hence NaN).
bool excel_serial_to_datetime(double serial, bool date1904, NumberKind kind, DateTime& out);

// A t="d" cell's ISO 8601 text: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]][Z]" or "HH:MM[:SS[.fff]]" (a
// time of day, kTime). False when it is none of these.
bool parse_iso8601(std::string_view text, DateTime& out);

// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

// ---- the common cases inline: a shared string, a plain integer ----

namespace cell_detail {
// Up to 18 digits; false for anything else.
inline bool parse_digits(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (static_cast<unsigned char>(c - '0') > 9) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  out = v;
  return true;
}
}  // namespace cell_detail

[[gnu::always_inline]] inline bool convert_cell(const RawCell& cell, std::string_view text,
                                                const CellContext& context, Value& out,
                                                std::string& problem) {
  uint64_t n;
  if (cell.type == CellType::kSharedString) {
    if (cell_detail::parse_digits(text, n) && n < context.shared_strings->size()) {
      const std::string_view s = context.shared_strings->get(n);
      if (s.empty()) {
        out = std::monostate{};
      } else if (auto* held = std::get_if<std::string>(&out)) {
        held->clear();  // then append: a plain copy into the capacity the string has
        held->append(s.data(), s.size());
      } else {
        out.emplace<std::string>(s);
      }
      return true;
    }
  } else if (cell.type == CellType::kNumber && cell_detail::parse_digits(text, n) &&
             n < (uint64_t{1} << 62) &&
             (cell.style >= context.style_kinds->size() ||
              (*context.style_kinds)[cell.style] == NumberKind::kNumber)) {
    out = static_cast<int64_t>(n);
    return true;
  }
  return convert_cell_slow(cell, text, context, out, problem);
}

}  // namespace sluice::etl::xlsx
