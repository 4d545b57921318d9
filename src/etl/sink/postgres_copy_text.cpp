#include "etl/sink/postgres_copy_text.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "etl/message_text.h"

namespace sluice::etl::internal {
namespace {

enum class TextProblem { kNone, kNul, kInvalidUtf8 };

// Length of the well-formed UTF-8 sequence starting at p (whose first byte is >= 0x80), or 0. The rules of
// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF, which is what PostgreSQL accepts.
size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end) {
  const unsigned char c = *p;
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (static_cast<size_t>(end - p) < n || p[1] < lo || p[1] > hi) return 0;
  for (size_t i = 2; i < n; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
  }
  return n;
}

TextProblem escape_text(std::string_view text, std::string& out) {
  const size_t start = out.size();
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  const auto* run = p;  // start of the bytes not yet copied
  while (p < end) {
    // Eight plain bytes at a time (ASCII, not a control character, not a backslash): the common case.
    if (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
      const uint64_t below_space = (w - kOnes * 0x20) & ~w;  // high bit set where a byte < 0x20
      const uint64_t backslash = ((w ^ (kOnes * '\\')) - kOnes) & ~(w ^ (kOnes * '\\'));
      if (((w | below_space | backslash) & kHighs) == 0) {
        p += 8;
        continue;
      }
    }
    const unsigned char c = *p;
    if (c >= 0x80) {
      const size_t n = utf8_sequence_length(p, end);
      if (n == 0) {
        out.resize(start);
        return TextProblem::kInvalidUtf8;
      }
      p += n;
      continue;
    }
    if (c == '\\' || c == '\t' || c == '\n' || c == '\r' || c == '\0') {
      if (c == '\0') {
        out.resize(start);
        return TextProblem::kNul;
      }
      out.append(reinterpret_cast<const char*>(run), p - run);
      out += '\\';
      out += c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
      run = ++p;
      continue;
    }
    ++p;
  }
  out.append(reinterpret_cast<const char*>(run), end - run);
  return TextProblem::kNone;
}

template <typename T>
void append_number(T value, std::string& out) {
  char buf[32];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, ptr);
}

// 0001-01-01 00:00:00, the first instant PostgreSQL's TIMESTAMP can be written as (earlier ones need "BC").
constexpr int64_t kYearOneMicros = -62135596800LL * 1000000;

}  // namespace

const char* postgres_sql_type(ColumnType type) {
  switch (type) {
    case ColumnType::kInt:
      return "BIGINT";
    case ColumnType::kDouble:
      return "DOUBLE PRECISION";
    case ColumnType::kBool:
      return "BOOLEAN";
    case ColumnType::kDateTime:
      return "TIMESTAMP WITHOUT TIME ZONE";
    case ColumnType::kTime:
      return "TIME WITHOUT TIME ZONE";
    case ColumnType::kText:
    case ColumnType::kUnknown:
      return "TEXT";
  }
  return "TEXT";
}

bool append_copy_text(const std::string& text, std::string& out) {
  return escape_text(text, out) == TextProblem::kNone;
}

common::Status CopyTextEncoder::append_row(const Batch& batch, size_t r, std::string& out) const {
  const size_t start = out.size();
  for (size_t c = 0; c < schema_.size(); ++c) {
    if (c) out += '\t';
    const Value& v = batch.columns[c][r];
    const ColumnType type = schema_[c].type;
    if (is_null(v)) {
      out += "\\N";
      continue;
    }
    common::Status bad;
    switch (type) {
      case ColumnType::kInt:
        if (const auto* i = std::get_if<int64_t>(&v)) {
          append_number(*i, out);
        } else if (const auto* d = std::get_if<double>(&v);
                   d && std::trunc(*d) == *d && std::fabs(*d) < 9.2e18) {
          append_number(static_cast<int64_t>(*d), out);
        } else if (d && std::isnan(*d)) {
          out += "\\N";
        } else {
          bad = reject(batch, r, c, quote_text(to_text(v)) + " is not an integer");
        }
        break;
      case ColumnType::kDouble:
        if (const auto* d = std::get_if<double>(&v)) {
          if (std::isnan(*d)) {
            out += "\\N";  // pandas writes NaN as NULL
          } else if (std::isinf(*d)) {
            out += *d > 0 ? "Infinity" : "-Infinity";
          } else {
            append_number(*d, out);
          }
        } else if (const auto* i = std::get_if<int64_t>(&v)) {
          append_number(*i, out);
        } else {
          bad = reject(batch, r, c, quote_text(to_text(v)) + " is not a number");
        }
        break;
      case ColumnType::kBool:
        if (const auto* b = std::get_if<bool>(&v)) {
          out += *b ? 't' : 'f';
        } else {
          bad = reject(batch, r, c, quote_text(to_text(v)) + " is not a boolean");
        }
        break;
      case ColumnType::kDateTime:
        if (const auto* dt = std::get_if<DateTime>(&v); dt && dt->kind != DateTime::Kind::kTime) {
          if (dt->micros < kYearOneMicros) {
            bad = reject(batch, r, c, format_datetime(*dt) + " is before year 1");
          } else {
            out += format_datetime(*dt);
          }
        } else if (dt) {
          bad = reject(batch, r, c,
                       "a time of day without a date (" + format_datetime(*dt) + ") cannot be stored");
        } else {
          bad = reject(batch, r, c, quote_text(to_text(v)) + " is not a date and time");
        }
        break;
      case ColumnType::kTime:
        if (const auto* dt = std::get_if<DateTime>(&v); dt && dt->kind == DateTime::Kind::kTime) {
          if (dt->micros < 0 || dt->micros >= int64_t{86400} * 1000000) {
            bad = reject(
                batch, r, c,
                "the duration " + format_datetime(*dt) + " does not fit PostgreSQL's time (under 24 hours)");
          } else {
            out += format_datetime(*dt);
          }
        } else {
          bad = reject(batch, r, c, quote_text(to_text(v)) + " is not a time");
        }
        break;
      case ColumnType::kText:
      case ColumnType::kUnknown: {
        const auto* s = std::get_if<std::string>(&v);
        const TextProblem problem = s ? escape_text(*s, out) : escape_text(to_text(v), out);
        if (problem == TextProblem::kNul) {
          bad = reject(batch, r, c, "the text holds a NUL byte (\\0), which PostgreSQL cannot store in TEXT");
        } else if (problem == TextProblem::kInvalidUtf8) {
          bad = reject(batch, r, c, "the text is not valid UTF-8");
        }
        break;
      }
    }
    if (!bad.is_ok()) {
      out.resize(start);
      return bad;
    }
  }
  out += '\n';
  return {};
}

common::Status CopyTextEncoder::reject(const Batch& batch, size_t r, size_t c, const std::string& why) const {
  std::string where = "column '" + schema_[c].name + "' (" + postgres_sql_type(schema_[c].type) + ")";
  if (r < batch.source_rows.size()) where += ", input row " + std::to_string(batch.source_rows[r]);
  return common::invalid_input(where + ": " + why);
}

}  // namespace sluice::etl::internal
