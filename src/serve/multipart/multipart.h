#pragma once
// A multipart/form-data body (RFC 7578) split into its parts, without copying: each part's fields view into
// the body, which must outlive the result.
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sluice::serve::multipart {

struct Part {
  std::string_view name;          // from Content-Disposition: form-data; name="…"
  std::string_view filename;      // empty when absent
  std::string_view content_type;  // the part's Content-Type header, empty when absent
  std::string_view body;
};

// Extracts the boundary from a Content-Type header value such as
// `multipart/form-data; boundary="----x"`. kInvalidArgument when it is not multipart/form-data or has no
// boundary.
common::Result<std::string> boundary_from_content_type(std::string_view content_type);

// Splits `body`. kInvalidArgument, with what was wrong, for a missing closing delimiter, a part without
// Content-Disposition or name, or malformed part headers. Header names are case-insensitive; preamble and
// epilogue are ignored.
common::Result<std::vector<Part>> parse_multipart(std::string_view body, std::string_view boundary);

}  // namespace sluice::serve::multipart
