#include "etl/batch.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

namespace sluice::etl {

const char* column_type_name(ColumnType type) {
  switch (type) {
    case ColumnType::kUnknown:
      return "unknown";
    case ColumnType::kInt:
      return "integer";
    case ColumnType::kDouble:
      return "float";
    case ColumnType::kBool:
      return "boolean";
    case ColumnType::kText:
      return "text";
    case ColumnType::kDateTime:
      return "datetime";
    case ColumnType::kTime:
      return "time";
  }
  return "unknown";
}

ColumnType type_of(const Value& v) {
  switch (v.index()) {
    case 1:
      return ColumnType::kInt;
    case 2:
      return ColumnType::kDouble;
    case 3:
      return ColumnType::kBool;
    case 4:
      return ColumnType::kText;
    case 5:
      return std::get<DateTime>(v).kind == DateTime::Kind::kTime ? ColumnType::kTime : ColumnType::kDateTime;
    default:
      return ColumnType::kUnknown;
  }
}

namespace {
// Howard Hinnant's days-to-civil algorithm: exact for the proleptic Gregorian calendar.
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += (m <= 2);
}
}  // namespace

std::string format_datetime(const DateTime& dt) {
  constexpr int64_t kMicrosPerDay = 86400LL * 1000000;
  int64_t days = dt.micros / kMicrosPerDay;
  int64_t rem = dt.micros % kMicrosPerDay;
  if (rem < 0) {
    rem += kMicrosPerDay;
    --days;
  }
  const int64_t secs = rem / 1000000, frac = rem % 1000000;
  char buf[64];
  int n = 0;
  if (dt.kind != DateTime::Kind::kTime) {
    int64_t y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    n = std::snprintf(buf, sizeof buf, "%04" PRId64 "-%02u-%02u", y, m, d);
    if (dt.kind == DateTime::Kind::kDate) return std::string(buf, n);
    buf[n++] = ' ';
  }
  const int64_t hours = secs / 3600 + (dt.kind == DateTime::Kind::kTime ? days * 24 : 0);
  n += std::snprintf(buf + n, sizeof buf - n, "%02" PRId64 ":%02d:%02d", hours,
                     static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  if (frac != 0) n += std::snprintf(buf + n, sizeof buf - n, ".%06d", static_cast<int>(frac));
  return std::string(buf, n);
}

std::string to_text(const Value& v) {
  switch (v.index()) {
    case 1:
      return std::to_string(std::get<int64_t>(v));
    case 2: {
      const double d = std::get<double>(v);
      char buf[32];
      // Shortest text that reads back as the same double, as Python's repr does.
      for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, d);
        if (std::strtod(buf, nullptr) == d) break;
      }
      return buf;
    }
    case 3:
      return std::get<bool>(v) ? "True" : "False";
    case 4:
      return std::get<std::string>(v);
    case 5:
      return format_datetime(std::get<DateTime>(v));
    default:
      return {};
  }
}

int find_column(const Schema& schema, const std::string& name) {
  for (size_t i = 0; i < schema.size(); ++i) {
    if (schema[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::string column_list(const Schema& schema) {
  std::string out;
  for (const Field& f : schema) {
    if (!out.empty()) out += ", ";
    out += f.name;
  }
  return out;
}

void filter_rows(Batch& batch, const std::vector<bool>& keep) {
  for (auto& column : batch.columns) {
    size_t w = 0;
    for (size_t r = 0; r < column.size(); ++r) {
      if (keep[r]) {
        if (w != r) column[w] = std::move(column[r]);
        ++w;
      }
    }
    column.resize(w);
  }
  size_t w = 0;
  for (size_t r = 0; r < batch.source_rows.size(); ++r) {
    if (keep[r]) batch.source_rows[w++] = batch.source_rows[r];
  }
  batch.source_rows.resize(w);
}

}  // namespace sluice::etl
