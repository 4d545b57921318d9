#include "etl/source/xlsx/sheet_scanner.h"

#include <array>
#include <cstring>

#include "etl/message_text.h"
#include "etl/source/xlsx/cell_ref.h"
#include "etl/source/xlsx/element_text.h"
#include "etl/source/xlsx/xml_lex.h"

namespace sluice::etl::xlsx {

CellType parse_cell_type(std::string_view t) {
  switch (t.size()) {
    case 0:
      return CellType::kNumber;
    case 1:
      switch (t[0]) {
        case 'n':
          return CellType::kNumber;
        case 's':
          return CellType::kSharedString;
        case 'b':
          return CellType::kBool;
        case 'e':
          return CellType::kError;
        case 'd':
          return CellType::kDate;
      }
      return CellType::kUnknown;
    case 3:
      return t == "str" ? CellType::kString : CellType::kUnknown;
    case 9:
      return t == "inlineStr" ? CellType::kInlineString : CellType::kUnknown;
    default:
      return CellType::kUnknown;
  }
}

// The r, t and s attributes of a tag, as written.
struct SheetScanner::TagAttributes {
  std::string_view r, t, s;
  bool has_r = false, has_t = false, has_s = false;
  void operator()(std::string_view name, std::string_view value) {
    if (name.size() != 1) return;
    switch (name[0]) {
      case 'r':
        r = value, has_r = true;
        break;
      case 't':
        t = value, has_t = true;
        break;
      case 's':
        s = value, has_s = true;
        break;
    }
  }
};

namespace {

// Bytes that end a double-quoted attribute value in the fast path, or make it need decoding.
constexpr std::array<bool, 256> make_value_stop() {
  std::array<bool, 256> t{};
  for (unsigned char c : {'"', '&', '<', '\t', '\n', '\r'}) t[c] = true;
  return t;
}
constexpr std::array<bool, 256> kValueStop = make_value_stop();

// Skips plain attributes (name="value" with nothing to decode) up to the end of a start tag. Returns the
// position after '>' or "/>", or nullptr when the tag has another shape or runs past the window.
inline const char* skip_plain_attributes(const char* q, const char* end, bool& self_closing) {
  for (;;) {
    if (q >= end) return nullptr;
    if (*q == '>') {
      self_closing = false;
      return q + 1;
    }
    if (*q == '/') {
      if (q + 1 >= end || q[1] != '>') return nullptr;
      self_closing = true;
      return q + 2;
    }
    if (*q != ' ') return nullptr;
    ++q;
    while (q < end && !lex_detail::kNameStop[static_cast<unsigned char>(*q)]) ++q;
    if (end - q < 2 || q[0] != '=' || q[1] != '"') return nullptr;
    q += 2;
    while (q < end && !kValueStop[static_cast<unsigned char>(*q)]) ++q;
    if (q >= end || *q != '"') return nullptr;
    ++q;
  }
}

}  // namespace

void SheetRow::own_texts() {
  for (RawCell& cell : cells) {
    if (cell.text_data == nullptr) continue;
    cell.text_begin = static_cast<uint32_t>(text.size());
    text.append(cell.text_data, cell.text_size);
    cell.text_data = nullptr;
  }
}

SheetScanner::SheetScanner(ByteReader& reader, std::string part_name)
    : part_(std::move(part_name)), buf_(reader) {}

common::Result<bool> SheetScanner::next_row(SheetRow& row) {
  row.clear();
  for (;;) {
    switch (scan(row)) {
      case Step::kRow:
        return true;
      case Step::kEnd:
        return false;
      case Step::kError:
        return error_status();
      case Step::kNeedMore:
        break;
    }
    if (buf_.at_eof()) {
      if (state_ == State::kProlog) {
        state_ = State::kDone;  // no <sheetData>: a sheet without cells
        return false;
      }
      err_ = {buf_.end(), "the part ends inside <sheetData> (truncated or corrupt)"};
      return error_status();
    }
    row.own_texts();
    if (common::Status st = buf_.refill(); !st.is_ok()) {
      return common::Status(st.code(), part_ + ": " + st.message());
    }
  }
}

common::Status SheetScanner::error_status() const {
  std::string message =
      part_ + ": malformed XML at byte " + std::to_string(buf_.offset_of(err_.at)) + ": " + err_.what;
  if (!bad_value_.empty()) message += " " + quote_text(bad_value_);
  return common::invalid_input(std::move(message));
}

std::string_view SheetScanner::attribute(std::string_view raw, std::string& scratch) {
  if (!attribute_needs_decoding(raw)) return raw;
  scratch.clear();
  LexError ignored;
  // A bad reference leaves a value that no attribute check accepts, so the cell is refused below.
  if (!decode_attribute(raw, scratch, ignored)) scratch.assign("&");
  return scratch;
}

SheetScanner::Step SheetScanner::scan(SheetRow& row) {
  const char* p = buf_.pos();
  const char* const end = buf_.end();
  for (;; buf_.consume_to(p)) {
    if (state_ == State::kDone) return Step::kEnd;
    if (p == end || *p != '<') {
      const char* lt = static_cast<const char*>(std::memchr(p, '<', static_cast<size_t>(end - p)));
      if (lt == nullptr) {
        buf_.consume_to(end);  // character data between rows and cells means nothing
        return Step::kNeedMore;
      }
      p = lt;
      buf_.consume_to(p);
    }
    if (end - p < 3) return Step::kNeedMore;
    const char* q;
    if (state_ == State::kRow) {
      if (p[1] == 'c' && (p[2] == ' ' || p[2] == '>' || p[2] == '/') &&
          (q = scan_simple_cell(p, end, row)) != nullptr) {
        p = q;
        continue;
      }
      if (end - p >= 6 && std::memcmp(p, "</row>", 6) == 0) {
        buf_.consume_to(p + 6);
        state_ = State::kSheetData;
        return Step::kRow;
      }
    } else if (state_ == State::kSheetData && (q = scan_simple_row(p, end, row)) != nullptr) {
      if (state_ == State::kSheetData) {  // <row .../>
        buf_.consume_to(q);
        return Step::kRow;
      }
      p = q;
      continue;
    }
    if (p[1] == '!' || p[1] == '?') {
      const char *cdata_begin, *cdata_end;
      q = scan_markup(p, end, cdata_begin, cdata_end, err_);
    } else if (p[1] == '/') {
      std::string_view local;
      q = scan_end_tag(p, end, local, err_);
      if (q != nullptr && state_ != State::kProlog) {
        // Well-formedness guarantees that this closes the row, or the sheetData.
        buf_.consume_to(q);
        if (state_ == State::kRow) {
          state_ = State::kSheetData;
          return Step::kRow;
        }
        state_ = State::kDone;
        return Step::kEnd;
      }
    } else {
      std::string_view local;
      bool self_closing = false;
      TagAttributes attrs;
      q = scan_start_tag(p, end, local, self_closing, err_, attrs);
      if (q == nullptr) return err_.what != nullptr ? Step::kError : Step::kNeedMore;
      if (state_ == State::kProlog) {
        if (local == "sheetData") state_ = self_closing ? State::kDone : State::kSheetData;
      } else if (state_ == State::kRow && local == "c") {
        q = scan_cell(p, q, end, attrs, self_closing, row);
      } else if (state_ == State::kSheetData && local == "row") {
        uint64_t number = row_counter_ + 1;
        const std::string_view r = attrs.has_r ? attribute(attrs.r, scratch_) : std::string_view();
        if (!r.empty() && !parse_row_number(r, number)) {
          err_ = {p, "invalid row number"};
          bad_value_ = r;
          return Step::kError;
        }
        row_counter_ = number;
        column_counter_ = -1;
        row.clear();
        row.number = number;
        if (self_closing) {
          buf_.consume_to(q);
          return Step::kRow;
        }
        state_ = State::kRow;
      } else if (!self_closing) {
        skipped_.clear();  // an element that holds no cells: skipped whole
        q = scan_element_text(q, end, TextPlan::kNone, skipped_, err_);
      }
    }
    if (q == nullptr) return err_.what != nullptr ? Step::kError : Step::kNeedMore;
    p = q;
  }
}

const char* SheetScanner::scan_simple_row(const char* p, const char* end, SheetRow& row) {
  constexpr std::string_view kOpen = "<row r=\"";
  if (static_cast<size_t>(end - p) < kOpen.size() || std::memcmp(p, kOpen.data(), kOpen.size()) != 0)
    return nullptr;
  const char* q = p + kOpen.size();
  uint64_t number = 0;
  const char* digits = q;
  for (; q < end && static_cast<unsigned char>(*q - '0') < 10 && q - digits < 12; ++q)
    number = number * 10 + (*q - '0');
  if (q >= end || *q != '"' || number == 0 || *digits == '0') return nullptr;
  bool self_closing;
  q = skip_plain_attributes(q + 1, end, self_closing);
  if (q == nullptr) return nullptr;
  row.clear();
  row.number = row_counter_ = number;
  column_counter_ = -1;
  if (!self_closing) state_ = State::kRow;
  return q;
}

__attribute__((flatten)) const char* SheetScanner::scan_simple_cell(const char* p, const char* end,
                                                                    SheetRow& row) {
  RawCell cell;
  int64_t column = column_counter_ + 1;
  const char* q = p + 2;  // after "<c"
  bool self_closing;
  for (;;) {
    if (q >= end) return nullptr;
    if (*q == '>') {
      self_closing = false;
      ++q;
      break;
    }
    if (*q == '/') {
      if (q + 1 >= end || q[1] != '>') return nullptr;
      self_closing = true;
      q += 2;
      break;
    }
    if (*q != ' ' || end - q < 4) return nullptr;
    const char name = q[1];
    if (q[2] == '=' && q[3] == '"' && (name == 'r' || name == 't' || name == 's')) {
      // r, t or s as every writer spells them: upper-case column letters and a row number; a type; digits.
      q += 4;
      const char* value = q;
      if (name == 'r') {
        int64_t c = 0;
        for (; q < end && static_cast<unsigned char>(*q - 'A') < 26 && q - value < 4; ++q)
          c = c * 26 + (*q - 'A' + 1);
        if (q == value || q - value > 3 || c > kMaxColumns || q >= end || *q == '0') return nullptr;
        const char* digits = q;
        while (q < end && static_cast<unsigned char>(*q - '0') < 10) ++q;
        if (q == digits) return nullptr;
        column = c - 1;
      } else if (name == 's') {
        uint64_t style = 0;
        for (; q < end && static_cast<unsigned char>(*q - '0') < 10 && q - value < 9; ++q)
          style = style * 10 + (*q - '0');
        cell.style = static_cast<uint32_t>(style);
      } else {
        while (q < end && *q != '"' && *q != '&' && *q != '<') ++q;
        if (q - value == 1 && *value == 's') {
          cell.type = CellType::kSharedString;
        } else {
          cell.type = parse_cell_type(std::string_view(value, static_cast<size_t>(q - value)));
          if (cell.type == CellType::kInlineString) return nullptr;
        }
      }
      if (q >= end || *q != '"') return nullptr;
      ++q;
      continue;
    }
    // Any other attribute (cm, vm, ph): skipped when plain.
    const char* name_end = q + 1;
    while (name_end < end && !lex_detail::kNameStop[static_cast<unsigned char>(*name_end)]) ++name_end;
    if (name_end - q == 2 && (name == 'r' || name == 't' || name == 's')) return nullptr;  // r = "..." etc.
    q = name_end;
    if (end - q < 2 || q[0] != '=' || q[1] != '"') return nullptr;
    q += 2;
    while (q < end && !kValueStop[static_cast<unsigned char>(*q)]) ++q;
    if (q >= end || *q != '"') return nullptr;
    ++q;
  }
  if (column >= kMaxColumns) return nullptr;
  const char* text = q;
  const char* text_end = q;
  if (!self_closing) {
    if (end - q >= 4 && std::memcmp(q, "</c>", 4) == 0) {
      q += 4;
    } else {
      if (end - q < 3 || std::memcmp(q, "<v>", 3) != 0) return nullptr;
      text = q + 3;
      text_end = find_text_stop(text, end);
      if (end - text_end < 8 || std::memcmp(text_end, "</v></c>", 8) != 0) return nullptr;
      q = text_end + 8;
    }
  }
  cell.column = static_cast<uint32_t>(column);
  cell.text_size = static_cast<uint32_t>(text_end - text);
  cell.text_data = text;  // used in place; SheetRow::own_texts copies it before the window moves
  row.cells.push_back(cell);
  column_counter_ = column;
  return q;
}

const char* SheetScanner::scan_cell(const char* tag, const char* p, const char* end,
                                    const TagAttributes& attrs, bool self_closing, SheetRow& row) {
  RawCell cell;
  int64_t column = column_counter_ + 1;
  const std::string_view r = attrs.has_r ? attribute(attrs.r, scratch_) : std::string_view();
  if (!r.empty()) {
    column = column_of_reference(r);
    if (column < 0) {
      err_ = {tag, "invalid cell reference"};
      bad_value_ = r;
      return nullptr;
    }
  } else if (column >= kMaxColumns) {
    err_ = {tag, "more cells in a row than Excel's 16384 columns"};
    return nullptr;
  }
  cell.column = static_cast<uint32_t>(column);
  cell.type = attrs.has_t ? parse_cell_type(attribute(attrs.t, scratch_)) : CellType::kNumber;
  if (attrs.has_s) {
    const std::string_view s = attribute(attrs.s, scratch_);
    if (!parse_style_index(s, cell.style)) {
      err_ = {tag, "invalid style index"};
      bad_value_ = s;
      return nullptr;
    }
  }
  const size_t text_begin = row.text.size();
  if (!self_closing) {
    const char* q = scan_element_text(
        p, end, cell.type == CellType::kInlineString ? TextPlan::kInlineString : TextPlan::kCellValue,
        row.text, err_);
    if (q == nullptr) {
      row.text.resize(text_begin);  // scanned again after a refill
      return nullptr;
    }
    p = q;
  }
  if (row.text.size() > UINT32_MAX) {
    err_ = {tag, "a row holds more than 4 GiB of text"};
    return nullptr;
  }
  cell.text_begin = static_cast<uint32_t>(text_begin);
  cell.text_size = static_cast<uint32_t>(row.text.size() - text_begin);
  row.cells.push_back(cell);
  column_counter_ = column;
  return p;
}

}  // namespace sluice::etl::xlsx
