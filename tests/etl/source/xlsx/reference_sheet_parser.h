#pragma once
// A reference for the worksheet and shared-strings scanners, written the obvious way on top of expat: an
// element stack and a character-data handler that restate the rules in sheet_scanner.h and
// shared_strings.h. The differential test and the fuzz target feed both the same XML and compare what
// they read. Header-only so that the fuzz build (fuzz/run.sh) can use it without the test tree's CMake.
//
// The reference and the scanners share only the pure helpers that give attribute text its meaning
// (cell_ref.h, parse_cell_type); everything that finds and decodes text is independent.
#include <expat.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "etl/source/xlsx/cell_ref.h"
#include "etl/source/xlsx/scan_buffer.h"
#include "etl/source/xlsx/shared_strings.h"
#include "etl/source/xlsx/sheet_scanner.h"

namespace sluice::etl::xlsx::testing {

// What a parse gave, as text that a test can compare and print: one line per row ("row 3") and per cell
// ("  B t=s s=4 'text'"), or "malformed" (expat rejects the XML) / "error" (well-formed, but a row or cell
// attribute has no meaning).
struct ParseOutcome {
  enum class Kind { kOk, kMalformed, kError } kind = Kind::kOk;
  std::string dump;
};

inline std::string show_text(std::string_view text) {
  std::string out = "'";
  for (unsigned char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

inline std::string describe_cell(uint32_t column, CellType type, uint32_t style, std::string_view text) {
  return "  " + column_letters(static_cast<int>(column)) + " t=" + std::to_string(static_cast<int>(type)) +
         " s=" + std::to_string(style) + " " + show_text(text) + "\n";
}

// ---- the worksheet reference ----

class ReferenceSheetParser {
 public:
  static ParseOutcome parse(std::string_view xml) {
    ReferenceSheetParser self;
    std::unique_ptr<XML_ParserStruct, void (*)(XML_Parser)> parser(XML_ParserCreate("UTF-8"), XML_ParserFree);
    self.parser_ = parser.get();
    XML_SetUserData(parser.get(), &self);
    XML_SetElementHandler(parser.get(), &ReferenceSheetParser::on_start, &ReferenceSheetParser::on_end);
    XML_SetCharacterDataHandler(parser.get(), &ReferenceSheetParser::on_text);
    XML_SetStartDoctypeDeclHandler(parser.get(),
                                   [](void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
                                     auto* me = static_cast<ReferenceSheetParser*>(data);
                                     me->doctype_ = true;
                                     XML_StopParser(me->parser_, XML_FALSE);
                                   });
    const bool ok =
        XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE) == XML_STATUS_OK;
    ParseOutcome out;
    if (!ok && !self.semantic_error_)
      out.kind = ParseOutcome::Kind::kMalformed;
    else if (self.semantic_error_)
      out.kind = ParseOutcome::Kind::kError;
    out.dump = self.dump_;
    return out;
  }

 private:
  static std::string_view local(const char* name) {
    std::string_view n(name);
    const size_t colon = n.rfind(':');
    return colon == std::string_view::npos ? n : n.substr(colon + 1);
  }
  static const char* attr(const char** attrs, std::string_view name) {
    for (size_t i = 0; attrs[i] != nullptr; i += 2) {
      if (name == attrs[i]) return attrs[i + 1];
    }
    return nullptr;
  }

  void fail() {
    semantic_error_ = true;
    XML_StopParser(parser_, XML_FALSE);
  }

  void flush_cell() {
    if (!in_cell_) return;
    dump_ += describe_cell(column_, type_, style_, text_);
    in_cell_ = false;
  }

  static void XMLCALL on_start(void* data, const XML_Char* name, const XML_Char** attrs) {
    auto* me = static_cast<ReferenceSheetParser*>(data);
    me->stack_.emplace_back(local(name));
    const size_t depth = me->stack_.size();  // of the element just opened
    const std::string_view l = me->stack_.back();
    if (me->data_depth_ == 0) {
      if (!me->done_ && l == "sheetData") me->data_depth_ = depth;
      return;
    }
    if (depth == me->data_depth_ + 1 && l == "row") {
      uint64_t number = me->row_counter_ + 1;
      const char* r = attr(attrs, "r");
      if (r != nullptr && *r != '\0' && !parse_row_number(r, number)) return me->fail();
      me->row_counter_ = number;
      me->column_counter_ = -1;
      me->dump_ += "row " + std::to_string(number) + "\n";
    } else if (depth == me->data_depth_ + 2 && l == "c" && me->stack_[depth - 2] == "row") {
      const char* r = attr(attrs, "r");
      int64_t column = me->column_counter_ + 1;
      if (r != nullptr && *r != '\0') {
        column = column_of_reference(r);
        if (column < 0) return me->fail();
      } else if (column >= kMaxColumns) {
        return me->fail();
      }
      const char* t = attr(attrs, "t");
      const char* s = attr(attrs, "s");
      me->type_ = t ? parse_cell_type(t) : CellType::kNumber;
      me->style_ = 0;
      if (s != nullptr && !parse_style_index(s, me->style_)) return me->fail();
      me->column_counter_ = column;
      me->column_ = static_cast<uint32_t>(column);
      me->text_.clear();
      me->in_cell_ = true;
      me->cell_depth_ = depth;
    }
  }

  static void XMLCALL on_end(void* data, const XML_Char*) {
    auto* me = static_cast<ReferenceSheetParser*>(data);
    const size_t depth = me->stack_.size();
    if (me->in_cell_ && depth == me->cell_depth_) me->flush_cell();
    if (me->data_depth_ != 0 && depth == me->data_depth_) {
      me->data_depth_ = 0;
      me->done_ = true;
    }
    me->stack_.pop_back();
  }

  // Whether character data at the current depth belongs to the cell's value.
  bool collecting() const {
    if (!in_cell_) return false;
    const size_t rel = stack_.size() - cell_depth_;  // 1 = a child of <c>
    const auto at = [&](size_t r) -> const std::string& { return stack_[cell_depth_ - 1 + r]; };
    if (type_ != CellType::kInlineString) return rel == 1 && at(1) == "v";
    if (rel < 2 || at(1) != "is") return false;
    return (rel == 2 && at(2) == "t") || (rel == 3 && at(2) == "r" && at(3) == "t");
  }

  static void XMLCALL on_text(void* data, const XML_Char* s, int len) {
    auto* me = static_cast<ReferenceSheetParser*>(data);
    if (me->collecting()) me->text_.append(s, static_cast<size_t>(len));
  }

  XML_Parser parser_ = nullptr;
  std::vector<std::string> stack_;
  size_t data_depth_ = 0;  // stack depth of the open <sheetData>, or 0
  bool done_ = false, doctype_ = false, semantic_error_ = false;
  uint64_t row_counter_ = 0;
  int64_t column_counter_ = -1;
  bool in_cell_ = false;
  size_t cell_depth_ = 0;
  uint32_t column_ = 0, style_ = 0;
  CellType type_ = CellType::kNumber;
  std::string text_;
  std::string dump_;
};

// ---- the shared strings reference ----

class ReferenceSharedStringsParser {
 public:
  // One quoted line per <si> of the first <sst>.
  static ParseOutcome parse(std::string_view xml) {
    ReferenceSharedStringsParser self;
    std::unique_ptr<XML_ParserStruct, void (*)(XML_Parser)> parser(XML_ParserCreate("UTF-8"), XML_ParserFree);
    self.parser_ = parser.get();
    XML_SetUserData(parser.get(), &self);
    XML_SetElementHandler(
        parser.get(),
        [](void* data, const XML_Char* name, const XML_Char**) {
          auto* me = static_cast<ReferenceSharedStringsParser*>(data);
          me->stack_.emplace_back(local(name));
          const size_t depth = me->stack_.size();
          if (me->sst_depth_ == 0 && !me->done_ && me->stack_.back() == "sst")
            me->sst_depth_ = depth;
          else if (me->sst_depth_ != 0 && depth == me->sst_depth_ + 1 && me->stack_.back() == "si") {
            me->in_item_ = true;
            me->text_.clear();
          }
        },
        [](void* data, const XML_Char*) {
          auto* me = static_cast<ReferenceSharedStringsParser*>(data);
          const size_t depth = me->stack_.size();
          if (me->in_item_ && depth == me->sst_depth_ + 1) {
            me->dump_ += show_text(me->text_) + "\n";
            me->in_item_ = false;
          }
          if (me->sst_depth_ != 0 && depth == me->sst_depth_) {
            me->sst_depth_ = 0;
            me->done_ = true;
          }
          me->stack_.pop_back();
        });
    XML_SetCharacterDataHandler(parser.get(), [](void* data, const XML_Char* s, int len) {
      auto* me = static_cast<ReferenceSharedStringsParser*>(data);
      if (!me->in_item_) return;
      const size_t rel = me->stack_.size() - me->sst_depth_ - 1;  // 1 = a child of <si>
      const auto at = [&](size_t r) -> const std::string& { return me->stack_[me->sst_depth_ + r]; };
      if ((rel == 1 && at(1) == "t") || (rel == 2 && at(1) == "r" && at(2) == "t"))
        me->text_.append(s, static_cast<size_t>(len));
    });
    XML_SetStartDoctypeDeclHandler(
        parser.get(), [](void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
          XML_StopParser(static_cast<ReferenceSharedStringsParser*>(data)->parser_, XML_FALSE);
        });
    ParseOutcome out;
    if (XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE) != XML_STATUS_OK) {
      out.kind = ParseOutcome::Kind::kMalformed;
    }
    out.dump = self.dump_;
    return out;
  }

 private:
  static std::string local(const char* name) {
    std::string_view n(name);
    const size_t colon = n.rfind(':');
    return std::string(colon == std::string_view::npos ? n : n.substr(colon + 1));
  }
  XML_Parser parser_ = nullptr;
  std::vector<std::string> stack_;
  size_t sst_depth_ = 0;
  bool done_ = false, in_item_ = false;
  std::string text_, dump_;
};

// ---- the scanners, run the same way ----

// Runs SheetScanner over xml handed out chunk bytes at a time.
inline ParseOutcome scan_sheet(std::string_view xml, size_t chunk) {
  MemoryReader reader{std::string(xml), chunk};
  SheetScanner scanner(reader, "sheet.xml");
  SheetRow row;
  ParseOutcome out;
  for (;;) {
    auto more = scanner.next_row(row);
    if (!more.is_ok()) {
      out.kind = ParseOutcome::Kind::kError;
      out.dump += "error: " + more.status().message() + "\n";
      return out;
    }
    if (!*more) return out;
    out.dump += "row " + std::to_string(row.number) + "\n";
    for (const RawCell& cell : row.cells)
      out.dump += describe_cell(cell.column, cell.type, cell.style, row.text_of(cell));
  }
}

inline ParseOutcome scan_shared_strings(std::string_view xml, size_t chunk) {
  MemoryReader reader{std::string(xml), chunk};
  SharedStringsScanner scanner(reader, "sharedStrings.xml");
  std::string text;
  ParseOutcome out;
  for (;;) {
    text.clear();
    auto more = scanner.next(text);
    if (!more.is_ok()) {
      out.kind = ParseOutcome::Kind::kError;
      out.dump += "error: " + more.status().message() + "\n";
      return out;
    }
    if (!*more) return out;
    out.dump += show_text(text) + "\n";
  }
}

}  // namespace sluice::etl::xlsx::testing
