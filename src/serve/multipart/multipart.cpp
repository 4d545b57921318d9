#include "serve/multipart/multipart.h"

#include <optional>

namespace sluice::serve::multipart {

namespace {

constexpr std::string_view kCrlf = "\r\n";

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// RFC 9110 token characters: header names and unquoted parameter values.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// RFC 2046 bchars; a boundary of these can never contain CR or LF, which the delimiter search relies on.
bool is_bchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

struct Param {
  std::string_view name;
  std::string_view value;  // a quoted value without its quotes; backslash escapes are left as they are
  bool quoted = false;
};

// Parses `; a=b; c="d;e"` (what follows the media or disposition type) into `params`. False when malformed.
bool parse_params(std::string_view s, std::vector<Param>& params) {
  size_t i = 0;
  auto skip_space = [&] {
    while (i < s.size() && is_space(s[i])) ++i;
  };
  while (true) {
    skip_space();
    if (i == s.size()) return true;
    if (s[i] != ';') return false;
    ++i;
    skip_space();
    if (i == s.size()) return true;  // a trailing `;` is common enough to tolerate
    size_t name_start = i;
    while (i < s.size() && is_tchar(s[i])) ++i;
    Param p;
    p.name = s.substr(name_start, i - name_start);
    skip_space();
    if (p.name.empty() || i == s.size() || s[i] != '=') return false;
    ++i;
    skip_space();
    if (i < s.size() && s[i] == '"') {
      size_t start = ++i;
      while (i < s.size() && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
      if (i >= s.size()) return false;  // unterminated quoted string
      p.value = s.substr(start, i - start);
      p.quoted = true;
      ++i;
    } else {
      size_t start = i;
      while (i < s.size() && is_tchar(s[i])) ++i;
      p.value = s.substr(start, i - start);
      if (p.value.empty()) return false;
    }
    params.push_back(p);
  }
}

struct Delimiter {
  size_t content_end;  // where the preceding part's content ends (before the CRLF of the delimiter line)
  size_t next;         // first byte after the delimiter line
  bool close;          // `--boundary--`
};

// The next delimiter line at or after `from`: CRLF "--" boundary, then "--" (the close delimiter) or optional
// linear whitespace and CRLF. `at_start` also accepts one at `from` without the CRLF (the body's first line).
// Text that starts like a delimiter but continues otherwise (`--boundaryX`) is content, not a delimiter.
std::optional<Delimiter> find_delimiter(std::string_view body, size_t from,
                                        std::string_view crlf_dash_boundary, bool at_start) {
  const std::string_view dash_boundary = crlf_dash_boundary.substr(2);
  size_t pos = from;
  bool bare = at_start && body.substr(from).starts_with(dash_boundary);
  while (true) {
    size_t after;
    if (bare) {
      after = pos + dash_boundary.size();
    } else {
      pos = body.find(crlf_dash_boundary, pos);
      if (pos == std::string_view::npos) return std::nullopt;
      after = pos + crlf_dash_boundary.size();
    }
    if (body.substr(after, 2) == "--") return Delimiter{pos, after + 2, true};
    size_t i = after;
    while (i < body.size() && is_space(body[i])) ++i;
    if (body.substr(i, 2) == kCrlf) return Delimiter{pos, i + 2, false};
    if (!bare) ++pos;
    bare = false;
  }
}

common::Status part_error(size_t index, const std::string& what) {
  return common::invalid_argument("multipart body: part " + std::to_string(index) + ": " + what);
}

// Fills `part` from its header block (lines separated by CRLF, without the blank line that ends it).
common::Status parse_headers(std::string_view headers, size_t index, Part& part) {
  bool have_disposition = false;
  bool have_content_type = false;
  while (!headers.empty()) {
    size_t eol = headers.find(kCrlf);
    std::string_view line = headers.substr(0, eol);
    headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
    if (line.find_first_of("\r\n") != std::string_view::npos)
      return part_error(index, "bare CR or LF in headers");
    if (!line.empty() && is_space(line.front())) {
      return part_error(index, "folded header line (RFC 7578 forbids line folding)");
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return part_error(index, "header line without ':'");
    std::string_view name = line.substr(0, colon);
    if (name.empty()) return part_error(index, "empty header name");
    for (char c : name) {
      if (!is_tchar(c)) return part_error(index, "malformed header name");
    }
    std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "content-type")) {
      if (have_content_type) return part_error(index, "more than one Content-Type");
      have_content_type = true;
      part.content_type = value;
    } else if (iequals(name, "content-disposition")) {
      if (have_disposition) return part_error(index, "more than one Content-Disposition");
      have_disposition = true;
      size_t type_end = 0;
      while (type_end < value.size() && is_tchar(value[type_end])) ++type_end;
      if (!iequals(value.substr(0, type_end), "form-data")) {
        return part_error(index, "Content-Disposition is not form-data");
      }
      std::vector<Param> params;
      if (!parse_params(value.substr(type_end), params)) {
        return part_error(index, "malformed Content-Disposition parameters");
      }
      bool have_name = false;
      bool have_filename = false;
      for (const Param& p : params) {
        // A repeated parameter is ambiguous (which one did the sender mean?), so it is refused.
        if (iequals(p.name, "name")) {
          if (have_name) return part_error(index, "Content-Disposition repeats name");
          part.name = p.value;
          have_name = true;
        } else if (iequals(p.name, "filename")) {
          if (have_filename) return part_error(index, "Content-Disposition repeats filename");
          part.filename = p.value;
          have_filename = true;
        }
      }
    }
    // Other headers (Content-Transfer-Encoding, which RFC 7578 deprecates, …) are ignored.
  }
  if (!have_disposition) return part_error(index, "no Content-Disposition header");
  if (part.name.empty()) return part_error(index, "Content-Disposition has no name");
  return common::Status::ok();
}

}  // namespace

common::Result<std::string> boundary_from_content_type(std::string_view content_type) {
  std::string_view value = trim(content_type);
  size_t type_end = value.find(';');
  std::string_view media_type = trim(value.substr(0, type_end));
  if (!iequals(media_type, "multipart/form-data")) {
    return common::invalid_argument("Content-Type is '" + std::string(media_type) +
                                    "', expected multipart/form-data");
  }
  std::vector<Param> params;
  if (type_end != std::string_view::npos && !parse_params(value.substr(type_end), params)) {
    return common::invalid_argument("malformed parameters in the multipart/form-data Content-Type");
  }
  for (const Param& p : params) {
    if (!iequals(p.name, "boundary")) continue;
    std::string boundary;
    for (size_t i = 0; i < p.value.size(); ++i) {
      // Unescape a quoted-pair; the result is checked against bchars below anyway.
      if (p.quoted && p.value[i] == '\\' && i + 1 < p.value.size()) ++i;
      boundary += p.value[i];
    }
    if (boundary.empty() || boundary.size() > 70 || boundary.back() == ' ') {
      return common::invalid_argument("multipart boundary must be 1 to 70 characters, not ending in a space");
    }
    for (char c : boundary) {
      if (!is_bchar(c))
        return common::invalid_argument("multipart boundary has a character RFC 2046 forbids");
    }
    return boundary;
  }
  return common::invalid_argument("multipart/form-data Content-Type has no boundary parameter");
}

common::Result<std::vector<Part>> parse_multipart(std::string_view body, std::string_view boundary) {
  if (boundary.empty()) return common::invalid_argument("multipart boundary is empty");
  const std::string crlf_dash_boundary = "\r\n--" + std::string(boundary);

  auto first = find_delimiter(body, 0, crlf_dash_boundary, true);
  if (!first) return common::invalid_argument("multipart body: no delimiter line for the boundary");
  std::vector<Part> parts;
  if (first->close) return parts;

  size_t pos = first->next;
  while (true) {
    const size_t index = parts.size() + 1;
    auto end = find_delimiter(body, pos, crlf_dash_boundary, false);
    if (!end) return part_error(index, "missing closing delimiter (truncated body?)");
    std::string_view content = body.substr(pos, end->content_end - pos);

    Part part;
    std::string_view headers;
    if (content.starts_with(kCrlf)) {
      part.body = content.substr(2);  // no headers at all; parse_headers reports the missing disposition
    } else {
      size_t blank = content.find("\r\n\r\n");
      if (blank == std::string_view::npos) return part_error(index, "headers not ended by a blank line");
      headers = content.substr(0, blank);
      part.body = content.substr(blank + 4);
    }
    SLUICE_RETURN_IF_ERROR(parse_headers(headers, index, part));
    parts.push_back(part);
    if (end->close) return parts;
    pos = end->next;
  }
}

}  // namespace sluice::serve::multipart
