// Files the .xlsx reader refuses: each refusal is one line that names the file (as given) and the cause,
// with a fitting code.
#include <gtest/gtest.h>

#include "etl/source/source.h"
#include "etl/source/xlsx/xlsx_test_util.h"
#include "test_support/temp_dir.h"

namespace sluice::etl {
namespace {

using common::Code;
using xlsx::testing::MiniWorkbook;

struct Refusal {
  Code code;
  std::string message;
};

Refusal refusal(const std::string& path, SourceOptions options = {}) {
  auto source = open_source(path, options);
  if (source.is_ok()) {
    Batch batch;
    for (;;) {
      auto more = (*source)->next(batch);
      if (!more.is_ok()) return {more.status().code(), more.status().message()};
      if (!*more) return {Code::kOk, "opened and read"};
    }
  }
  return {source.status().code(), source.status().message()};
}

void expect_refusal(const Refusal& r, Code code, const std::string& path, const std::string& cause) {
  EXPECT_EQ(r.code, code) << r.message;
  EXPECT_EQ(r.message.rfind(path, 0), 0u) << "names the file first: " << r.message;
  EXPECT_NE(r.message.find(cause), std::string::npos) << r.message;
  EXPECT_EQ(r.message.find('\n'), std::string::npos) << "one line: " << r.message;
}

MiniWorkbook one_sheet(const std::string& rows) {
  MiniWorkbook book;
  book.sheets.push_back({"Sheet1", rows});
  return book;
}

TEST(XlsxRefusal, TextFileNamedXlsx) {
  sluice::testing::TempDir dir;
  const std::string path = dir.write("renamed.xlsx", "id,name\n1,x\n");
  expect_refusal(refusal(path), Code::kInvalidInput, path, "not an .xlsx workbook");
}

TEST(XlsxRefusal, CorruptZip) {
  sluice::testing::TempDir dir;
  const std::string path = dir.write("broken.xlsx", std::string("PK\x03\x04", 4) + std::string(200, 'x'));
  expect_refusal(refusal(path), Code::kInvalidInput, path, "not a valid zip archive");
}

TEST(XlsxRefusal, DamagedSheetData) {
  sluice::testing::TempDir dir;
  const std::string path = dir.file("damaged.xlsx");
  auto entries = one_sheet("<row r='1'><c t='inlineStr'><is><t>h</t></is></c></row>").entries();
  std::string good;
  for (auto& [name, content] : entries) {
    if (name == "xl/worksheets/sheet1.xml") good = content;
  }
  // Flip bytes in the middle of the compressed sheet: the inflater or the CRC check notices.
  xlsx::testing::write_zip(path, entries);
  std::string bytes = sluice::testing::read_file(path);
  const size_t at = bytes.find("xl/worksheets/sheet1.xml") + 30;
  for (size_t i = at; i < at + 8 && i < bytes.size(); ++i) bytes[i] = static_cast<char>(bytes[i] ^ 0x5A);
  dir.write("damaged.xlsx", bytes);
  const Refusal r = refusal(path);
  EXPECT_NE(r.code, Code::kOk);
  EXPECT_EQ(r.message.rfind(path, 0), 0u) << r.message;
}

TEST(XlsxRefusal, ChangedByteInStoredEntryFailsTheCrc) {
  sluice::testing::TempDir dir;
  const std::string path = dir.file("flipped.xlsx");
  xlsx::testing::write_zip(
      path, one_sheet("<row r='1'><c><v>1</v></c></row><row r='2'><c><v>12345</v></c></row>").entries(),
      /*store=*/true);
  std::string bytes = sluice::testing::read_file(path);
  const size_t at = bytes.find("12345");
  ASSERT_NE(at, std::string::npos);
  bytes[at] = '9';  // still well-formed: only the CRC-32 can tell
  dir.write("flipped.xlsx", bytes);
  expect_refusal(refusal(path), Code::kInvalidInput, path, "xl/worksheets/sheet1.xml: ");
  EXPECT_NE(refusal(path).message.find("CRC"), std::string::npos);
}

// The CRC-32 recorded for the deflated sheet is changed in both zip headers: the data inflates cleanly and
// only the reader's own check (libzip does not check raw reads) can notice.
TEST(XlsxRefusal, DeflatedSheetWhoseCrcDisagrees) {
  sluice::testing::TempDir dir;
  const std::string path = dir.file("crc.xlsx");
  xlsx::testing::write_zip(
      path, one_sheet("<row r='1'><c><v>1</v></c></row><row r='2'><c><v>2</v></c></row>").entries());
  std::string bytes = sluice::testing::read_file(path);
  const std::string name = "xl/worksheets/sheet1.xml";
  int patched = 0;
  for (size_t at = bytes.find(name); at != std::string::npos; at = bytes.find(name, at + 1)) {
    if (at >= 30 && bytes.compare(at - 30, 4, "PK\x03\x04") == 0)
      bytes[at - 30 + 14] ^= 0x01;  // local header
    else if (at >= 46 && bytes.compare(at - 46, 4, "PK\x01\x02") == 0)
      bytes[at - 46 + 16] ^= 0x01;  // directory
    else
      continue;
    ++patched;
  }
  ASSERT_EQ(patched, 2);
  dir.write("crc.xlsx", bytes);
  expect_refusal(refusal(path), Code::kInvalidInput, path,
                 "xl/worksheets/sheet1.xml: CRC-32 mismatch (corrupt zip)");
}

TEST(XlsxRefusal, ZipWithoutWorkbook) {
  sluice::testing::TempDir dir;
  const std::string path = dir.file("other.xlsx");
  xlsx::testing::write_zip(path, {{"word/document.xml", "<w/>"}, {"mimetype", "x"}});
  expect_refusal(refusal(path), Code::kInvalidInput, path,
                 "not an .xlsx workbook (the zip has no xl/workbook.xml)");
}

TEST(XlsxRefusal, MissingSheetListsTheSheets) {
  sluice::testing::TempDir dir;
  MiniWorkbook book;
  book.sheets.push_back({"Sales", "<row r='1'><c><v>1</v></c></row>"});
  book.sheets.push_back({"Costs", "<row r='1'><c><v>1</v></c></row>"});
  const std::string path = dir.file("book.xlsx");
  xlsx::testing::write_zip(path, book.entries());
  SourceOptions options;
  options.sheet = "Revenue";
  expect_refusal(refusal(path, options), Code::kNotFound, path,
                 "no sheet named 'Revenue' (the workbook has 'Sales', 'Costs')");
  options.sheet = "3";
  expect_refusal(refusal(path, options), Code::kNotFound, path,
                 "no sheet 3 (sheets are numbered from 1; the workbook has 2 worksheets");
  options.sheet = "0";
  expect_refusal(refusal(path, options), Code::kNotFound, path, "no sheet 0");
}

TEST(XlsxRefusal, EmptySheet) {
  sluice::testing::TempDir dir;
  for (const std::string rows : {"", "<row r='1'/><row r='2'><c r='A2' s='1'/></row>"}) {
    const std::string path = dir.file("empty.xlsx");
    xlsx::testing::write_zip(path, one_sheet(rows).entries());
    expect_refusal(refusal(path), Code::kInvalidInput, path, "sheet 'Sheet1' is empty (no header row)");
  }
}

TEST(XlsxRefusal, HeaderRowBeyondTheData) {
  sluice::testing::TempDir dir;
  const std::string path = dir.file("short.xlsx");
  xlsx::testing::write_zip(
      path, one_sheet("<row r='1'><c><v>1</v></c></row><row r='2'><c><v>2</v></c></row>").entries());
  SourceOptions options;
  options.header_row = 5;
  expect_refusal(refusal(path, options), Code::kInvalidInput, path,
                 "header row 5 is beyond the data (the last row with data is row 2)");
}

TEST(XlsxRefusal, EmptyHeaderRow) {
  sluice::testing::TempDir dir;
  const std::string path = dir.file("gap.xlsx");
  xlsx::testing::write_zip(path, one_sheet("<row r='3'><c><v>1</v></c></row>").entries());
  expect_refusal(refusal(path), Code::kInvalidInput, path,
                 "header row 1 is empty; the first row with data after it is row 3");
}

TEST(XlsxRefusal, MalformedSheetXmlNamesThePartAndOffset) {
  sluice::testing::TempDir dir;
  const std::string path = dir.file("bad.xlsx");
  xlsx::testing::write_zip(
      path, one_sheet("<row r='1'><c><v>1</v></c></row><row r='2'><c><v>&bad;</v></c></row>").entries());
  expect_refusal(refusal(path), Code::kInvalidInput, path,
                 "xl/worksheets/sheet1.xml: malformed XML at byte ");
  const std::string truncated = dir.file("truncated.xlsx");
  auto entries = one_sheet("<row r='1'><c><v>1</v></c></row><row r='2'><c><v>2</v></c></row>").entries();
  for (auto& [name, content] : entries) {
    if (name == "xl/worksheets/sheet1.xml") content.resize(content.size() - 40);
  }
  xlsx::testing::write_zip(truncated, entries);
  expect_refusal(refusal(truncated), Code::kInvalidInput, truncated, "ends inside <sheetData>");
}

TEST(XlsxRefusal, MalformedWorkbookXml) {
  sluice::testing::TempDir dir;
  const std::string path = dir.file("book.xlsx");
  auto entries = one_sheet("<row r='1'><c><v>1</v></c></row>").entries();
  for (auto& [name, content] : entries) {
    if (name == "xl/workbook.xml") content = "<workbook><sheets><sheet name='a'></sheets></workbook>";
  }
  xlsx::testing::write_zip(path, entries);
  expect_refusal(refusal(path), Code::kInvalidInput, path, "xl/workbook.xml: malformed XML at byte ");
}

TEST(XlsxRefusal, CellThatIsNotItsTypeNamesTheCell) {
  sluice::testing::TempDir dir;
  const std::string path = dir.file("cells.xlsx");
  xlsx::testing::write_zip(
      path,
      one_sheet(
          "<row r='1'><c t='inlineStr'><is><t>a</t></is></c><c t='inlineStr'><is><t>b</t></is></c></row>"
          "<row r='27'><c r='B27'><v>9.9.9</v></c></row>")
          .entries());
  expect_refusal(refusal(path), Code::kInvalidInput, path + ":Sheet1!B27", "'9.9.9' is not a number");
}

TEST(XlsxRefusal, ChartSheet) {
  sluice::testing::TempDir dir;
  const std::string path = dir.file("chart.xlsx");
  auto entries = one_sheet("<row r='1'><c><v>1</v></c></row>").entries();
  for (auto& [name, content] : entries) {
    if (name == "xl/_rels/workbook.xml.rels") {
      const size_t at = content.find("/worksheet\"");
      content.replace(at, 11, "/chartsheet\"");
    }
  }
  xlsx::testing::write_zip(path, entries);
  SourceOptions options;
  options.sheet = "Sheet1";
  expect_refusal(refusal(path, options), Code::kUnsupported, path, "sheet 'Sheet1' is a chart sheet");
  expect_refusal(refusal(path), Code::kNotFound, path, "the workbook has no worksheet");
}

}  // namespace
}  // namespace sluice::etl
