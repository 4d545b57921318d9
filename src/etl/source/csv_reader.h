#pragma once
// The CSV Source: reads RFC 4180 text in bounded memory and types each cell the way pandas.read_csv would
// for a clean column. Callers use open_source(); this header only exposes a knob that tests need.
//
// Dialect (what internal::open_csv accepts):
// - Records end at LF, CRLF or a lone CR (as Python's csv and pandas accept); the last record may lack one.
//   A UTF-8 byte order mark at the start of the file is dropped.
// - A field that starts with '"' is quoted: it may hold the delimiter, line breaks and "" for one quote. A
//   quote anywhere else is kept literally (`ab"c` is the text ab"c), and text after a closing quote is
//   appended literally (`"ab"cd` is abcd), both as Python's csv module and pandas do. A quoted field still
//   open at the end of the file is an error naming the line where it began.
// - The whole file must be UTF-8; the first invalid byte is an error naming its line.
// - Blank lines (empty, or only spaces and tabs) are not records: they neither count towards
//   SourceOptions::header_row nor yield rows, as pandas' skip_blank_lines does. Records before the header
//   record are skipped. After the header, a record whose fields are all empty yields no row (Source's
//   contract), a record with fewer fields than the header gets NULLs, one with more is an error.
// - Cell typing, by content (quoted or not), with no trimming: empty -> NULL; [+-]digits fitting int64 ->
//   int64 (leading zeros allowed: "007" is 7); a decimal with optional fraction and exponent that is a
//   finite double -> double ("inf", "nan", hex and out-of-range values stay text); True/TRUE/true and
//   False/FALSE/false -> bool; anything else -> the text as written. A column whose first 8192 rows hold
//   any text, or both numbers and booleans, is a text column, as pandas makes it an object column of
//   strings: every cell keeps the text as written ("06" stays "06", not 6), in every row.
// - Batch::source_rows and location() use the 1-based physical line on which a record starts; bytes are
//   file bytes (the BOM included).
// - Memory is the read buffer (1 MiB) plus one batch, whatever the file's size; a single record longer
//   than the buffer grows it, up to kCsvMaxRecordBytes.
#include <cstddef>
#include <memory>
#include <string>

#include "common/status.h"
#include "etl/source/source.h"

namespace sluice::etl::internal {

// Initial size of the read buffer; it grows (doubling) only while a single record does not fit.
inline constexpr size_t kCsvReadBufferBytes = size_t{1} << 20;
// A record may not grow the buffer beyond this: memory stays bounded whatever the input, and a quote left
// open near the top of a large file fails with resource_exhausted naming its line instead of reading the
// whole file into memory.
inline constexpr size_t kCsvMaxRecordBytes = size_t{256} << 20;

// open_csv with a chosen initial read-buffer size (raised to at least 16 bytes) and record limit, so that
// tests can make records straddle refills and hit the limit without writing megabytes.
common::Result<std::unique_ptr<Source>> open_csv_with_buffer(const std::string& path,
                                                             const SourceOptions& options,
                                                             size_t buffer_bytes,
                                                             size_t max_record_bytes = kCsvMaxRecordBytes);

}  // namespace sluice::etl::internal
