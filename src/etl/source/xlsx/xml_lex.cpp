#include "etl/source/xlsx/xml_lex.h"

namespace sluice::etl::xlsx {

namespace {

const char* find(const char* p, const char* end, std::string_view needle) {
  if (p >= end) return nullptr;
  return static_cast<const char*>(memmem(p, static_cast<size_t>(end - p), needle.data(), needle.size()));
}

// True when [p, end) could still grow into a string starting with prefix.
bool could_start(const char* p, const char* end, std::string_view prefix) {
  const size_t n = static_cast<size_t>(end - p);
  return n < prefix.size() && std::memcmp(p, prefix.data(), n) == 0;
}

bool is_xml_char(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// Decodes the reference [amp, semi] ("&amp;", "&#65;", "&#x41;"), appending its text.
bool append_reference(const char* amp, const char* semi, std::string& out, LexError& err) {
  const std::string_view name(amp + 1, static_cast<size_t>(semi - amp - 1));
  if (name.empty()) {
    err = {amp, "empty entity reference"};
    return false;
  }
  if (name[0] != '#') {
    char c = 0;
    if (name == "amp")
      c = '&';
    else if (name == "lt")
      c = '<';
    else if (name == "gt")
      c = '>';
    else if (name == "quot")
      c = '"';
    else if (name == "apos")
      c = '\'';
    if (c == 0) {
      err = {amp, "unknown entity (only &amp; &lt; &gt; &quot; &apos; and character references)"};
      return false;
    }
    out.push_back(c);
    return true;
  }
  const bool hex = name.size() > 1 && name[1] == 'x';
  const std::string_view digits = name.substr(hex ? 2 : 1);
  uint32_t cp = 0;
  bool ok = !digits.empty();
  for (char d : digits) {
    uint32_t v;
    if (d >= '0' && d <= '9')
      v = static_cast<uint32_t>(d - '0');
    else if (hex && d >= 'a' && d <= 'f')
      v = static_cast<uint32_t>(d - 'a' + 10);
    else if (hex && d >= 'A' && d <= 'F')
      v = static_cast<uint32_t>(d - 'A' + 10);
    else {
      ok = false;
      break;
    }
    cp = cp * (hex ? 16 : 10) + v;
    if (cp > 0x10FFFF) {
      ok = false;
      break;
    }
  }
  if (!ok || !is_xml_char(cp)) {
    err = {amp, "invalid character reference"};
    return false;
  }
  append_utf8(cp, out);
  return true;
}

// Shared by text and attribute values: in attributes, whitespace becomes a space (XML 1.0 section 3.3.3).
template <bool kAttribute>
bool decode(const char* b, const char* e, std::string& out, LexError& err) {
  while (b < e) {
    const char* s = b;
    if constexpr (kAttribute) {
      while (s < e && *s != '&' && *s != '\r' && *s != '\n' && *s != '\t') ++s;
    } else {
      while (s < e && *s != '&' && *s != '\r') ++s;
    }
    out.append(b, static_cast<size_t>(s - b));
    if (s == e) return true;
    if (*s == '&') {
      const char* semi = static_cast<const char*>(std::memchr(s + 1, ';', static_cast<size_t>(e - s - 1)));
      if (semi == nullptr) {
        err = {s, "unterminated entity reference"};
        return false;
      }
      if (!append_reference(s, semi, out, err)) return false;
      b = semi + 1;
      continue;
    }
    out.push_back(kAttribute ? ' ' : '\n');
    b = s + 1;
    if (*s == '\r' && b < e && *b == '\n') ++b;
  }
  return true;
}

}  // namespace

const char* scan_end_tag(const char* p, const char* end, std::string_view& local, LexError& err) {
  using namespace lex_detail;
  const char* name = p + 2;
  const char* q = scan_name(name, end);
  if (q == end) return nullptr;
  if (q == name) {
    err = {p, "expected an element name after '</'"};
    return nullptr;
  }
  local = local_name(std::string_view(name, static_cast<size_t>(q - name)));
  q = skip_space(q, end);
  if (q == end) return nullptr;
  if (*q != '>') {
    err = {q, "expected '>' to close an end tag"};
    return nullptr;
  }
  return q + 1;
}

const char* scan_markup(const char* p, const char* end, const char*& cdata_begin, const char*& cdata_end,
                        LexError& err) {
  cdata_begin = cdata_end = nullptr;
  if (end - p < 2) return nullptr;
  if (p[1] == '?') {
    const char* close = find(p + 2, end, "?>");
    return close ? close + 2 : nullptr;
  }
  if (could_start(p, end, "<!--") || could_start(p, end, "<![CDATA[")) return nullptr;
  if (end - p >= 4 && std::memcmp(p, "<!--", 4) == 0) {
    const char* close = find(p + 4, end, "-->");
    return close ? close + 3 : nullptr;
  }
  if (end - p >= 9 && std::memcmp(p, "<![CDATA[", 9) == 0) {
    const char* close = find(p + 9, end, "]]>");
    if (close == nullptr) return nullptr;
    cdata_begin = p + 9;
    cdata_end = close;
    return close + 3;
  }
  err = {p, "a DOCTYPE or other markup declaration (not allowed in a workbook part)"};
  return nullptr;
}

bool append_text(const char* b, const char* e, std::string& out, LexError& err) {
  return decode<false>(b, e, out, err);
}

void append_cdata(const char* b, const char* e, std::string& out) {
  while (b < e) {
    const char* cr = static_cast<const char*>(std::memchr(b, '\r', static_cast<size_t>(e - b)));
    if (cr == nullptr) {
      out.append(b, static_cast<size_t>(e - b));
      return;
    }
    out.append(b, static_cast<size_t>(cr - b));
    out.push_back('\n');
    b = cr + 1;
    if (b < e && *b == '\n') ++b;
  }
}

bool decode_attribute(std::string_view raw, std::string& out, LexError& err) {
  return decode<true>(raw.data(), raw.data() + raw.size(), out, err);
}

void append_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace sluice::etl::xlsx
