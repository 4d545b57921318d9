#pragma once
// The ETL's data model: a Schema (ordered, named, typed columns) and Batches of a bounded number of rows,
// stored column by column because every transform works on whole columns (derive one, drop three).
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace sluice::etl {

// A date, a time of day, or both; micros counts from 1970-01-01T00:00:00 (kTime: from midnight).
struct DateTime {
  enum class Kind : uint8_t { kDate, kTime, kDateTime };
  int64_t micros = 0;
  Kind kind = Kind::kDateTime;
  bool operator==(const DateTime&) const = default;
};

// std::monostate is SQL NULL.
using Value = std::variant<std::monostate, int64_t, double, bool, std::string, DateTime>;

// kTime: times of day and durations (a DateTime of kind kTime, which may exceed 24 hours).
enum class ColumnType { kUnknown, kInt, kDouble, kBool, kText, kDateTime, kTime };
const char* column_type_name(ColumnType type);

inline bool is_null(const Value& v) { return v.index() == 0; }
// The type a value would give its column; kUnknown for NULL.
ColumnType type_of(const Value& v);
// ISO 8601 rendering as pandas/SQLAlchemy write it: 'YYYY-MM-DD HH:MM:SS[.ffffff]', 'YYYY-MM-DD', 'HH:MM:SS';
// a kTime of a day or more keeps its days in the hours ('26:00:00'), as MySQL's TIME writes it.
std::string format_datetime(const DateTime& dt);
// Text rendering used by CSV output, previews and reject files; NULL renders as "".
std::string to_text(const Value& v);

struct Field {
  std::string name;
  ColumnType type = ColumnType::kUnknown;
  // Where the column came from in the input, for error messages: a column letter ("F") for a sheet, the
  // 1-based column number for CSV; empty for a derived column.
  std::string origin;
};

using Schema = std::vector<Field>;
// Index of a column by exact name, or -1.
int find_column(const Schema& schema, const std::string& name);
// "id, first_name, ..." for error messages that list what exists.
std::string column_list(const Schema& schema);

struct Batch {
  std::vector<std::vector<Value>> columns;  // columns[c][r]
  std::vector<uint64_t> source_rows;        // 1-based row (sheet) or record line (CSV) of each row
  uint64_t bytes_consumed = 0;              // input bytes read so far, for the progress bar
  size_t num_rows() const { return source_rows.size(); }
};

// Keeps the rows whose keep[r] is true, in order.
void filter_rows(Batch& batch, const std::vector<bool>& keep);

}  // namespace sluice::etl
