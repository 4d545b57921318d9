#pragma once
// How the MySQL/MariaDB target spells names and values on the wire: quoted identifiers, the column types that
// pandas (through SQLAlchemy's MySQL dialect) declares, and rows in LOAD DATA's default text format.
// Pure functions, no connection; the INSERT path's literals need the connection's escaping and live there.
#include <string>
#include <string_view>

#include "common/status.h"
#include "etl/batch.h"

namespace sluice::etl::internal {

// `name`, with backticks doubled: any table or column name is safe, whatever it contains.
std::string mysql_quote_identifier(std::string_view name);

// The column type pandas.DataFrame.to_sql creates on MariaDB, as SQLAlchemy spells it in CREATE TABLE:
// BIGINT (shown as bigint(20)), TEXT, BOOL (tinyint(1)), DOUBLE (pandas asks for FLOAT(53)), DATETIME.
const char* mysql_column_type(ColumnType type);

// Appends the rows of batch in the server's default LOAD DATA format: fields separated by a tab, rows ended
// by a newline, \N for NULL, and backslash escapes for backslash, tab, newline, carriage return and NUL, so
// any text arrives byte for byte. Doubles are written in their shortest round-trip form; NaN is NULL (as
// pandas writes it). Fails on an infinite double (no MySQL type holds one), naming the column and the row.
common::Status append_infile_rows(const Schema& schema, const Batch& batch, std::string& out);

// The text of a DATETIME value as the server reads it: 'YYYY-MM-DD HH:MM:SS[.ffffff]'. A time of day alone
// lands on 1970-01-01 (a DATETIME column cannot hold a bare time).
std::string mysql_datetime_text(const DateTime& dt);

// Appends the shortest text that reads back as the same double.
void append_double(std::string& out, double value);

}  // namespace sluice::etl::internal
