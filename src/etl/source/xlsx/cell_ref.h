#pragma once
// A1-style cell references and the numeric attributes of <row> and <c>, read as openpyxl reads them.
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::etl::xlsx {

inline constexpr int kMaxColumns = 16384;  // XFD, Excel's last column

// The 0-based column of a reference such as "F27", "ab3" or "$F$27"; -1 when text is not one (1-3 letters
// then a row number > 0) or the column is beyond kMaxColumns.
int column_of_reference(std::string_view text);

// "A" for 0, "Z" for 25, "AA" for 26, ...
std::string column_letters(int column);

// A <row r="..."> number: digits, optionally followed by '.' and zeros ("27.0"), > 0 and < 2^40. False when
// text is not one.
bool parse_row_number(std::string_view text, uint64_t& row);

// A <c s="..."> style index: digits, or empty for 0. False when text is not one.
bool parse_style_index(std::string_view text, uint32_t& style);

}  // namespace sluice::etl::xlsx
