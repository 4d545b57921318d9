#pragma once
// A multipart/form-data body (RFC 7578) split into its parts, without copying: each part's fields view into
// the body, which must outlive the result.
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sluice::serve::multipart {

// `name` and `filename` are the raw text between the quotes: backslash escapes are not undone (browsers and
// curl percent-encode `"` as %22 instead, as RFC 7578 describes), and `filename*` is ignored.
struct Part {
  std::string_view name;          // from Content-Disposition: form-data; name="…"; never empty
  std::string_view filename;      // empty when absent
  std::string_view content_type;  // the part's Content-Type header, empty when absent
  std::string_view body;
};

// Extracts the boundary from a Content-Type header value such as
// `multipart/form-data; boundary="----x"`. kInvalidArgument when it is not multipart/form-data or has no
// boundary, or the boundary is not 1–70 RFC 2046 characters.
common::Result<std::string> boundary_from_content_type(std::string_view content_type);

// Splits `body`. kInvalidArgument, with what was wrong, for a missing closing delimiter, a part without
// Content-Disposition or name, or malformed part headers. Header names are case-insensitive; preamble and
// epilogue are ignored. Delimiter lines and part headers need CRLF line ends (RFC 2046); a part's body is
// taken byte for byte and may hold anything, lines that merely start like the delimiter included. A body
// that is just the close delimiter yields no parts.
// `boundary` as returned by boundary_from_content_type(), which also checks its characters and length.
common::Result<std::vector<Part>> parse_multipart(std::string_view body, std::string_view boundary);

}  // namespace sluice::serve::multipart
