// Regression tests for issue 10 (workbooks nobody here wrote) on hand-made parts, for shapes only Excel
// writes; the workbooks that producers running here write are under tests/data/xlsx (see
// tests/data/xlsx/make_issue10_fixtures.py and xlsx_fixtures_test.cpp).
#include <gtest/gtest.h>

#include "etl/source/source.h"
#include "etl/source/xlsx/xlsx_test_util.h"
#include "test_support/temp_dir.h"

namespace sluice::etl {
namespace {

using xlsx::testing::MiniWorkbook;
using xlsx::testing::read_all;
using xlsx::testing::show_schema;

// What reading the workbook gives: its rows, or the error (the first rows are read when it is opened).
std::string load(const std::string& path) {
  auto source = open_source(path, {});
  if (!source.is_ok()) return "error: " + source.status().message() + "\n";
  return read_all(**source);
}

std::string write(const sluice::testing::TempDir& dir, const MiniWorkbook& book) {
  const std::string path = dir.file("book.xlsx");
  xlsx::testing::write_zip(path, book.entries());
  return path;
}

// Class 4: Excel writes a string cell whose value was cleared as <c t="s"/>, and some writers <v/>; both are
// empty cells, not a refusal of the whole file.
TEST(XlsxIssue10, EmptySharedStringCellsAreEmptyCells) {
  sluice::testing::TempDir dir;
  MiniWorkbook book;
  book.shared_strings = "<si><t>a</t></si><si><t>b</t></si><si><t>x</t></si>";
  book.sheets.push_back({"S",
                         R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>)"
                         R"(<row r="2"><c r="A2" t="s"/><c r="B2" t="s"><v>2</v></c></row>)"
                         R"(<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3" t="s"><v/></c></row>)"
                         R"(<row r="4"><c r="A4" t="s"><v> </v></c><c r="B4" t="s"><v>2</v></c></row>)"});
  auto source = open_source(write(dir, book), {});
  ASSERT_TRUE(source.is_ok()) << source.status().message();
  EXPECT_EQ(read_all(**source), "2: null | 'x'\n3: 'x' | null\n4: null | 'x'\n");
}

// Class 7: a NUL in a header cell (_x0000_ decodes to one) is refused naming the cell, not by the database.
TEST(XlsxIssue10, NulInAHeaderCellNamesTheCell) {
  sluice::testing::TempDir dir;
  MiniWorkbook book;
  book.sheets.push_back({"S", R"(<row r="1"><c r="A1" t="inlineStr"><is><t>ok</t></is></c>)"
                              R"(<c r="B1" t="inlineStr"><is><t>bad_x0000_name</t></is></c></row>)"
                              R"(<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c></row>)"});
  const std::string path = write(dir, book);
  auto source = open_source(path, {});
  ASSERT_FALSE(source.is_ok());
  EXPECT_EQ(source.status().message(), path +
                                           ":S!B1: the header cell 'bad\\x00name' holds a NUL character "
                                           "(U+0000), which a column name cannot hold");
}

// Class 10: cell text in a message is escaped and cut, whatever it holds.
TEST(XlsxIssue10, BadCellTextInMessagesIsEscapedAndCut) {
  sluice::testing::TempDir dir;
  MiniWorkbook book;
  const std::string huge(1 << 20, '9');
  book.sheets.push_back({"S", R"(<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c></row>)"
                              R"(<row r="2"><c r="A2" t="b"><v>red&#10;line&#9;x</v></c></row>)"
                              R"(<row r="3"><c r="A3"><v>x)" +
                                  huge + R"(</v></c></row>)"});
  const std::string path = write(dir, book);
  EXPECT_EQ(load(path), "error: " + path + ":S!A2: 'red\\nline\\tx' is not a boolean (expected 0 or 1)\n");
  MiniWorkbook book2;
  book2.sheets.push_back({"S", R"(<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c></row>)"
                               R"(<row r="2"><c r="A2"><v>x)" +
                                   huge + R"(</v></c></row>)"});
  const std::string path2 = write(dir, book2);
  EXPECT_EQ(load(path2), "error: " + path2 + ":S!A2: 'x" + std::string(79, '9') +
                             "'... (1048577 bytes) is not a number\n");
}

}  // namespace
}  // namespace sluice::etl

namespace sluice::etl {
namespace {

// Class 2: a value right of the header's last cell, below the rows read ahead to find the columns, is an
// error naming the cell, never dropped.
TEST(XlsxIssue10, AValueRightOfTheColumnsAfterTheWindowNamesTheCell) {
  sluice::testing::TempDir dir;
  MiniWorkbook book;
  std::string rows = R"(<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>)";
  for (int r = 2; r <= 8194; ++r) rows += "<row r=\"" + std::to_string(r) + "\"><c><v>1</v></c></row>";
  rows += R"(<row r="8195"><c r="A8195"><v>1</v></c><c r="C8195"><v>5</v></c></row>)";
  book.sheets.push_back({"S", rows});
  const std::string path = write(dir, book);
  const std::string got = load(path);
  const std::string want = "error: " + path +
                           ":S!C8195: a value right of the last column (A); the columns are the header's and "
                           "those with values in the first 8192 rows\n";
  ASSERT_GE(got.size(), want.size());
  EXPECT_EQ(got.substr(got.size() - want.size()), want);
}

}  // namespace
}  // namespace sluice::etl
