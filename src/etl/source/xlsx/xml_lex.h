#pragma once
// Byte-level XML lexing for the worksheet and shared-strings scanners: tags, attributes, character data,
// comments, processing instructions and CDATA, over a window [p, end) of a part's bytes. Not a general XML
// parser: it checks only what it needs to find its way, and it matches elements by local name (the part after
// the last ':'), so <x:row> is a row whatever the prefix.
//
// Every scan function returns the position after what it read, or nullptr when it stopped: with err.what set
// on malformed input, else because the window ended first (the caller refills and scans the item again).
// On input that expat accepts as well-formed, the text these functions deliver is exactly expat's: entities
// and character references decoded, CDATA kept raw, line ends (\r\n, \r) turned into \n, and in attribute
// values tabs and line ends turned into spaces. Documents with a DTD are refused, since a DTD could declare
// entities (and entity expansion attacks).
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sluice::etl::xlsx {

struct LexError {
  const char* at = nullptr;    // where in the window the problem is
  const char* what = nullptr;  // static text, e.g. "unknown entity"
};

// The part of a qualified name after its last ':'.
inline std::string_view local_name(std::string_view qname) {
  const size_t colon = qname.rfind(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

inline bool is_xml_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// Scans a start tag at p ('<' followed by a name), calling on_attr(name, raw_value) for each attribute with
// the value as written between its quotes (see decode_attribute). Sets the element's local name and whether
// the tag is self-closing ("<x/>").
template <typename OnAttr>
const char* scan_start_tag(const char* p, const char* end, std::string_view& local, bool& self_closing,
                           LexError& err, OnAttr&& on_attr);

// Scans an end tag at p ("</name>"), setting the element's local name.
const char* scan_end_tag(const char* p, const char* end, std::string_view& local, LexError& err);

// Scans a comment, processing instruction or CDATA section at p ("<!" or "<?"). For a CDATA section,
// cdata_begin/cdata_end are set to its content, else both are nullptr. A DOCTYPE is an error.
const char* scan_markup(const char* p, const char* end, const char*& cdata_begin, const char*& cdata_end,
                        LexError& err);

// Appends the character data [b, e) (no markup inside) to out, decoded. False (with err set) on a bad
// reference.
bool append_text(const char* b, const char* e, std::string& out, LexError& err);
// Appends CDATA content [b, e): raw but for line-end normalisation.
void append_cdata(const char* b, const char* e, std::string& out);
// Decodes an attribute value as written, as expat reports it. False (with err set) on a bad reference.
bool decode_attribute(std::string_view raw, std::string& out, LexError& err);
// True when raw needs decode_attribute (it holds '&', a tab or a line end), else it reads as written.
inline bool attribute_needs_decoding(std::string_view raw) {
  for (char c : raw) {
    if (c == '&' || c == '\n' || c == '\r' || c == '\t') return true;
  }
  return false;
}

// Nonzero when one of the eight bytes of x (little-endian) is c; the lowest set bit marks the first such
// byte exactly (the classic has-zero-byte test: borrows only spill into higher bytes).
inline uint64_t swar_has_byte(uint64_t x, unsigned char c) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
  const uint64_t y = x ^ (kOnes * c);
  return (y - kOnes) & ~y & kHighs;
}

// The first '<', '&' or '\r' in [p, end), or end: where plain character data stops. Eight bytes at a time,
// because values are short and of varying length, which makes a byte loop mispredict its exit every time.
inline const char* find_text_stop(const char* p, const char* end) {
  while (end - p >= 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    if (const uint64_t m = swar_has_byte(x, '<') | swar_has_byte(x, '&') | swar_has_byte(x, '\r'); m != 0) {
      return p + (__builtin_ctzll(m) >> 3);
    }
    p += 8;
  }
  while (p < end && *p != '<' && *p != '&' && *p != '\r') ++p;
  return p;
}

// Appends code point cp as UTF-8.
void append_utf8(uint32_t cp, std::string& out);

// ---- implementation of the template ----

namespace lex_detail {
// Bytes that end a name inside a tag: whitespace, '/', '>', '=', '<', quotes, and NUL for safety.
constexpr std::array<bool, 256> make_name_stop() {
  std::array<bool, 256> t{};
  for (unsigned char c : {' ', '\t', '\n', '\r', '/', '>', '=', '<', '"', '\'', '\0'}) t[c] = true;
  return t;
}
inline constexpr std::array<bool, 256> kNameStop = make_name_stop();
inline const char* skip_space(const char* p, const char* end) {
  while (p < end && is_xml_space(*p)) ++p;
  return p;
}
inline const char* scan_name(const char* p, const char* end) {
  while (p < end && !kNameStop[static_cast<unsigned char>(*p)]) ++p;
  return p;
}
}  // namespace lex_detail

template <typename OnAttr>
const char* scan_start_tag(const char* p, const char* end, std::string_view& local, bool& self_closing,
                           LexError& err, OnAttr&& on_attr) {
  using namespace lex_detail;
  const char* name = p + 1;
  const char* q = scan_name(name, end);
  if (q == end) return nullptr;
  if (q == name) {
    err = {p, "expected an element name after '<'"};
    return nullptr;
  }
  local = local_name(std::string_view(name, static_cast<size_t>(q - name)));
  for (;;) {
    q = skip_space(q, end);
    if (q == end) return nullptr;
    if (*q == '>') {
      self_closing = false;
      return q + 1;
    }
    if (*q == '/') {
      if (q + 1 == end) return nullptr;
      if (q[1] != '>') {
        err = {q, "expected '>' after '/' in a tag"};
        return nullptr;
      }
      self_closing = true;
      return q + 2;
    }
    const char* attr = q;
    q = scan_name(q, end);
    if (q == end) return nullptr;
    if (q == attr) {
      err = {q, "expected an attribute name"};
      return nullptr;
    }
    const std::string_view attr_name(attr, static_cast<size_t>(q - attr));
    q = skip_space(q, end);
    if (q == end) return nullptr;
    if (*q != '=') {
      err = {q, "expected '=' after an attribute name"};
      return nullptr;
    }
    q = skip_space(q + 1, end);
    if (q == end) return nullptr;
    if (*q != '"' && *q != '\'') {
      err = {q, "expected a quoted attribute value"};
      return nullptr;
    }
    const char* value = q + 1;
    const char* close = static_cast<const char*>(std::memchr(value, *q, static_cast<size_t>(end - value)));
    if (close == nullptr) return nullptr;
    on_attr(attr_name, std::string_view(value, static_cast<size_t>(close - value)));
    q = close + 1;
  }
}

}  // namespace sluice::etl::xlsx
