#include "etl/sink/mysql_text.h"

#include <charconv>
#include <cmath>

namespace sluice::etl::internal {

std::string mysql_quote_identifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

const char* mysql_column_type(ColumnType type) {
  switch (type) {
    case ColumnType::kInt:
      return "BIGINT";
    case ColumnType::kDouble:
      return "DOUBLE";
    case ColumnType::kBool:
      return "BOOL";
    case ColumnType::kDateTime:
      return "DATETIME";
    case ColumnType::kTime:
      return "TIME(6)";  // up to 838:59:59, so durations of days fit
    case ColumnType::kText:
    case ColumnType::kUnknown:
      return "TEXT";
  }
  return "TEXT";
}

std::string mysql_datetime_text(const DateTime& dt) {
  return format_datetime(dt);  // a kTime as HH:MM:SS, hours beyond 24 for durations
}

void append_double(std::string& out, double value) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, ec == std::errc() ? end : buf);
}

namespace {

// The characters LOAD DATA would otherwise read as structure (tab, newline), as an escape (backslash), or
// that a text protocol may mangle (NUL, carriage return).
constexpr bool needs_escape(unsigned char c) {
  return c == '\t' || c == '\n' || c == '\\' || c == '\0' || c == '\r';
}

void append_infile_text(std::string& out, std::string_view text) {
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (!needs_escape(c)) continue;
    out.append(text.data() + start, i - start);
    out += '\\';
    switch (c) {
      case '\t':
        out += 't';
        break;
      case '\n':
        out += 'n';
        break;
      case '\r':
        out += 'r';
        break;
      case '\0':
        out += '0';
        break;
      default:
        out += '\\';
        break;
    }
    start = i + 1;
  }
  out.append(text.data() + start, text.size() - start);
}

}  // namespace

common::Status append_infile_rows(const Schema& schema, const Batch& batch, std::string& out) {
  const size_t rows = batch.num_rows();
  const size_t cols = batch.columns.size();
  char digits[24];
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cols; ++c) {
      if (c) out += '\t';
      const Value& value = batch.columns[c][r];
      switch (value.index()) {
        case 1: {
          const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, std::get<int64_t>(value));
          out.append(digits, end);
          break;
        }
        case 2: {
          const double d = std::get<double>(value);
          if (std::isnan(d)) {
            out += "\\N";
          } else if (std::isinf(d)) {
            return common::invalid_input(
                "column '" + (c < schema.size() ? schema[c].name : std::to_string(c + 1)) + "', source row " +
                std::to_string(r < batch.source_rows.size() ? batch.source_rows[r] : 0) +
                ": an infinite number cannot be stored in MySQL/MariaDB");
          } else {
            append_double(out, d);
          }
          break;
        }
        case 3:
          out += std::get<bool>(value) ? '1' : '0';
          break;
        case 4:
          append_infile_text(out, std::get<std::string>(value));
          break;
        case 5:
          out += mysql_datetime_text(std::get<DateTime>(value));
          break;
        default:
          out += "\\N";
          break;
      }
    }
    out += '\n';
  }
  return {};
}

}  // namespace sluice::etl::internal
