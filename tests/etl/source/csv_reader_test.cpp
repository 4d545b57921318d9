#include "etl/source/csv_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "test_support/temp_dir.h"

namespace sluice::etl {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Value null() { return Value{}; }
Value integer(int64_t v) { return Value{v}; }
Value real(double v) { return Value{v}; }
Value boolean(bool v) { return Value{v}; }
Value text(std::string v) { return Value{std::move(v)}; }

// Everything a Source hands out, gathered row by row.
struct Table {
  Schema schema;
  std::vector<std::vector<Value>> rows;
  std::vector<uint64_t> lines;
  std::vector<size_t> batch_sizes;
  std::vector<uint64_t> bytes_consumed;
  uint64_t total_bytes = 0;
};

common::Result<Table> read_all(const std::string& path, SourceOptions options = {},
                               size_t buffer_bytes = internal::kCsvReadBufferBytes) {
  auto opened = internal::open_csv_with_buffer(path, options, buffer_bytes);
  if (!opened.is_ok()) return opened.status();
  Source& source = **opened;
  Table table;
  table.schema = source.schema();
  table.total_bytes = source.total_bytes();
  Batch batch;
  for (;;) {
    common::Result<bool> more = source.next(batch);
    if (!more.is_ok()) return more.status();
    if (!more.value()) {
      if (batch.num_rows() != 0) return common::internal_error("rows handed out with 'false'");
      break;
    }
    if (batch.columns.size() != table.schema.size()) return common::internal_error("column count");
    table.batch_sizes.push_back(batch.num_rows());
    table.bytes_consumed.push_back(batch.bytes_consumed);
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      std::vector<Value> row;
      for (const auto& column : batch.columns) {
        if (column.size() != batch.num_rows()) return common::internal_error("ragged batch");
        row.push_back(column[r]);
      }
      table.rows.push_back(std::move(row));
      table.lines.push_back(batch.source_rows[r]);
    }
  }
  // Exhausted sources keep saying so.
  common::Result<bool> again = source.next(batch);
  if (!again.is_ok() || again.value()) return common::internal_error("next() after the end gave rows");
  return table;
}

std::vector<std::string> names(const Schema& schema) {
  std::vector<std::string> out;
  for (const Field& f : schema) out.push_back(f.name);
  return out;
}

class CsvReaderTest : public ::testing::Test {
 protected:
  Table read_ok(const std::string& contents, SourceOptions options = {},
                size_t buffer_bytes = internal::kCsvReadBufferBytes) {
    const std::string path = dir_.write("data.csv", contents);
    common::Result<Table> table = read_all(path, options, buffer_bytes);
    EXPECT_TRUE(table.is_ok()) << table.status().message();
    return table.is_ok() ? std::move(table).value() : Table{};
  }
  common::Status read_error(const std::string& contents, SourceOptions options = {}) {
    common::Result<Table> table = read_all(dir_.write("data.csv", contents), options);
    EXPECT_FALSE(table.is_ok()) << "expected an error";
    return table.status();
  }
  std::string path() const { return dir_.file("data.csv"); }

  testing::TempDir dir_;
};

TEST_F(CsvReaderTest, ReadsHeaderAndTypedRows) {
  Table t = read_ok("id,name,score,active\n1,Ann,3.5,True\n2,Bob,,false\n");
  EXPECT_THAT(names(t.schema), ::testing::ElementsAre("id", "name", "score", "active"));
  for (size_t i = 0; i < t.schema.size(); ++i) {
    EXPECT_EQ(t.schema[i].origin, std::to_string(i + 1));
    EXPECT_EQ(t.schema[i].type, ColumnType::kUnknown);
  }
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0], (std::vector<Value>{integer(1), text("Ann"), real(3.5), boolean(true)}));
  EXPECT_EQ(t.rows[1], (std::vector<Value>{integer(2), text("Bob"), null(), boolean(false)}));
  EXPECT_EQ(t.lines, (std::vector<uint64_t>{2, 3}));
}

TEST_F(CsvReaderTest, TypesCellsLikePandasForCleanColumns) {
  const std::vector<std::pair<std::string, Value>> cases = {
      {"0", integer(0)},
      {"-12", integer(-12)},
      {"+7", integer(7)},
      {"007", integer(7)},
      {"-0", integer(0)},
      {"9223372036854775807", integer(INT64_MAX)},
      {"-9223372036854775808", integer(INT64_MIN)},
      {"9223372036854775808", text("9223372036854775808")},
      {"-9223372036854775809", text("-9223372036854775809")},
      {"123456789012345678901234", text("123456789012345678901234")},
      {"1.5", real(1.5)},
      {"-.5", real(-0.5)},
      {"5.", real(5.0)},
      {"+1.5e+3", real(1500.0)},
      {"1e3", real(1000.0)},
      {"1E-2", real(0.01)},
      {"1e999", text("1e999")},
      {"inf", text("inf")},
      {"-inf", text("-inf")},
      {"nan", text("nan")},
      {"NaN", text("NaN")},
      {"0x1F", text("0x1F")},
      {"1.2.3", text("1.2.3")},
      {"192.168.0.1", text("192.168.0.1")},
      {"e5", text("e5")},
      {"1e", text("1e")},
      {"1e+", text("1e+")},
      {".", text(".")},
      {"+", text("+")},
      {"-", text("-")},
      {" 42", text(" 42")},
      {"42 ", text("42 ")},
      {"True", boolean(true)},
      {"TRUE", boolean(true)},
      {"true", boolean(true)},
      {"False", boolean(false)},
      {"FALSE", boolean(false)},
      {"false", boolean(false)},
      {"tRUE", text("tRUE")},
      {"yes", text("yes")},
      {"T", text("T")},
      {"\"42\"", integer(42)},
      {"\"true\"", boolean(true)},
      {"\"\"", null()},
      {"\" \"", text(" ")},
      {"caf\xC3\xA9", text("caf\xC3\xA9")},
  };
  // Each in a column of its own: a column that mixes kinds is text as written (MixedColumnsKeepTheText).
  for (const auto& c : cases) {
    Table t = read_ok("k,v\nk," + c.first + "\n");
    ASSERT_EQ(t.rows.size(), 1u) << "cell " << c.first;
    EXPECT_EQ(t.rows[0][1], c.second) << "cell " << c.first;
  }
}

// Issue 10, class 5: a column that mixes numbers and text keeps the text exactly ("06" stays "06"), in the
// rows read ahead and after them alike; a clean column is typed.
TEST_F(CsvReaderTest, MixedColumnsKeepTheTextAsWritten) {
  std::string csv = "code,n,flag\n06,1,True\nA1,2.50,False\n";
  for (int i = 0; i < 9000; ++i) csv += "007,+3,true\n";
  Table t = read_ok(csv);
  ASSERT_EQ(t.rows.size(), 9002u);
  EXPECT_EQ(t.rows[0], (std::vector<Value>{text("06"), integer(1), boolean(true)}));
  EXPECT_EQ(t.rows[1], (std::vector<Value>{text("A1"), real(2.5), boolean(false)}));
  EXPECT_EQ(t.rows[9001], (std::vector<Value>{text("007"), integer(3), boolean(true)}));
  // Numbers and booleans together are text too (pandas: object).
  Table u = read_ok("v\n1\nTrue\n");
  EXPECT_EQ(u.rows[0][0], text("1"));
  EXPECT_EQ(u.rows[1][0], text("True"));
}

TEST_F(CsvReaderTest, QuotedFieldsFollowRfc4180) {
  Table t = read_ok(
      "a,b,c\n"
      "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
      "\"\"\"\",\"\",\"crlf\r\ninside\"\n");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0], (std::vector<Value>{text("x,y"), text("say \"hi\""), text("two\nlines")}));
  EXPECT_EQ(t.rows[1], (std::vector<Value>{text("\""), null(), text("crlf\r\ninside")}));
  EXPECT_EQ(t.lines, (std::vector<uint64_t>{2, 4}));
}

TEST_F(CsvReaderTest, QuotesInsideUnquotedFieldsAreLiteralAsInPythonCsv) {
  Table t = read_ok("a,b,c\nab\"c,5\"\",x \"y\" z\n\"ab\"cd\"e,\"1\"7,\"\"\"a\"\"b\"c\n");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0], (std::vector<Value>{text("ab\"c"), text("5\"\""), text("x \"y\" z")}));
  // Text after a closing quote is appended; the "1"7 case then reads 17, kept as text because its column
  // holds text too (pandas: an object column of the strings).
  EXPECT_EQ(t.rows[1], (std::vector<Value>{text("abcd\"e"), text("17"), text("\"a\"bc")}));
}

TEST_F(CsvReaderTest, AcceptsLfCrlfLoneCrAndNoFinalNewline) {
  for (const std::string& csv : {std::string("a,b\n1,2\n3,4"), std::string("a,b\r\n1,2\r\n3,4\r\n"),
                                 std::string("a,b\r1,2\r3,4\r"), std::string("a,b\r\n1,2\n3,4")}) {
    Table t = read_ok(csv);
    ASSERT_EQ(t.rows.size(), 2u) << csv;
    EXPECT_EQ(t.rows[1], (std::vector<Value>{integer(3), integer(4)})) << csv;
    EXPECT_EQ(t.lines, (std::vector<uint64_t>{2, 3})) << csv;
  }
}

TEST_F(CsvReaderTest, FinalRecordWithoutNewlineEndingInQuoteOrDelimiter) {
  Table t = read_ok("a,b,c\n1,\"x\ny\",\"z\"");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0], (std::vector<Value>{integer(1), text("x\ny"), text("z")}));
  t = read_ok("a,b,c\n1,2,");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0], (std::vector<Value>{integer(1), integer(2), null()}));
}

TEST_F(CsvReaderTest, StripsUtf8ByteOrderMark) {
  const std::string csv = "\xEF\xBB\xBFid,name\r\n1,\xEF\xBB\xBFx\r\n";
  Table t = read_ok(csv);
  EXPECT_THAT(names(t.schema), ::testing::ElementsAre("id", "name"));
  ASSERT_EQ(t.rows.size(), 1u);
  // Only the file's first three bytes are a byte order mark; elsewhere U+FEFF is data.
  EXPECT_EQ(t.rows[0][1], text("\xEF\xBB\xBFx"));
  EXPECT_EQ(t.total_bytes, csv.size());
  EXPECT_EQ(t.bytes_consumed.back(), csv.size());
}

TEST_F(CsvReaderTest, HonoursDelimiterOption) {
  SourceOptions semicolon;
  semicolon.delimiter = ';';
  Table t = read_ok("a;b\n1,5;\"x;y\"\n", semicolon);
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0], (std::vector<Value>{text("1,5"), text("x;y")}));

  SourceOptions tab;
  tab.delimiter = '\t';
  t = read_ok("a\tb\tc\n1,2\t \t\"q\tr\"\n", tab);
  EXPECT_THAT(names(t.schema), ::testing::ElementsAre("a", "b", "c"));
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0], (std::vector<Value>{text("1,2"), text(" "), text("q\tr")}));
}

TEST_F(CsvReaderTest, RejectsDelimitersThatCannotWork) {
  for (char d : {'"', '\n', '\r', '\0', static_cast<char>(0xE9)}) {
    SourceOptions options;
    options.delimiter = d;
    common::Result<Table> t = read_all(dir_.write("data.csv", "a\n1\n"), options);
    ASSERT_FALSE(t.is_ok());
    EXPECT_EQ(t.status().code(), common::Code::kInvalidArgument);
  }
}

TEST_F(CsvReaderTest, HeaderRowSkipsEarlierRecordsAndIgnoresBlankLines) {
  SourceOptions options;
  options.header_row = 3;
  Table t = read_ok("report\n\n\"generated\non\",today\n  \nid,v\n1,2\n", options);
  EXPECT_THAT(names(t.schema), ::testing::ElementsAre("id", "v"));
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0], (std::vector<Value>{integer(1), integer(2)}));
  EXPECT_EQ(t.lines, (std::vector<uint64_t>{7}));

  // Leading blank lines are not the header, as with pandas' default.
  t = read_ok("\n\r\n \t\nid\n5\n");
  EXPECT_THAT(names(t.schema), ::testing::ElementsAre("id"));
  EXPECT_EQ(t.lines, (std::vector<uint64_t>{5}));
}

TEST_F(CsvReaderTest, HeaderRowBeyondTheEndIsAnError) {
  SourceOptions options;
  options.header_row = 4;
  common::Status st = read_error("a\n1\n\n2\n", options);
  EXPECT_EQ(st.code(), common::Code::kInvalidInput);
  EXPECT_EQ(st.message(),
            path() + ": the header row is record 4, but the file has only 3 non-blank record(s)");

  options.header_row = 0;
  st = read_error("a\n1\n", options);
  EXPECT_EQ(st.code(), common::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("header row must be 1 or more"));
}

TEST_F(CsvReaderTest, EmptyFileHasNoHeader) {
  for (const std::string& csv : {std::string(""), std::string("\xEF\xBB\xBF"), std::string("\n\r\n  \n")}) {
    common::Status st = read_error(csv);
    EXPECT_EQ(st.code(), common::Code::kInvalidInput);
    EXPECT_EQ(st.message(), path() + ": the file is empty (no header row)");
  }
}

TEST_F(CsvReaderTest, HeaderOnlyFileHasNoRows) {
  Table t = read_ok("a,b\n");
  EXPECT_EQ(t.schema.size(), 2u);
  EXPECT_TRUE(t.rows.empty());
}

TEST_F(CsvReaderTest, NormalisesHeaderNamesAsPandas) {
  Table t = read_ok("a,,a,\"\",b\n1,2,3,4,5\n");
  EXPECT_THAT(names(t.schema), ::testing::ElementsAre("a", "Unnamed: 1", "a.1", "Unnamed: 3", "b"));
  // Header cells are names, never typed values.
  t = read_ok("2020,True\n1,2\n");
  EXPECT_THAT(names(t.schema), ::testing::ElementsAre("2020", "True"));
}

TEST_F(CsvReaderTest, ShortRowsArePaddedWithNulls) {
  Table t = read_ok("a,b,c\n1\n1,2\n");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0], (std::vector<Value>{integer(1), null(), null()}));
  EXPECT_EQ(t.rows[1], (std::vector<Value>{integer(1), integer(2), null()}));
}

TEST_F(CsvReaderTest, LongRowsAreAnErrorNamingTheLine) {
  common::Status st = read_error("a,b\n1,2\n\"x\ny\",2\n3,4,5\n");
  EXPECT_EQ(st.code(), common::Code::kInvalidInput);
  EXPECT_EQ(st.message(),
            path() +
                ":5: expected 2 fields (as in the header row), saw 3; a field that contains the "
                "delimiter (',') must be quoted");
}

TEST_F(CsvReaderTest, BlankAndAllEmptyRowsAreSkipped) {
  Table t = read_ok("a,b\n\n1,2\n,\n \n\"\",\n\t\n3,4\n\n");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.lines, (std::vector<uint64_t>{3, 8}));
  // A lone quoted blank is data, not a blank line.
  t = read_ok("a\n\" \"\n");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0][0], text(" "));
}

TEST_F(CsvReaderTest, UnterminatedQuoteNamesTheLineWhereTheFieldBegan) {
  common::Status st = read_error("a,b\n1,\"ok\nstill ok\"\n2,\"never\nclosed\n3,4\n");
  EXPECT_EQ(st.code(), common::Code::kInvalidInput);
  EXPECT_EQ(
      st.message(),
      path() + ":4: a quoted field that starts on this line has no closing quote before the end of the file");
}

TEST_F(CsvReaderTest, RecordLongerThanTheLimitIsResourceExhausted) {
  const std::string path = dir_.write("data.csv", "a,b\n1,2\n3,\"open\n" + std::string(200, 'x') + "\n");
  // The first rows are read when the file is opened (to decide which columns are text), so opening fails.
  auto source = internal::open_csv_with_buffer(path, {}, 16, 64);
  ASSERT_FALSE(source.is_ok());
  EXPECT_EQ(source.status().code(), common::Code::kResourceExhausted);
  EXPECT_THAT(source.status().message(),
              StartsWith(path + ":3: the record that starts on this line is longer "
                                "than 64 bytes; is a quote left open"));
  // The same file with room for the record reads up to the unclosed quote.
  source = internal::open_csv_with_buffer(path, {}, 16, 1024);
  ASSERT_FALSE(source.is_ok());
  EXPECT_EQ(source.status().code(), common::Code::kInvalidInput);
}

TEST_F(CsvReaderTest, InvalidUtf8NamesTheLine) {
  common::Status st = read_error("a,b\n1,caf\xC3\xA9\n2,\"x\ny\xE9\"\n");
  EXPECT_EQ(st.code(), common::Code::kInvalidInput);
  EXPECT_THAT(st.message(), StartsWith(path() + ":4: invalid UTF-8 (byte 0xE9)"));

  st = read_error("n\xE4me,b\n1,2\n");
  EXPECT_THAT(st.message(), StartsWith(path() + ":1: invalid UTF-8 (byte 0xE4)"));

  // Overlong encodings, surrogates, code points past U+10FFFF, stray continuation and truncated sequences.
  for (const std::string bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80", "\xE2\x82", "\xF8"}) {
    st = read_error("a\nok\n" + bad + "\n");
    EXPECT_THAT(st.message(), StartsWith(path() + ":3: invalid UTF-8")) << ::testing::PrintToString(bad);
  }
  // Well-formed multi-byte text of every length passes.
  Table t = read_ok("a\n\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xEF\xBF\xBF\xF4\x8F\xBF\xBF\n");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0][0], text("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xEF\xBF\xBF\xF4\x8F\xBF\xBF"));
}

TEST_F(CsvReaderTest, ErrorsStickAfterTheFirst) {
  // Past the 8192 rows read when the file is opened.
  std::string csv = "a\n";
  for (int i = 0; i < 9000; ++i) csv += "1\n";
  const std::string path = dir_.write("data.csv", csv + "\xFF\n2\n");
  SourceOptions options;
  options.batch_rows = 1000;
  auto source = internal::open_csv(path, options);
  ASSERT_TRUE(source.is_ok());
  Batch batch;
  common::Result<bool> got = true;
  int batches = 0;
  while ((got = (*source)->next(batch)).is_ok() && *got) ++batches;
  EXPECT_EQ(batches, 9);
  ASSERT_FALSE(got.is_ok());
  common::Result<bool> again = (*source)->next(batch);
  ASSERT_FALSE(again.is_ok());
  EXPECT_THAT(again.status().message(), HasSubstr(":9002: invalid UTF-8"));
}

TEST_F(CsvReaderTest, LocationNamesThePhysicalLineWhereTheRecordStarts) {
  const std::string path = dir_.write("people.csv", "id,note,email\n1,\"a\nb\nc\",x@y\n\n2,,z@w\n");
  auto source = internal::open_csv(path, {});
  ASSERT_TRUE(source.is_ok());
  Batch batch;
  ASSERT_TRUE((*source)->next(batch).value());
  ASSERT_EQ(batch.source_rows, (std::vector<uint64_t>{2, 6}));
  const Field& email = (*source)->schema()[2];
  EXPECT_EQ((*source)->location(email, batch.source_rows[1]), path + ":6 (column 'email')");
}

TEST_F(CsvReaderTest, MissingFileIsNotFound) {
  common::Result<Table> t = read_all(dir_.file("nope.csv"));
  ASSERT_FALSE(t.is_ok());
  EXPECT_EQ(t.status().code(), common::Code::kNotFound);
  EXPECT_THAT(t.status().message(), StartsWith(dir_.file("nope.csv") + ": cannot open file"));
}

// A file whose records hold every awkward construct, for the boundary tests.
std::string tricky_csv() {
  std::string csv = "\xEF\xBB\xBFid,text,n\r\n";
  for (int i = 0; i < 40; ++i) {
    const std::string id = std::to_string(i);
    switch (i % 5) {
      case 0:
        csv += id + ",\"multi\r\nline \"\"quoted\"\"\n" + id + "\"," + id + ".5\r\n";
        break;
      case 1:
        csv += id + ",plain text " + id + ",\n";
        break;
      case 2:
        csv += "\n" + id + ",\"a,b\"\"\",\"" + id + "\"\r";
        break;
      case 3:
        csv += id + ",caf\xC3\xA9 \xF0\x9F\x98\x80 " + id + ",True\n";
        break;
      case 4:
        csv += id + ",\"\"\"x\"y\r\n";
        break;
    }
  }
  return csv + "last,\"no newline\nat end\"";
}

TEST_F(CsvReaderTest, BatchBoundariesDoNotChangeTheRows) {
  SourceOptions options;
  const Table whole = read_ok(tricky_csv(), options);
  ASSERT_EQ(whole.rows.size(), 41u);
  // Every column mixes text in, so every cell is kept as written, as pandas keeps them.
  EXPECT_EQ(whole.rows[0], (std::vector<Value>{text("0"), text("multi\r\nline \"quoted\"\n0"), text("0.5")}));
  EXPECT_EQ(whole.rows[4], (std::vector<Value>{text("4"), text("\"xy"), null()}));
  EXPECT_EQ(whole.rows[40], (std::vector<Value>{text("last"), text("no newline\nat end"), null()}));
  EXPECT_EQ(whole.lines[0], 2u);
  EXPECT_EQ(whole.lines[1], 5u);
  EXPECT_EQ(whole.lines[2], 7u);  // after a blank line
  for (size_t batch_rows : {1, 2, 3}) {
    options.batch_rows = batch_rows;
    const Table t = read_ok(tricky_csv(), options);
    EXPECT_EQ(t.rows, whole.rows) << batch_rows;
    EXPECT_EQ(t.lines, whole.lines) << batch_rows;
    ASSERT_EQ(t.batch_sizes.size(), (41 + batch_rows - 1) / batch_rows);
    for (size_t b = 0; b + 1 < t.batch_sizes.size(); ++b) EXPECT_EQ(t.batch_sizes[b], batch_rows);
    EXPECT_TRUE(std::is_sorted(t.bytes_consumed.begin(), t.bytes_consumed.end()));
    EXPECT_EQ(t.bytes_consumed.back(), t.total_bytes);
  }
}

TEST_F(CsvReaderTest, RecordsStraddlingBufferRefillsParseTheSame) {
  const Table whole = read_ok(tricky_csv());
  // Every buffer size from the minimum up puts each kind of byte (quote, CR of a CRLF, delimiter, the
  // middle of a UTF-8 sequence) on a refill boundary somewhere, and many records exceed the buffer.
  for (size_t buffer = 1; buffer <= 80; ++buffer) {
    const Table t = read_ok(tricky_csv(), {}, buffer);
    EXPECT_EQ(t.rows, whole.rows) << "buffer " << buffer;
    EXPECT_EQ(t.lines, whole.lines) << "buffer " << buffer;
    EXPECT_EQ(t.bytes_consumed.back(), t.total_bytes);
  }
}

TEST_F(CsvReaderTest, RecordSpansTheDefaultOneMebibyteBuffer) {
  std::string csv = "id,text\n";
  const std::string filler = "filler,row with some text\n";
  while (csv.size() + filler.size() < internal::kCsvReadBufferBytes - 10) csv += filler;
  const uint64_t big_line = 2 + (csv.size() - 8) / filler.size();
  const std::string big = std::string(3 * internal::kCsvReadBufferBytes, 'x');
  csv += "big,\"start\n" + big + "\nend\"\nafter,1\n";
  Table t = read_ok(csv);
  ASSERT_GE(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[t.rows.size() - 2][1], text("start\n" + big + "\nend"));
  EXPECT_EQ(t.lines[t.lines.size() - 2], big_line);
  EXPECT_EQ(t.rows.back(), (std::vector<Value>{text("after"), text("1")}));  // a text column
  EXPECT_EQ(t.lines.back(), big_line + 3);
  EXPECT_EQ(t.bytes_consumed.back(), csv.size());
}

// Python's csv module is the reference for splitting fields: a generated file of awkward text fields must
// split identically. Cells are text (no digits, no true/false) so that typing does not get in the way.
TEST_F(CsvReaderTest, SplitsFieldsLikePythonCsv) {
  const char* python = "/usr/bin/python3";
  if (std::FILE* f = std::fopen(python, "r")) {
    std::fclose(f);
  } else {
    GTEST_SKIP() << "no " << python;
  }
  std::mt19937 rng(20240601);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::vector<std::string> pieces = {"x",  "yz",   " ",  "\xC3\xA9", ",", "\"",
                                           "\n", "\r\n", "\r", "\t",       "w"};
  const std::vector<std::string> endings = {"\n", "\r\n", "\r"};
  std::string csv = "h0,h1,h2,h3\n";
  for (int r = 0; r < 400; ++r) {
    for (int c = 0; c < 4; ++c) {
      std::string cell;
      for (int k = pick(6); k > 0; --k) cell += pieces[pick(static_cast<int>(pieces.size()))];
      const bool must_quote = cell.find_first_of(",\"\r\n") != std::string::npos;
      const bool literal_ok =
          !cell.empty() && cell[0] != '"' && cell.find_first_of(",\r\n") == std::string::npos;
      if (must_quote && !(literal_ok && pick(2) == 0)) {
        std::string quoted = "\"";
        for (char ch : cell) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
        cell = quoted + "\"";
      } else if (!must_quote && pick(4) == 0) {
        cell = "\"" + cell + "\"";
      }
      csv += (c > 0 ? "," : "") + cell;
    }
    csv += endings[pick(3)];
  }
  const std::string path = dir_.write("data.csv", csv);
  const std::string out = dir_.file("python.txt");
  // One line per row, each field hex-encoded, rows whose fields are all empty dropped (sluice skips them).
  const std::string script =
      "import csv,sys\n"
      "with open(sys.argv[1], newline='', encoding='utf-8') as f, open(sys.argv[2], 'w') as o:\n"
      "  for row in list(csv.reader(f))[1:]:\n"
      "    if any(row): o.write(' '.join(x.encode().hex() or '-' for x in row) + '\\n')\n";
  const std::string script_path = dir_.write("split.py", script);
  ASSERT_EQ(std::system((std::string(python) + " " + script_path + " " + path + " " + out).c_str()), 0);
  const std::string reference = testing::read_file(out);
  Table t = read_ok(csv);
  std::string actual;
  auto hex = [](const std::string& s) {
    static const char* digits = "0123456789abcdef";
    std::string h;
    for (unsigned char ch : s) h += std::string{digits[ch >> 4], digits[ch & 15]};
    return h.empty() ? std::string("-") : h;
  };
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      actual += (c > 0 ? " " : "") + hex(is_null(row[c]) ? std::string() : std::get<std::string>(row[c]));
    }
    actual += "\n";
  }
  EXPECT_GT(t.rows.size(), 300u);
  EXPECT_EQ(actual, reference);
}

}  // namespace
}  // namespace sluice::etl
