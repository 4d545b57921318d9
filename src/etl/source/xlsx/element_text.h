#pragma once
// Collects the text of an element's value-bearing descendants: the <v> of a cell, the <t> runs of an inline
// string or of a shared string item. Both scanners use this one walker, so that a cell value and a shared
// string read alike.
#include <string>

#include "etl/source/xlsx/xml_lex.h"

namespace sluice::etl::xlsx {

// Which descendants' character data to collect (paths relative to the element being scanned):
enum class TextPlan : unsigned char {
  kNone,          // nothing: skips the element
  kCellValue,     // v (a <c>'s cached value; formulas <f> and everything else ignored)
  kInlineString,  // is/t and is/r/t (a <c t="inlineStr">; phonetic is/rPh/t excluded, as openpyxl does)
  kRichText,      // t and r/t (a shared string <si>; rPh/t excluded)
};

// p is just past the element's start tag; scans through its end tag, appending the collected text (several
// matching descendants are concatenated in document order) to out. Whitespace is kept as written, with or
// without xml:space="preserve", as openpyxl keeps it. Returns nullptr as the lexing functions
// do; out may then hold part of the text and the caller trims it.
const char* scan_element_text(const char* p, const char* end, TextPlan plan, std::string& out, LexError& err);

}  // namespace sluice::etl::xlsx
