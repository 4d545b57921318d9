#pragma once
// The shared strings table (xl/sharedStrings.xml): the text of every <si>, which string cells (t="s") refer
// to by index. It is the one part of a workbook read whole, because any cell may refer to any string; it is
// held compactly, all texts back to back in one arena with an offset per string.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "etl/source/xlsx/scan_buffer.h"
#include "etl/source/xlsx/xml_lex.h"

namespace sluice::etl::xlsx {

// Limits that keep a hostile or broken workbook from taking the machine's memory: one string (a shared
// string, or a cell's own text) may hold at most kMaxStringBytes (Excel's own limit is 32,767 characters,
// under 128 KiB), and the whole shared strings table at most kMaxSharedStringsBytes of text. Beyond either,
// reading fails with kResourceExhausted naming the part and the item.
inline constexpr size_t kMaxStringBytes = size_t{64} << 20;
inline constexpr size_t kMaxSharedStringsBytes = size_t{1} << 30;

class SharedStrings {
 public:
  size_t size() const { return offsets_.size() - 1; }
  // The i-th string; i < size().
  std::string_view get(size_t i) const {
    return {arena_.data() + offsets_[i], static_cast<size_t>(offsets_[i + 1] - offsets_[i])};
  }
  void add(std::string_view text) {
    arena_.append(text);
    offsets_.push_back(arena_.size());
  }
  // For building in place: append the next string's text to arena(), then call end_string().
  std::string& arena() { return arena_; }
  void end_string() { offsets_.push_back(arena_.size()); }
  // The text appended to arena() since the last end_string().
  std::string_view pending() const { return std::string_view(arena_).substr(offsets_.back()); }
  void reserve(size_t strings, size_t bytes) {
    offsets_.reserve(strings + 1);
    arena_.reserve(bytes);
  }
  size_t memory_bytes() const { return arena_.capacity() + offsets_.capacity() * sizeof(uint64_t); }

 private:
  std::string arena_;
  std::vector<uint64_t> offsets_{0};
};

// Streams the <si> items of a shared strings part (the first <sst> element, matched by local name), giving
// each one's text as the sheet scanner gives an inline string's: t and r/t runs, phonetic rPh excluded,
// entities and CDATA decoded, _xHHHH_ escapes kept.
class SharedStringsScanner {
 public:
  SharedStringsScanner(ByteReader& reader, std::string part_name);
  // Appends the next item's text to text (which it does not clear); false after the last. Errors
  // (kInvalidInput) name the part and byte.
  common::Result<bool> next(std::string& text);
  // The <sst uniqueCount> (or count) attribute once the <sst> tag is read; 0 when absent.
  uint64_t declared_count() const { return declared_count_; }
  // Reads every remaining item into table, decoding _xHHHH_ escapes; size_hint as for read_shared_strings.
  common::Status read_all(SharedStrings& table, uint64_t size_hint);

 private:
  enum class State : uint8_t { kProlog, kTable, kDone };
  enum class Step : uint8_t { kItem, kEnd, kNeedMore, kError };
  Step scan(std::string& text);
  // What to do when scan() needs more input: refill, or fail when the part ended early.
  common::Status more_input(bool& at_end);
  common::Status error_status() const;
  // <si><t>plain text</t></si>, read without the general walker; nullptr when the item has another shape.
  const char* scan_simple_item(const char* p, const char* end, std::string& text);

  std::string part_;
  ScanBuffer buf_;
  State state_ = State::kProlog;
  uint64_t declared_count_ = 0;
  LexError err_;
  std::string skipped_;
};

// Reads a whole shared strings part into a table, decoding _xHHHH_ escapes. size_hint (the part's
// uncompressed size, or 0) lets the arena be allocated once: untouched capacity costs address space only.
common::Result<SharedStrings> read_shared_strings(ByteReader& reader, const std::string& part_name,
                                                  uint64_t size_hint);

}  // namespace sluice::etl::xlsx
