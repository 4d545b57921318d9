#pragma once
// The worksheet scanner: reads the rows and cells of xl/worksheets/sheetN.xml as it streams out of the zip,
// in a fixed window (see ScanBuffer), with a purpose-built byte scanner rather than a general XML parser.
//
// What it reads (elements matched by local name, so any namespace prefix works): the first <sheetData>
// anywhere in the part, its <row> children and their <c> children; nothing after </sheetData> is read. For
// each cell: r (its column; a missing or empty r continues from the previous cell, as a missing <row r>
// continues from the previous row), t (the type), s (the style index), and the raw text of its value: the
// <v> children for every type but inlineStr, the <is> runs (t and r/t, not the phonetic rPh) for inlineStr.
// Formulas (<f>) are ignored: the cached value in <v> is the value. Entities, character references and
// CDATA are decoded (see xml_lex.h); _xHHHH_ escapes and the meaning of the text are left to the caller.
//
// Speed: cells and rows in the shape every writer uses (<c r="B2" s="1" t="s"><v>7</v></c>) are read by a
// fast path whose values are used where they lie in the window; anything else takes the general path, which
// handles all of XML's freedoms. tests/etl/source/xlsx/reference_sheet_parser.h restates these rules on top
// of expat; the differential test and fuzz/sheet_scanner_fuzz.cpp check that both paths agree with it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "etl/source/xlsx/scan_buffer.h"
#include "etl/source/xlsx/xml_lex.h"

namespace sluice::etl::xlsx {

enum class CellType : uint8_t {
  kNumber,        // t absent, empty or "n"
  kSharedString,  // "s": the text is an index into the shared strings
  kString,        // "str": a formula's string result
  kInlineString,  // "inlineStr"
  kBool,          // "b"
  kError,         // "e": #N/A, #DIV/0!, ...
  kDate,          // "d": ISO 8601 text
  kUnknown,       // anything else; read as text
};
CellType parse_cell_type(std::string_view t);

struct RawCell {
  uint32_t column = 0;  // 0-based
  CellType type = CellType::kNumber;
  uint32_t style = 0;
  // The raw value (empty when the cell has none): text_size bytes at text_data when the text could be used
  // where it lies in the scanner's window, else at text_begin in SheetRow::text (text_data is nullptr).
  uint32_t text_begin = 0, text_size = 0;
  const char* text_data = nullptr;
};

// One <row>, valid until the next call to next_row: reused from row to row so that scanning allocates
// nothing once warm.
struct SheetRow {
  uint64_t number = 0;  // 1-based
  std::vector<RawCell> cells;
  std::string text;  // texts that had to be decoded, or copied out of the window before it moved
  std::string_view text_of(const RawCell& cell) const {
    return {cell.text_data != nullptr ? cell.text_data : text.data() + cell.text_begin, cell.text_size};
  }
  void clear() {
    cells.clear();
    text.clear();
  }
  // Copies the texts that lie in the window into text, before the window moves.
  void own_texts();
};

class SheetScanner {
 public:
  // part_name names the part in error messages ("xl/worksheets/sheet1.xml").
  SheetScanner(ByteReader& reader, std::string part_name);

  // Reads the next row into row (cleared first); false after the last one. Rows without cells are returned
  // too. Errors (kInvalidInput) name the part and the byte offset: malformed XML, a bad r or s attribute,
  // the part ending inside <sheetData>.
  common::Result<bool> next_row(SheetRow& row);

 private:
  enum class State : uint8_t { kProlog, kSheetData, kRow, kDone };
  enum class Step : uint8_t { kRow, kEnd, kNeedMore, kError };

  struct TagAttributes;

  Step scan(SheetRow& row);
  // Reads the cell whose start tag spans [tag, p) into row; returns the position after the cell, or nullptr
  // as the lexing functions do.
  const char* scan_cell(const char* tag, const char* p, const char* end, const TagAttributes& attrs,
                        bool self_closing, SheetRow& row);
  // The common shape of a cell (<c r="B2" s="1" t="s"><v>12</v></c>, or <c .../>), read without the general
  // walker; nullptr, having changed nothing, when the cell has another shape or runs past the window.
  const char* scan_simple_cell(const char* p, const char* end, SheetRow& row);
  // The common shape of a row's start tag (<row r="12" spans="1:6">), likewise; starts the row.
  const char* scan_simple_row(const char* p, const char* end, SheetRow& row);
  // Reads an attribute value as expat would report it.
  std::string_view attribute(std::string_view raw, std::string& scratch);
  common::Status error_status() const;

  std::string part_;
  ScanBuffer buf_;
  State state_ = State::kProlog;
  uint64_t row_counter_ = 0;  // the previous row's number
  int64_t column_counter_ = -1;
  LexError err_;
  std::string bad_value_;  // for semantic errors: the offending attribute value
  std::string scratch_, skipped_;
};

}  // namespace sluice::etl::xlsx
