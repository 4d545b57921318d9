#include "etl/source/xlsx/cell_value.h"

#include <charconv>
#include <cmath>

#include "etl/message_text.h"
#include "etl/source/xlsx/ooxml_escape.h"

namespace sluice::etl::xlsx {

namespace {

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Digits with an optional sign, within int64.
bool parse_int64(std::string_view s, int64_t& out) {
  const bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > (negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1)) return false;
  out = negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

bool parse_double(std::string_view s, double& out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// int64 when v is integral and fits, else double: pandas's int(v) == v test.
Value number_value(double v) {
  if (v == std::trunc(v) && v >= -9223372036854775808.0 && v < 9223372036854775808.0) {
    return static_cast<int64_t>(v);
  }
  return v;
}

// Sets out to text, reusing the string out already holds (a Batch slot from the previous batch) so that
// steady-state reading allocates nothing for strings.
void set_string(Value& out, std::string_view text) {
  if (auto* s = std::get_if<std::string>(&out)) {
    s->clear();  // then append: a plain copy into the capacity the string has (assign takes a slower path)
    s->append(text.data(), text.size());
  } else {
    out.emplace<std::string>(text);
  }
}

void set_text(Value& out, std::string_view text) {
  if (text.empty()) {
    out = std::monostate{};
  } else if (!may_hold_escapes(text)) {
    set_string(out, text);
  } else {
    std::string decoded;
    append_unescaped(text, decoded);
    set_string(out, decoded);
  }
}

// A shared string index as writers spell it: plain digits.
bool parse_index(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  out = v;
  return true;
}

// Reads n digits at s[i] into v, advancing i.
bool digits(std::string_view s, size_t& i, size_t n, unsigned& v) {
  if (i + n > s.size()) return false;
  v = 0;
  for (size_t k = 0; k < n; ++k, ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

}  // namespace

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool excel_serial_to_datetime(double serial, bool date1904, NumberKind kind, DateTime& out) {
  if (!std::isfinite(serial) || std::fabs(serial) > 1e8) return false;
  double day = std::floor(serial);
  // The same arithmetic as openpyxl's round(fraction * SECS_PER_DAY * 1000): round half to even.
  const int64_t ms = static_cast<int64_t>(std::nearbyint((serial - day) * 86400.0 * 1000.0));
  if (kind == NumberKind::kTime) {
    out = {(ms % 86400000) * 1000, DateTime::Kind::kTime};  // the time of day, as Excel shows h:mm
    return true;
  }
  if (kind == NumberKind::kDuration) {
    // Whole days are kept: a [h]:mm:ss duration of 26 hours is 26:00:00, not 02:00:00.
    const int64_t total = static_cast<int64_t>(day) * 86400000 + ms;
    if (total < 0) return false;
    out = {total * 1000, DateTime::Kind::kTime};
    return true;
  }
  if (!date1904 && serial > 0 && serial < 60) day += 1;
  static const int64_t kEpoch1900 = days_from_civil(1899, 12, 30);
  static const int64_t kEpoch1904 = days_from_civil(1904, 1, 1);
  static const int64_t kMinDay = days_from_civil(1, 1, 1);
  static const int64_t kMaxDay = days_from_civil(9999, 12, 31);
  const int64_t days = (date1904 ? kEpoch1904 : kEpoch1900) + static_cast<int64_t>(day);
  if (days < kMinDay || days > kMaxDay) return false;
  out = {days * kMicrosPerDay + ms * 1000, DateTime::Kind::kDateTime};
  return true;
}

bool parse_iso8601(std::string_view s, DateTime& out) {
  size_t i = 0;
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int64_t micros = 0;
  bool has_date = false, has_time = false;
  if (s.size() >= 10 && s[4] == '-') {
    if (!digits(s, i, 4, year) || s[i++] != '-' || !digits(s, i, 2, month) || s[i++] != '-' ||
        !digits(s, i, 2, day) || month < 1 || month > 12 || day < 1 || day > 31 || year < 1) {
      return false;
    }
    has_date = true;
  }
  if (i < s.size() && s[i] == 'T') ++i;
  if (i < s.size() && s[i] != 'Z') {
    if (!digits(s, i, 2, hour) || i >= s.size() || s[i++] != ':' || !digits(s, i, 2, minute)) return false;
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!digits(s, i, 2, second)) return false;
      if (i < s.size() && s[i] == '.') {
        ++i;
        int64_t scale = 100000;
        const size_t first = i;
        for (; i < s.size() && s[i] >= '0' && s[i] <= '9' && i - first < 6; ++i, scale /= 10) {
          micros += (s[i] - '0') * scale;
        }
        if (i == first) return false;
      }
    }
    if (hour > 23 || minute > 59 || second > 59) return false;
    has_time = true;
  }
  if (i < s.size() && s[i] == 'Z') ++i;
  if (i != s.size() || (!has_date && !has_time)) return false;
  const int64_t time = ((hour * 60 + minute) * 60 + second) * int64_t{1000000} + micros;
  if (!has_date) {
    out = {time, DateTime::Kind::kTime};
  } else {
    const int64_t days = days_from_civil(year, month, day);
    out = {days * kMicrosPerDay + time, has_time ? DateTime::Kind::kDateTime : DateTime::Kind::kDate};
  }
  return true;
}

bool convert_cell_slow(const RawCell& cell, std::string_view text, const CellContext& context, Value& out,
                       std::string& problem) {
  switch (cell.type) {
    case CellType::kNumber: {
      const std::string_view t =
          text.empty() || (text.front() > ' ' && text.back() > ' ') ? text : trim(text);
      if (t.empty()) {
        out = std::monostate{};
        return true;
      }
      NumberKind kind = NumberKind::kNumber;
      if (cell.style < context.style_kinds->size()) {
        kind = (*context.style_kinds)[cell.style];
      }
      int64_t i;
      if (kind == NumberKind::kNumber && parse_int64(t, i)) {
        out = i;
        return true;
      }
      double v;
      if (!parse_double(t, v)) {
        problem = quote_text(text) + " is not a number";
        return false;
      }
      if (kind == NumberKind::kNumber) {
        out = number_value(v);
      } else if (DateTime dt; excel_serial_to_datetime(v, context.date1904, kind, dt)) {
        out = dt;
      } else {
        out = std::monostate{};
      }
      return true;
    }
    case CellType::kSharedString: {
      uint64_t index;
      const size_t size = context.shared_strings->size();
      if (trim(text).empty()) {
        // <c t="s"/> or <v/>: a cell with no value, as openpyxl reads it (Excel writes these).
        out = std::monostate{};
        return true;
      }
      if (!parse_index(text, index) && !parse_index(trim(text), index)) index = UINT64_MAX;
      if (index >= size) {
        problem = "shared string index " + quote_text(text) + " is not in the shared strings table (" +
                  std::to_string(size) + " strings)";
        return false;
      }
      const std::string_view s = context.shared_strings->get(static_cast<size_t>(index));
      if (s.empty()) {
        out = std::monostate{};
      } else {
        set_string(out, s);
      }
      return true;
    }
    case CellType::kString:
    case CellType::kInlineString:
    case CellType::kUnknown:
      set_text(out, text);
      return true;
    case CellType::kBool: {
      const std::string_view t = trim(text);
      int64_t i;
      if (t.empty())
        out = std::monostate{};
      else if (parse_int64(t, i))
        out = i != 0;
      else if (t == "true" || t == "TRUE")
        out = true;
      else if (t == "false" || t == "FALSE")
        out = false;
      else {
        problem = quote_text(text) + " is not a boolean (expected 0 or 1)";
        return false;
      }
      return true;
    }
    case CellType::kError:
      out = std::monostate{};
      return true;
    case CellType::kDate: {
      if (text.empty()) {
        out = std::monostate{};
        return true;
      }
      DateTime dt;
      if (!parse_iso8601(trim(text), dt)) {
        problem = quote_text(text) + " is not an ISO 8601 date or time";
        return false;
      }
      out = dt;
      return true;
    }
  }
  out = std::monostate{};
  return true;
}

}  // namespace sluice::etl::xlsx
