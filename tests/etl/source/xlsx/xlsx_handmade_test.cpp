// Workbooks written by hand as zips, for what spreadsheet programs write but libxlsxwriter does not:
// inline strings, prefixed namespaces, missing r attributes, rich text, error cells, the 1904 system.
#include <gtest/gtest.h>

#include "etl/source/source.h"
#include "etl/source/xlsx/xlsx_test_util.h"
#include "test_support/temp_dir.h"

namespace sluice::etl {
namespace {

using xlsx::testing::MiniSheet;
using xlsx::testing::MiniWorkbook;
using xlsx::testing::read_all;
using xlsx::testing::show_schema;

std::unique_ptr<Source> open_ok(const std::string& path, SourceOptions options = {}) {
  auto source = open_source(path, options);
  EXPECT_TRUE(source.is_ok()) << source.status().message();
  return source.is_ok() ? std::move(*source) : nullptr;
}

std::string write(const sluice::testing::TempDir& dir, const MiniWorkbook& book, bool store = false) {
  const std::string path = dir.file("book.xlsx");
  xlsx::testing::write_zip(path, book.entries(), store);
  return path;
}

const char* kStyles =
    R"(<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/><numFmt numFmtId="165" formatCode="[h]:mm"/>
<numFmt numFmtId="166" formatCode="&quot;Week &quot;0"/></numFmts>
<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>
<cellXfs count="7"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/>
<xf numFmtId="21"/><xf numFmtId="22"/></cellXfs></styleSheet>)";

TEST(XlsxHandmade, ReadsEveryKindOfCell) {
  sluice::testing::TempDir dir;
  MiniWorkbook book;
  book.styles = kStyles;
  book.shared_strings =
      "<si><t>name</t></si><si><r><rPr><b/></rPr><t>Ri</t></r><r><t xml:space=\"preserve\">ch </t></r>"
      "<rPh sb=\"0\" eb=\"1\"><t>ignored</t></rPh></si><si><t>line_x000D__x000A_two</t></si>";
  book.sheets.push_back(
      {"Data",
       R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>when</t></is></c>)"
       R"(<c r="C1" t="str"><v>flag</v></c><c r="D1" t="inlineStr"><is><t>n</t></is></c></row>)"
       R"(<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" s="1"><v>45292</v></c><c r="C2" t="b"><v>1</v></c>)"
       R"(<c r="D2"><v>42</v></c></row>)"
       R"(<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3" s="2"><v>45292.5</v></c><c r="C3" t="b"><v>0</v></c>)"
       R"(<c r="D3" s="4"><v>2.5</v></c></row>)"
       R"(<row r="4"><c r="A4" t="inlineStr"><is><t>caf&#xE9; &amp; &lt;bar&gt;</t></is></c>)"
       R"(<c r="B4" s="3"><v>1.5</v></c><c r="C4" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="D4"><f>D2*2</f><v>84</v></c></row>)"
       R"(<row r="5"><c r="A5" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="B5" s="5"><v>0.75</v></c>)"
       R"(<c r="C5" t="e"><v>#N/A</v></c><c r="D5"><v>-1E-3</v></c></row>)"
       R"(<row r="6"><c r="A6" t="d"><v>2024-03-04T05:06:07</v></c><c r="B6" s="6"><v>45292.25</v></c></row>)"});
  auto source = open_ok(write(dir, book));
  ASSERT_TRUE(source);
  EXPECT_EQ(show_schema(source->schema()), "name(A) when(B) flag(C) n(D)");
  EXPECT_EQ(read_all(*source),
            "2: 'Rich ' | @2024-01-01 00:00:00 | True | 42\n"
            "3: 'line\r\ntwo' | @2024-01-01 12:00:00 | False | 2.5d\n"
            "4: 'café & <bar>' | @t36:00:00 | null | 84\n"  // [h]:mm of 1.5 days keeps its days
            "5: 'ab' | @t18:00:00 | null | -0.001d\n"
            "6: @2024-03-04 05:06:07 | @2024-01-01 06:00:00 | null | null\n");
}

TEST(XlsxHandmade, PrefixedNamespacesMissingReferencesAndSparseCells) {
  sluice::testing::TempDir dir;
  MiniWorkbook book;
  book.sheets.push_back(
      {"S",
       R"(<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)"
       R"(<x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>b</x:t>)"
       R"(</x:is></x:c><x:c r="D1" t="inlineStr"><x:is><x:t>d</x:t></x:is></x:c></x:row>)"
       R"(<x:row><x:c><x:v>1</x:v></x:c><x:c r="C2"><x:v>3</x:v></x:c><x:c><x:v>4</x:v></x:c><x:c><x:v>5</x:v></x:c></x:row>)"
       R"(<x:row r="5"><x:c r="B5"><x:v>7</x:v></x:c></x:row><x:row><x:c r="A6" s="0"/></x:row><x:row/>)"
       R"(<x:row><x:c r="E8"><x:v>9</x:v></x:c><x:c r="A8"><x:v>8</x:v></x:c></x:row></x:sheetData></x:worksheet>)",
       "", true});
  auto source = open_ok(write(dir, book));
  ASSERT_TRUE(source);
  // E-column values lie beyond the header: a column of their own, as in pandas (issue 10, class 2).
  EXPECT_EQ(show_schema(source->schema()), "a(A) b(B) Unnamed: 2(C) d(D) Unnamed: 4(E)");
  // Row 6 has only an empty cell and row 7 none: both skipped.
  EXPECT_EQ(read_all(*source),
            "2: 1 | null | 3 | 4 | 5\n5: null | 7 | null | null | null\n8: 8 | null | null | null | 9\n");
}

TEST(XlsxHandmade, RowsThatGoBackAreDroppedAsOpenpyxlDoes) {
  sluice::testing::TempDir dir;
  MiniWorkbook book;
  book.sheets.push_back(
      {"S",
       R"(<row r="1"><c t="inlineStr"><is><t>h</t></is></c></row><row r="3"><c><v>3</v></c></row>)"
       R"(<row r="2"><c><v>2</v></c></row><row r="3"><c><v>33</v></c></row><row><c><v>4</v></c></row>)"});
  auto source = open_ok(write(dir, book));
  ASSERT_TRUE(source);
  EXPECT_EQ(read_all(*source), "3: 3\n4: 4\n");
}

TEST(XlsxHandmade, The1904DateSystem) {
  sluice::testing::TempDir dir;
  MiniWorkbook book;
  book.date1904 = true;
  book.styles = kStyles;
  book.sheets.push_back(
      {"S", R"(<row r="1"><c t="inlineStr"><is><t>d</t></is></c></row>)"
            R"(<row r="2"><c s="1"><v>0</v></c></row><row r="3"><c s="1"><v>43830.5</v></c></row>)"});
  auto source = open_ok(write(dir, book));
  ASSERT_TRUE(source);
  EXPECT_EQ(read_all(*source), "2: @1904-01-01 00:00:00\n3: @2024-01-01 12:00:00\n");
}

TEST(XlsxHandmade, HeaderNamesFollowPandas) {
  sluice::testing::TempDir dir;
  MiniWorkbook book;
  book.sheets.push_back(
      {"S",
       R"(<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c><c r="C1" t="inlineStr"><is><t>x</t></is></c>)"
       R"(<c r="D1"><v>2024</v></c><c r="E1"><v>1.5</v></c><c r="F1" t="b"><v>1</v></c><c r="G1" t="inlineStr"><is>)"
       R"(<t></t></is></c></row><row r="2"><c r="G2"><v>1</v></c><c r="A2"><v>0</v></c></row>)"});
  auto source = open_ok(write(dir, book));
  ASSERT_TRUE(source);
  // G1 is empty, so G is named by its position; G2's value keeps it (pandas: Unnamed: 6).
  EXPECT_EQ(show_schema(source->schema()), "x(A) Unnamed: 1(B) x.1(C) 2024(D) 1.5(E) True(F) Unnamed: 6(G)");
  EXPECT_EQ(read_all(*source), "2: 0 | null | null | null | null | null | 1\n");
}

TEST(XlsxHandmade, SelectsSheetsByNameOrPositionThroughRelationships) {
  sluice::testing::TempDir dir;
  MiniWorkbook book;
  // The first sheet in tab order lives in sheet3.xml: selection must follow workbook.xml, not file names.
  book.sheets.push_back(
      {"Summary",
       R"(<row r="1"><c t="inlineStr"><is><t>s</t></is></c></row><row r="2"><c><v>1</v></c></row>)",
       "worksheets/sheet3.xml"});
  book.sheets.push_back(
      {"Raw data",
       R"(<row r="1"><c t="inlineStr"><is><t>r</t></is></c></row><row r="2"><c><v>2</v></c></row>)",
       "/xl/worksheets/sheet1.xml"});
  book.sheets.push_back(
      {"3", R"(<row r="1"><c t="inlineStr"><is><t>three</t></is></c></row><row r="2"><c><v>3</v></c></row>)",
       "worksheets/../worksheets/sheet2.xml"});
  const std::string path = write(dir, book);
  auto first = open_ok(path);
  ASSERT_TRUE(first);
  EXPECT_EQ(show_schema(first->schema()), "s(A)");
  for (const char* selector : {"Raw data", "raw DATA", "2"}) {
    SourceOptions options;
    options.sheet = selector;
    auto source = open_ok(path, options);
    ASSERT_TRUE(source);
    EXPECT_EQ(show_schema(source->schema()), "r(A)") << selector;
    EXPECT_EQ(source->location(source->schema()[0], 2), path + ":Raw data!A2");
    EXPECT_EQ(source->location(Field{"derived", ColumnType::kText, ""}, 7), path + ":Raw data row 7");
  }
  SourceOptions options;
  options.sheet = "3";  // a sheet named "3" wins over the third sheet
  auto named = open_ok(path, options);
  ASSERT_TRUE(named);
  EXPECT_EQ(show_schema(named->schema()), "three(A)");
}

TEST(XlsxHandmade, HeaderRowOption) {
  sluice::testing::TempDir dir;
  MiniWorkbook book;
  book.sheets.push_back(
      {"S",
       R"(<row r="1"><c t="inlineStr"><is><t>Report title</t></is></c></row>)"
       R"(<row r="3"><c t="inlineStr"><is><t>id</t></is></c><c t="inlineStr"><is><t>v</t></is></c></row>)"
       R"(<row r="4"><c><v>1</v></c><c><v>10</v></c></row>)"});
  SourceOptions options;
  options.header_row = 3;
  auto source = open_ok(write(dir, book), options);
  ASSERT_TRUE(source);
  EXPECT_EQ(show_schema(source->schema()), "id(A) v(B)");
  EXPECT_EQ(read_all(*source), "4: 1 | 10\n");
}

TEST(XlsxHandmade, BatchesProgressAndStoredEntries) {
  sluice::testing::TempDir dir;
  MiniWorkbook book;
  std::string rows = R"(<row r="1"><c t="inlineStr"><is><t>n</t></is></c></row>)";
  for (int r = 2; r <= 1001; ++r)
    rows += "<row r=\"" + std::to_string(r) + "\"><c><v>" + std::to_string(r) + "</v></c></row>";
  book.sheets.push_back({"S", rows});
  for (bool store : {false, true}) {
    SourceOptions options;
    options.batch_rows = 300;
    auto source = open_ok(write(dir, book, store), options);
    ASSERT_TRUE(source);
    Batch batch;
    std::vector<size_t> sizes;
    uint64_t last_bytes = 0;
    int64_t sum = 0;
    for (;;) {
      auto more = source->next(batch);
      ASSERT_TRUE(more.is_ok()) << more.status().message();
      if (!*more) break;
      sizes.push_back(batch.num_rows());
      EXPECT_GE(batch.bytes_consumed, last_bytes);
      last_bytes = batch.bytes_consumed;
      for (const Value& v : batch.columns[0]) sum += std::get<int64_t>(v);
    }
    EXPECT_EQ(sizes, (std::vector<size_t>{300, 300, 300, 100})) << store;
    EXPECT_EQ(sum, 1001 * 1002 / 2 - 1);
    EXPECT_EQ(last_bytes, source->total_bytes());
    EXPECT_GT(source->total_bytes(), 0u);
    auto again = source->next(batch);
    ASSERT_TRUE(again.is_ok());
    EXPECT_FALSE(*again);
    EXPECT_EQ(batch.num_rows(), 0u);
  }
}

}  // namespace
}  // namespace sluice::etl
