#pragma once
// Rows in the text format of PostgreSQL's `COPY ... FROM STDIN`: values separated by a tab, rows ended by a
// newline, NULL as \N, and in text the four characters that would break the framing escaped (\\ \t \n \r).
// Every value is checked against its column's declared type first, so that a value PostgreSQL would reject
// half-way through a load is reported before anything is sent, naming the column and the input row, instead
// of as "COPY line 812345" from the server.
#include <string>

#include "common/status.h"
#include "etl/batch.h"

namespace sluice::etl::internal {

// The column type pandas.DataFrame.to_sql declares through SQLAlchemy's PostgreSQL dialect.
const char* postgres_sql_type(ColumnType type);

// Encodes rows of batches whose columns follow one schema. Stateless apart from the schema;
// thread-compatible.
class CopyTextEncoder {
 public:
  explicit CopyTextEncoder(Schema schema) : schema_(std::move(schema)) {}

  // Appends row r of batch to out, as pandas would store it: NaN as NULL, a float with an integral value in
  // a BIGINT column as that integer, a non-text value in a TEXT column as its text. Returns kInvalidInput
  // naming the column and batch.source_rows[r], leaving out as it was, for a value PostgreSQL cannot hold
  // in the column: a NUL byte or invalid UTF-8 in text, a time of day without a date or a date before year 1
  // in a TIMESTAMP, a value of another type (the schema is fixed by the first rows).
  common::Status append_row(const Batch& batch, size_t r, std::string& out) const;

 private:
  common::Status reject(const Batch& batch, size_t r, size_t c, const std::string& why) const;
  Schema schema_;
};

// Appends text to out escaped for COPY's text format. Returns false, appending nothing, when text holds a
// NUL byte or is not valid UTF-8 (PostgreSQL's TEXT can hold neither).
bool append_copy_text(const std::string& text, std::string& out);

}  // namespace sluice::etl::internal
