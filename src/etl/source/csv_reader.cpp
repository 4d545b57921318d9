#include "etl/source/csv_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string_view>
#include <utility>
#include <vector>

#include "etl/message_text.h"
#include "etl/source/header_names.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice::etl {
namespace internal {
namespace {

constexpr size_t kMinBufferBytes = 16;
// Rows read ahead to decide which columns are text, as many as the pipeline's type window.
constexpr uint64_t kCsvTypeWindowRows = 8192;

// First byte in [p, end) that can end an unquoted field (the delimiter, CR or LF), or end. Quotes inside an
// unquoted field are literal, so they need not stop the scan.
const char* find_field_end(const char* p, const char* end, char delimiter) {
#if defined(__SSE2__)
  const __m128i d = _mm_set1_epi8(delimiter), lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
  while (end - p >= 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hit =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, d), _mm_cmpeq_epi8(x, lf)), _mm_cmpeq_epi8(x, cr));
    const int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p < end && *p != delimiter && *p != '\n' && *p != '\r') ++p;
  return p;
}

// Line breaks in [begin, end) counted as the record parser counts them: LF, CRLF and a lone CR are one each.
uint64_t count_line_breaks(const char* begin, const char* end) {
  uint64_t n = 0;
  for (const char* p = begin; (p = static_cast<const char*>(std::memchr(p, '\n', end - p))) != nullptr; ++p) {
    ++n;
  }
  for (const char* p = begin; (p = static_cast<const char*>(std::memchr(p, '\r', end - p))) != nullptr; ++p) {
    if (p + 1 == end || p[1] != '\n') ++n;
  }
  return n;
}

// The first byte of [p, end) that is not part of well-formed UTF-8 (no overlongs, surrogates or code points
// above U+10FFFF), or end. Runs of ASCII are skipped eight bytes at a time.
const char* find_invalid_utf8(const char* p, const char* end) {
  while (p < end) {
    uint64_t word;
    if (end - p >= 8 && (std::memcpy(&word, p, 8), (word & 0x8080808080808080ULL) == 0)) {
      p += 8;
      continue;
    }
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    const auto left = end - p;
    if (u[0] < 0x80) {
      ++p;
      continue;
    }
    int len;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (u[0] >= 0xC2 && u[0] <= 0xDF) {
      len = 2;
    } else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
      len = 3;
      if (u[0] == 0xE0) lo = 0xA0;  // overlong
      if (u[0] == 0xED) hi = 0x9F;  // surrogates
    } else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
      len = 4;
      if (u[0] == 0xF0) lo = 0x90;  // overlong
      if (u[0] == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return p;
    }
    if (left < len || u[1] < lo || u[1] > hi) return p;
    for (int i = 2; i < len; ++i) {
      if ((u[i] & 0xC0) != 0x80) return p;
    }
    p += len;
  }
  return end;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Appends the typed value of one cell's text to column (see the typing rules in csv_reader.h).
void append_cell(std::vector<Value>& column, std::string_view s) {
  if (s.empty()) {
    column.emplace_back();
    return;
  }
  const char c = s[0];
  if (is_digit(c) || c == '-' || c == '+' || c == '.') {
    const size_t n = s.size();
    size_t i = (c == '-' || c == '+') ? 1 : 0;
    const size_t int_begin = i;
    while (i < n && is_digit(s[i])) ++i;
    const size_t int_digits = i - int_begin;
    if (i == n && int_digits > 0) {
      // Accumulate as unsigned so that -9223372036854775808 fits; larger magnitudes stay text as in pandas.
      const uint64_t limit = c == '-' ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
      uint64_t v = 0;
      bool fits = true;
      for (size_t k = int_begin; k < n && fits; ++k) {
        const uint64_t digit = static_cast<uint64_t>(s[k] - '0');
        if (v > (limit - digit) / 10) fits = false;
        v = v * 10 + digit;
      }
      if (fits) {
        column.emplace_back(std::in_place_type<int64_t>,
                            c == '-' ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v));
        return;
      }
    } else {
      size_t frac_digits = 0;
      if (i < n && s[i] == '.') {
        ++i;
        while (i < n && is_digit(s[i])) {
          ++i;
          ++frac_digits;
        }
      }
      bool ok = int_digits + frac_digits > 0;
      if (ok && i < n && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
        const size_t exp_begin = i;
        while (i < n && is_digit(s[i])) ++i;
        ok = i > exp_begin;
      }
      if (ok && i == n) {
        // from_chars takes no '+'; the syntax check above already excluded inf, nan and hex.
        double d;
        const char* first = s.data() + (c == '+' ? 1 : 0);
        const auto [end, ec] = std::from_chars(first, s.data() + n, d);
        if (ec == std::errc() && end == s.data() + n) {
          column.emplace_back(std::in_place_type<double>, d);
          return;
        }
      }
    }
  } else if (c == 'T' || c == 't' || c == 'F' || c == 'f') {
    if (s == "True" || s == "TRUE" || s == "true") {
      column.emplace_back(std::in_place_type<bool>, true);
      return;
    }
    if (s == "False" || s == "FALSE" || s == "false") {
      column.emplace_back(std::in_place_type<bool>, false);
      return;
    }
  }
  column.emplace_back(std::in_place_type<std::string>, s);
}

std::string describe_size(size_t bytes) {
  if (bytes % (size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

std::string describe_delimiter(char d) {
  if (d == '\t') return "tab";
  return std::string("'") + d + "'";
}

class CsvSource final : public Source {
 public:
  CsvSource(std::string path, const SourceOptions& options, int fd, uint64_t total_bytes, size_t buffer_bytes,
            size_t max_record_bytes)
      : path_(std::move(path)),
        options_(options),
        fd_(fd),
        total_bytes_(total_bytes),
        max_record_bytes_(max_record_bytes),
        buf_(std::max(buffer_bytes, kMinBufferBytes)) {}
  ~CsvSource() override { ::close(fd_); }
  CsvSource(const CsvSource&) = delete;
  CsvSource& operator=(const CsvSource&) = delete;

  // Reads up to and including the header record and builds the schema.
  common::Status read_header();

  const Schema& schema() const override { return schema_; }
  common::Result<bool> next(Batch& batch) override;
  // Reads the first kCsvTypeWindowRows rows ahead and decides which columns are text (kept as written).
  common::Status read_window();
  std::string location(const Field& field, uint64_t source_row) const override {
    return path_ + ":" + std::to_string(source_row) + " (column '" + field.name + "')";
  }
  uint64_t total_bytes() const override { return total_bytes_; }

 private:
  // A field of the record just parsed: a span of the read buffer (offset from the record's first byte) or,
  // when quotes had to be taken out of its middle, a span of scratch_.
  struct FieldSpan {
    size_t begin;
    size_t size;
    bool in_scratch;
    bool quoted;
  };
  enum class Parsed { kRecord, kNeedMore, kEnd, kError };

  // Parses one record at head_ into fields_; on kNeedMore nothing is consumed and the caller refills.
  Parsed parse_record();
  // Parses the next non-blank record, refilling the buffer as needed; false at the end of the file.
  common::Result<bool> next_record();
  common::Status refill();
  bool record_is_blank() const;
  // Member by member: building the struct on the stack and copying it stalls on store forwarding, which
  // cost half of the parse time.
  void add_field(size_t begin, size_t size, bool in_scratch, bool quoted) {
    FieldSpan& f = fields_.emplace_back();
    f.begin = begin;
    f.size = size;
    f.in_scratch = in_scratch;
    f.quoted = quoted;
  }
  std::string_view field(size_t i) const {
    const FieldSpan& f = fields_[i];
    return {(f.in_scratch ? scratch_.data() : record_) + f.begin, f.size};
  }
  std::string where(uint64_t line) const { return path_ + ":" + std::to_string(line) + ": "; }

  const std::string path_;
  const SourceOptions options_;
  const int fd_;
  const uint64_t total_bytes_;
  const size_t max_record_bytes_;

  std::vector<char> buf_;
  size_t head_ = 0;          // first unparsed byte in buf_
  size_t tail_ = 0;          // end of the data in buf_
  uint64_t buf_offset_ = 0;  // file offset of buf_[0]
  bool eof_ = false;         // the file has no bytes beyond tail_
  uint64_t line_ = 1;        // physical line on which the record at head_ starts

  const char* record_ = nullptr;  // first byte of the last parsed record, valid until the next refill
  uint64_t record_line_ = 0;
  std::vector<FieldSpan> fields_;
  std::string scratch_;

  // Fills batch with up to max_rows rows; raw_all: every cell as its text (for read_window).
  common::Result<bool> fill(Batch& batch, size_t max_rows, bool raw_all);

  Schema schema_;
  std::vector<bool> text_column_;  // decided by read_window(): cells kept as the text written
  std::deque<Batch> window_;       // rows read ahead by read_window(), handed out first
  common::Status failed_;          // sticky: once the input proved bad, every later next() says so again
};

CsvSource::Parsed CsvSource::parse_record() {
  const char delimiter = options_.delimiter;
  const char* const rec = buf_.data() + head_;
  const char* const end = buf_.data() + tail_;
  if (rec == end) return eof_ ? Parsed::kEnd : Parsed::kNeedMore;
  fields_.clear();
  scratch_.clear();
  uint64_t breaks = 0;  // line breaks inside quoted fields so far
  const char* p = rec;
  for (;;) {
    if (p < end && *p == '"') {
      const char* const content = ++p;
      bool in_scratch = false;
      size_t scratch_begin = 0;
      const char* close;
      for (;;) {
        const char* q = static_cast<const char*>(std::memchr(p, '"', end - p));
        if (q == nullptr) {
          if (!eof_) return Parsed::kNeedMore;
          failed_ = common::invalid_input(where(line_ + breaks) +
                                          "a quoted field that starts on this line has no closing quote "
                                          "before the end of the file");
          return Parsed::kError;
        }
        if (q + 1 == end && !eof_) return Parsed::kNeedMore;  // "" or a closing quote: the next byte says
        if (q + 1 < end && q[1] == '"') {
          if (!in_scratch) {
            in_scratch = true;
            scratch_begin = scratch_.size();
          }
          scratch_.append(p, q + 1 - p);
          p = q + 2;
          continue;
        }
        if (in_scratch) scratch_.append(p, q - p);
        close = q;
        p = q + 1;
        break;
      }
      breaks += count_line_breaks(content, close);
      if (p == end && !eof_) return Parsed::kNeedMore;
      if (p < end && *p != delimiter && *p != '\n' && *p != '\r') {
        // Text after the closing quote is kept, up to the end of the field, as Python's csv does.
        const char* field_end = find_field_end(p, end, delimiter);
        if (field_end == end && !eof_) return Parsed::kNeedMore;
        if (!in_scratch) {
          in_scratch = true;
          scratch_begin = scratch_.size();
          scratch_.append(content, close - content);
        }
        scratch_.append(p, field_end - p);
        p = field_end;
      }
      if (in_scratch) {
        add_field(scratch_begin, scratch_.size() - scratch_begin, true, true);
      } else {
        add_field(content - rec, close - content, false, true);
      }
    } else {
      const char* field_end = find_field_end(p, end, delimiter);
      if (field_end == end && !eof_) return Parsed::kNeedMore;
      add_field(p - rec, field_end - p, false, false);
      p = field_end;
    }
    // p is at a delimiter, a line break, or the end of the file.
    if (p < end && *p == delimiter) {
      ++p;
      continue;
    }
    if (p < end) {
      if (*p == '\r' && p + 1 == end && !eof_) return Parsed::kNeedMore;  // CR alone, or CRLF?
      p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
      ++breaks;
    }
    break;
  }
  if (const char* bad = find_invalid_utf8(rec, p); bad != p) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(*bad));
    failed_ = common::invalid_input(where(line_ + count_line_breaks(rec, bad)) + "invalid UTF-8 (byte " +
                                    byte + "); the file must be UTF-8 encoded (save it as 'CSV UTF-8')");
    return Parsed::kError;
  }
  record_ = rec;
  record_line_ = line_;
  line_ += breaks;
  head_ = p - buf_.data();
  return Parsed::kRecord;
}

common::Status CsvSource::refill() {
  if (eof_) return common::internal_error(path_ + ": CSV reader asked to read past the end of the file");
  if (head_ > 0) {
    std::memmove(buf_.data(), buf_.data() + head_, tail_ - head_);
    buf_offset_ += head_;
    tail_ -= head_;
    head_ = 0;
  }
  // A record longer than the whole buffer: grow it, doubling so that re-parsing the record stays linear.
  if (tail_ == buf_.size()) {
    if (buf_.size() >= max_record_bytes_) {
      return common::Status(common::Code::kResourceExhausted,
                            where(line_) + "the record that starts on this line is longer than " +
                                describe_size(max_record_bytes_) +
                                "; is a quote left open (a field that starts with '\"' must end with one)?");
    }
    buf_.resize(std::min(buf_.size() * 2, max_record_bytes_));
  }
  while (tail_ < buf_.size()) {
    const ssize_t n = ::read(fd_, buf_.data() + tail_, buf_.size() - tail_);
    if (n < 0) {
      if (errno == EINTR) continue;
      return common::unavailable(path_ + ": cannot read the file (" + std::strerror(errno) + ")");
    }
    if (n == 0) {
      eof_ = true;
      break;
    }
    tail_ += static_cast<size_t>(n);
  }
  return common::Status::ok();
}

bool CsvSource::record_is_blank() const {
  if (fields_.size() != 1 || fields_[0].quoted) return false;
  for (char c : field(0)) {
    if (c != ' ' && c != '\t') return false;
  }
  return true;
}

common::Result<bool> CsvSource::next_record() {
  if (!failed_.is_ok()) return failed_;
  for (;;) {
    switch (parse_record()) {
      case Parsed::kRecord:
        if (record_is_blank()) continue;
        return true;
      case Parsed::kNeedMore:
        if (common::Status st = refill(); !st.is_ok()) {
          failed_ = st;
          return st;
        }
        continue;
      case Parsed::kEnd:
        return false;
      case Parsed::kError:
        return failed_;
    }
  }
}

common::Status CsvSource::read_header() {
  SLUICE_RETURN_IF_ERROR(refill());
  if (tail_ >= 3 && std::memcmp(buf_.data(), "\xEF\xBB\xBF", 3) == 0) head_ = 3;
  for (int record = 1;; ++record) {
    common::Result<bool> got = next_record();
    if (!got.is_ok()) return got.status();
    if (!got.value()) {
      if (record == 1) return common::invalid_input(path_ + ": the file is empty (no header row)");
      return common::invalid_input(path_ + ": the header row is record " +
                                   std::to_string(options_.header_row) + ", but the file has only " +
                                   std::to_string(record - 1) + " non-blank record(s)");
    }
    if (record == options_.header_row) break;
  }
  std::vector<std::string> names;
  names.reserve(fields_.size());
  for (size_t i = 0; i < fields_.size(); ++i) {
    names.emplace_back(field(i));
    if (names.back().find('\0') != std::string::npos) {
      return common::invalid_input(where(record_line_) + "header field " + std::to_string(i + 1) + " " +
                                   quote_text(names.back()) +
                                   " holds a NUL character (U+0000), which a column name cannot hold");
    }
  }
  names = normalise_header_names(std::move(names));
  for (size_t i = 0; i < names.size(); ++i) {
    schema_.push_back({std::move(names[i]), ColumnType::kUnknown, std::to_string(i + 1)});
  }
  return common::Status::ok();
}

common::Status CsvSource::read_window() {
  uint64_t rows = 0;
  while (rows < kCsvTypeWindowRows) {
    Batch batch;
    auto more = fill(
        batch, static_cast<size_t>(std::min<uint64_t>(options_.batch_rows, kCsvTypeWindowRows - rows)), true);
    if (!more.is_ok()) return more.status();
    rows += batch.num_rows();
    if (batch.num_rows() > 0) window_.push_back(std::move(batch));
    if (!*more) break;
  }
  // pandas keeps a column's text as written when its cells are not all numbers or all booleans.
  const size_t columns = schema_.size();
  text_column_.assign(columns, false);
  std::vector<Value> typed;
  for (size_t c = 0; c < columns; ++c) {
    bool number = false, boolean = false, text = false;
    for (const Batch& batch : window_) {
      for (const Value& v : batch.columns[c]) {
        const auto* raw = std::get_if<std::string>(&v);
        if (raw == nullptr) continue;
        typed.clear();
        append_cell(typed, *raw);
        const ColumnType t = type_of(typed.back());
        number = number || t == ColumnType::kInt || t == ColumnType::kDouble;
        boolean = boolean || t == ColumnType::kBool;
        text = text || t == ColumnType::kText;
      }
    }
    text_column_[c] = text || (number && boolean);
    if (text_column_[c]) continue;
    for (Batch& batch : window_) {
      typed.clear();
      for (const Value& v : batch.columns[c]) {
        if (const auto* raw = std::get_if<std::string>(&v)) {
          append_cell(typed, *raw);
        } else {
          typed.emplace_back();
        }
      }
      batch.columns[c] = std::move(typed);
      typed = {};
    }
  }
  return common::Status::ok();
}

common::Result<bool> CsvSource::next(Batch& batch) {
  if (!window_.empty()) {
    batch = std::move(window_.front());
    window_.pop_front();
    return true;
  }
  return fill(batch, options_.batch_rows, false);
}

common::Result<bool> CsvSource::fill(Batch& batch, size_t max_rows, bool raw_all) {
  const size_t columns = schema_.size();
  batch.columns.resize(columns);
  for (auto& column : batch.columns) column.clear();
  batch.source_rows.clear();
  while (batch.source_rows.size() < max_rows) {
    common::Result<bool> got = next_record();
    if (!got.is_ok()) return got.status();
    if (!got.value()) break;
    bool all_empty = true;
    for (const FieldSpan& f : fields_) all_empty = all_empty && f.size == 0;
    if (all_empty) continue;
    if (fields_.size() > columns) {
      failed_ =
          common::invalid_input(where(record_line_) + "expected " + std::to_string(columns) +
                                " fields (as in the header row), saw " + std::to_string(fields_.size()) +
                                "; a field that contains the delimiter (" +
                                describe_delimiter(options_.delimiter) + ") must be quoted");
      return failed_;
    }
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (raw_all || text_column_[i]) {
        const std::string_view text = field(i);
        if (text.empty()) {
          batch.columns[i].emplace_back();
        } else {
          batch.columns[i].emplace_back(std::in_place_type<std::string>, text);
        }
      } else {
        append_cell(batch.columns[i], field(i));
      }
    }
    for (size_t i = fields_.size(); i < columns; ++i) batch.columns[i].emplace_back();
    batch.source_rows.push_back(record_line_);
  }
  batch.bytes_consumed = buf_offset_ + head_;
  return batch.num_rows() > 0;
}

}  // namespace

common::Result<std::unique_ptr<Source>> open_csv_with_buffer(const std::string& path,
                                                             const SourceOptions& options,
                                                             size_t buffer_bytes, size_t max_record_bytes) {
  const char d = options.delimiter;
  if (d == '"' || d == '\r' || d == '\n' || d == '\0' || static_cast<unsigned char>(d) >= 0x80) {
    return common::invalid_argument(path +
                                    ": the CSV delimiter must be a single ASCII character other than a "
                                    "quote or a line break");
  }
  if (options.header_row < 1) {
    return common::invalid_argument(path + ": the header row must be 1 or more (got " +
                                    std::to_string(options.header_row) + ")");
  }
  if (options.batch_rows < 1) return common::invalid_argument(path + ": batch_rows must be 1 or more");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return common::not_found(path + ": cannot open file (" + std::strerror(errno) + ")");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    return common::invalid_argument(path + ": not a file");
  }
  const uint64_t total = S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0;
  auto source = std::make_unique<CsvSource>(path, options, fd, total, buffer_bytes, max_record_bytes);
  SLUICE_RETURN_IF_ERROR(source->read_header());
  SLUICE_RETURN_IF_ERROR(source->read_window());
  return std::unique_ptr<Source>(std::move(source));
}

common::Result<std::unique_ptr<Source>> open_csv(const std::string& path, const SourceOptions& options) {
  return open_csv_with_buffer(path, options, kCsvReadBufferBytes);
}

}  // namespace internal
}  // namespace sluice::etl
