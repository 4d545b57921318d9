#include "etl/source/xlsx/shared_strings.h"

#include <algorithm>
#include <cstring>

#include "etl/source/xlsx/element_text.h"
#include "etl/source/xlsx/ooxml_escape.h"

namespace sluice::etl::xlsx {

SharedStringsScanner::SharedStringsScanner(ByteReader& reader, std::string part_name)
    : part_(std::move(part_name)), buf_(reader) {}

common::Result<bool> SharedStringsScanner::next(std::string& text) {
  for (;;) {
    switch (scan(text)) {
      case Step::kItem:
        return true;
      case Step::kEnd:
        return false;
      case Step::kError:
        return error_status();
      case Step::kNeedMore:
        break;
    }
    bool at_end = false;
    SLUICE_RETURN_IF_ERROR(more_input(at_end));
    if (at_end) return false;
  }
}

namespace {
// Undoes _xHHHH_ escapes in the string being built, then ends it; fails when it breaks a limit.
common::Status finish_string(SharedStrings& table, std::string& scratch, const std::string& part) {
  const std::string_view text = table.pending();
  if (text.size() > kMaxStringBytes) {
    return common::Status(common::Code::kResourceExhausted,
                          part + ": shared string " + std::to_string(table.size()) + " is " +
                              std::to_string(text.size()) + " bytes long, more than the limit of " +
                              std::to_string(kMaxStringBytes >> 20) + " MiB for one string");
  }
  if (table.arena().size() > kMaxSharedStringsBytes) {
    return common::Status(common::Code::kResourceExhausted,
                          part + ": the shared strings hold more than the limit of " +
                              std::to_string(kMaxSharedStringsBytes >> 20) + " MiB of text (at string " +
                              std::to_string(table.size()) + ")");
  }
  if (may_hold_escapes(text)) {
    scratch.assign(text);
    table.arena().resize(table.arena().size() - text.size());
    append_unescaped(scratch, table.arena());
  }
  table.end_string();
  return common::Status::ok();
}
}  // namespace

common::Status SharedStringsScanner::read_all(SharedStrings& table, uint64_t size_hint) {
  std::string scratch;
  bool reserved = false;
  for (;;) {
    const Step step = scan(table.arena());
    if (step == Step::kItem) {
      if (!reserved) {
        // Text is never longer than the XML that holds it, and an item takes at least 5 bytes (<si/>).
        const uint64_t bytes = std::min<uint64_t>(size_hint, kMaxSharedStringsBytes);
        std::string first(table.pending());
        table.arena().resize(table.arena().size() - first.size());
        table.reserve(std::min<uint64_t>(declared_count_, bytes / 5), bytes);
        table.arena().append(first);
        reserved = true;
      }
      SLUICE_RETURN_IF_ERROR(finish_string(table, scratch, part_));
      // Most tables are long runs of plain items: read those here, without a round trip through scan().
      const char* p = buf_.pos();
      for (const char* q; (q = scan_simple_item(p, buf_.end(), table.arena())) != nullptr; p = q) {
        SLUICE_RETURN_IF_ERROR(finish_string(table, scratch, part_));
      }
      buf_.consume_to(p);
    } else if (step == Step::kEnd) {
      return common::Status::ok();
    } else if (step == Step::kError) {
      return error_status();
    } else {
      bool at_end = false;
      SLUICE_RETURN_IF_ERROR(more_input(at_end));
      if (at_end) return common::Status::ok();
    }
  }
}

common::Status SharedStringsScanner::error_status() const {
  return common::invalid_input(part_ + ": malformed XML at byte " + std::to_string(buf_.offset_of(err_.at)) +
                               ": " + err_.what);
}

common::Status SharedStringsScanner::more_input(bool& at_end) {
  if (buf_.at_eof()) {
    if (state_ == State::kProlog) {
      state_ = State::kDone;  // no <sst>: no strings
      at_end = true;
      return common::Status::ok();
    }
    return common::invalid_input(part_ + ": malformed XML at byte " +
                                 std::to_string(buf_.offset_of(buf_.end())) +
                                 ": the part ends inside <sst> (truncated or corrupt)");
  }
  if (common::Status st = buf_.refill(); !st.is_ok())
    return common::Status(st.code(), part_ + ": " + st.message());
  return common::Status::ok();
}

const char* SharedStringsScanner::scan_simple_item(const char* p, const char* end, std::string& text) {
  constexpr std::string_view kOpen = "<si><t>", kClose = "</t></si>";
  if (static_cast<size_t>(end - p) < kOpen.size() || std::memcmp(p, kOpen.data(), kOpen.size()) != 0)
    return nullptr;
  const char* b = p + kOpen.size();
  const char* e = find_text_stop(b, end);
  if (static_cast<size_t>(end - e) < kClose.size() || std::memcmp(e, kClose.data(), kClose.size()) != 0)
    return nullptr;
  text.append(b, static_cast<size_t>(e - b));
  return e + kClose.size();
}

SharedStringsScanner::Step SharedStringsScanner::scan(std::string& text) {
  const char* p = buf_.pos();
  const char* const end = buf_.end();
  for (;; buf_.consume_to(p)) {
    if (state_ == State::kDone) return Step::kEnd;
    if (p == end || *p != '<') {
      const char* lt = static_cast<const char*>(std::memchr(p, '<', static_cast<size_t>(end - p)));
      if (lt == nullptr) {
        buf_.consume_to(end);
        return Step::kNeedMore;
      }
      p = lt;
      buf_.consume_to(p);
    }
    if (end - p < 2) return Step::kNeedMore;
    const char* q;
    if (state_ == State::kTable && (q = scan_simple_item(p, end, text)) != nullptr) {
      buf_.consume_to(q);
      return Step::kItem;
    }
    if (p[1] == '!' || p[1] == '?') {
      const char *cdata_begin, *cdata_end;
      q = scan_markup(p, end, cdata_begin, cdata_end, err_);
    } else if (p[1] == '/') {
      std::string_view local;
      q = scan_end_tag(p, end, local, err_);
      if (q != nullptr && state_ == State::kTable) {
        buf_.consume_to(q);
        state_ = State::kDone;  // well-formedness makes this </sst>
        return Step::kEnd;
      }
    } else {
      std::string_view local;
      bool self_closing = false;
      std::string_view count, unique_count;
      q = scan_start_tag(p, end, local, self_closing, err_,
                         [&](std::string_view name, std::string_view value) {
                           if (name == "count") count = value;
                           if (name == "uniqueCount") unique_count = value;
                         });
      if (q == nullptr) {
      } else if (state_ == State::kProlog) {
        if (local == "sst") {
          state_ = self_closing ? State::kDone : State::kTable;
          for (std::string_view v : {unique_count, count}) {
            uint64_t n = 0;
            for (char c : v) n = (c >= '0' && c <= '9' && n < (uint64_t{1} << 40)) ? n * 10 + (c - '0') : 0;
            if (declared_count_ == 0) declared_count_ = n;
          }
        }
      } else if (!self_closing) {
        const bool item = local == "si";
        std::string& out = item ? text : skipped_;
        const size_t before = item ? text.size() : 0;
        if (!item) skipped_.clear();
        q = scan_element_text(q, end, item ? TextPlan::kRichText : TextPlan::kNone, out, err_);
        if (q != nullptr && item) {
          buf_.consume_to(q);
          return Step::kItem;
        }
        if (item) text.resize(before);  // scanned again after a refill
      } else if (local == "si") {
        buf_.consume_to(q);
        return Step::kItem;  // <si/>: an empty string
      }
    }
    if (q == nullptr) return err_.what != nullptr ? Step::kError : Step::kNeedMore;
    p = q;
  }
}

common::Result<SharedStrings> read_shared_strings(ByteReader& reader, const std::string& part_name,
                                                  uint64_t size_hint) {
  SharedStringsScanner scanner(reader, part_name);
  SharedStrings table;
  SLUICE_RETURN_IF_ERROR(scanner.read_all(table, size_hint));
  return table;
}

}  // namespace sluice::etl::xlsx
