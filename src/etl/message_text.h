#pragma once
// The one place where text from the input (a cell, a header, an attribute value) enters a message. A message
// is one line of a terminal, a log or a CSV cell, so the text is escaped (control characters, including
// newlines and the ESC of ANSI sequences, as \n, \r, \t or \xHH; a quote and a backslash with a backslash)
// and cut after kMaxQuotedChars characters, saying how long it was: a 10 MB bad value costs one line.
#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::etl {

inline constexpr size_t kMaxQuotedChars = 80;

// 'text' escaped as above; a cut value reads 'first 80 characters'... (12345 bytes). The cut falls on a
// UTF-8 character boundary.
std::string quote_text(std::string_view text);

}  // namespace sluice::etl
