// Hand-written worksheet XML: each case states what the scanner must read, and is also checked against the
// expat reference and with the input handed over in chunks of every small size, so that every item
// straddles a refill somewhere.
#include "etl/source/xlsx/sheet_scanner.h"

#include <gtest/gtest.h>

#include "etl/source/xlsx/reference_sheet_parser.h"

namespace sluice::etl::xlsx {
namespace {

using testing::ParseOutcome;
using testing::ReferenceSheetParser;
using testing::scan_sheet;

std::string sheet(const std::string& rows) {
  return R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C3"/>)"
         "<sheetData>" +
         rows + "</sheetData><mergeCells count=\"0\"/></worksheet>";
}

// Expects the scanner, at every chunk size, and the reference to read `expected`.
void expect_reads(const std::string& xml, const std::string& expected) {
  const ParseOutcome reference = ReferenceSheetParser::parse(xml);
  ASSERT_EQ(reference.kind, ParseOutcome::Kind::kOk) << xml;
  EXPECT_EQ(reference.dump, expected) << "reference disagrees with the expectation";
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{5}, size_t{8}, size_t{13}, size_t{1} << 20}) {
    const ParseOutcome scanned = scan_sheet(xml, chunk);
    EXPECT_EQ(scanned.kind, ParseOutcome::Kind::kOk) << scanned.dump;
    EXPECT_EQ(scanned.dump, expected) << "chunk " << chunk;
  }
}

void expect_error(const std::string& xml, const std::string& message_part) {
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{1} << 20}) {
    const ParseOutcome scanned = scan_sheet(xml, chunk);
    EXPECT_EQ(scanned.kind, ParseOutcome::Kind::kError) << scanned.dump;
    EXPECT_NE(scanned.dump.find(message_part), std::string::npos) << scanned.dump;
  }
}

TEST(XlsxSheetScanner, ReadsTypesStylesAndValues) {
  expect_reads(
      sheet(R"(<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="B1" s="3"><v>1.5</v></c>)"
            R"(<c r="C1" t="b"><v>1</v></c></row>)"
            R"(<row r="2"><c r="A2" t="e"><v>#N/A</v></c><c r="B2" t="str"><f>A1&amp;"x"</f><v>hix</v></c>)"
            R"(<c r="C2" t="d"><v>2024-01-02</v></c></row>)"),
      "row 1\n  A t=1 s=0 '0'\n  B t=0 s=3 '1.5'\n  C t=4 s=0 '1'\n"
      "row 2\n  A t=5 s=0 '#N/A'\n  B t=2 s=0 'hix'\n  C t=6 s=0 '2024-01-02'\n");
}

TEST(XlsxSheetScanner, MissingReferencesContinueFromThePreviousOne) {
  expect_reads(sheet(R"(<row><c><v>1</v></c><c><v>2</v></c><c r="E7"><v>3</v></c><c><v>4</v></c></row>)"
                     R"(<row r="5"><c><v>5</v></c></row><row><c r=""><v>6</v></c></row>)"),
               "row 1\n  A t=0 s=0 '1'\n  B t=0 s=0 '2'\n  E t=0 s=0 '3'\n  F t=0 s=0 '4'\n"
               "row 5\n  A t=0 s=0 '5'\nrow 6\n  A t=0 s=0 '6'\n");
}

TEST(XlsxSheetScanner, PrefixedNamespacesMatchByLocalName) {
  const std::string xml =
      R"(<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>)"
      R"(<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>hi</x:t></x:is></x:c><x:c r="B1"><x:v>2</x:v></x:c>)"
      R"(</x:row></x:sheetData></x:worksheet>)";
  expect_reads(xml, "row 1\n  A t=3 s=0 'hi'\n  B t=0 s=0 '2'\n");
}

TEST(XlsxSheetScanner, DecodesEntitiesCharacterReferencesAndCdata) {
  expect_reads(
      sheet(R"(<row r="1"><c r="A1" t="str"><v>&amp;&lt;&gt;&quot;&apos;&#65;&#x42;&#x20AC;&#128512;</v></c>)"
            R"(<c r="B1" t="str"><v><![CDATA[<b>&amp;</b>]]> tail</v></c></row>)"),
      "row 1\n  A t=2 s=0 '&<>\"\\'AB\xE2\x82\xAC\xF0\x9F\x98\x80'\n  B t=2 s=0 '<b>&amp;</b> tail'\n");
}

TEST(XlsxSheetScanner, InlineStringRunsSkipPhoneticText) {
  expect_reads(sheet(R"(<row r="1"><c r="A1" t="inlineStr"><is><r><rPr><b/></rPr><t>Bold</t></r>)"
                     R"(<r><t xml:space="preserve"> plain </t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh>)"
                     R"(<phoneticPr fontId="1"/></is></c></row>)"),
               "row 1\n  A t=3 s=0 'Bold plain '\n");
}

TEST(XlsxSheetScanner, InlineStringIgnoresValueAndOtherCellsIgnoreInlineText) {
  expect_reads(sheet(R"(<row r="1"><c r="A1" t="inlineStr"><v>no</v><is><t>yes</t></is></c>)"
                     R"(<c r="B1"><is><t>no</t></is><v>7</v></c></row>)"),
               "row 1\n  A t=3 s=0 'yes'\n  B t=0 s=0 '7'\n");
}

TEST(XlsxSheetScanner, FormulaWithoutCachedValueIsEmpty) {
  expect_reads(sheet(R"(<row r="1"><c r="A1"><f>SUM(B1:B2)</f></c><c r="B1" s="2"/></row>)"),
               "row 1\n  A t=0 s=0 ''\n  B t=0 s=2 ''\n");
}

TEST(XlsxSheetScanner, OddButWellFormedMarkup) {
  // Single quotes, attributes in any order, spaces around '=', comments and processing instructions
  // everywhere, end tags with trailing spaces, an empty row, text between cells.
  expect_reads(
      sheet("<!-- a comment --><row\n r = '3' ht=\"20\" ><?pi x?> <c s='1'\tt='s'  r='C3' ><!--x--><v>1<!--"
            "y-->2</v\n></c >\n<c\nr=\"D3\"><v>&#32;4 </v></c></row ><row r='4'/>"),
      "row 3\n  C t=1 s=1 '12'\n  D t=0 s=0 ' 4 '\nrow 4\n");
}

TEST(XlsxSheetScanner, NormalisesLineEndsInTextButNotCharacterReferences) {
  expect_reads(sheet("<row r=\"1\"><c r=\"A1\" t=\"str\"><v>a\r\nb\rc&#13;d</v></c></row>"),
               "row 1\n  A t=2 s=0 'a\\x0ab\\x0ac\\x0dd'\n");
}

TEST(XlsxSheetScanner, DecodesAttributeValues) {
  expect_reads(sheet(R"(<row r="&#49;"><c r="&#x42;1" t="&#115;"><v>0</v></c></row>)"),
               "row 1\n  B t=1 s=0 '0'\n");
}

TEST(XlsxSheetScanner, IgnoresElementsOutsideRowsAndCells) {
  expect_reads(
      sheet(R"(<extLst><row r="9"><c><v>9</v></c></row></extLst><row r="1"><extLst><c r="A1"><v>no</v></c>)"
            R"(</extLst><c r="B1"><v>1</v><extLst><v>x</v></extLst></c></row>)"),
      "row 1\n  B t=0 s=0 '1'\n");
}

TEST(XlsxSheetScanner, ReadsOnlyTheFirstSheetData) {
  const std::string xml =
      "<worksheet><sheetData><row r='1'><c><v>1</v></c></row></sheetData>"
      "<sheetData><row r='2'><c><v>2</v></c></row></sheetData></worksheet>";
  expect_reads(xml, "row 1\n  A t=0 s=0 '1'\n");
}

TEST(XlsxSheetScanner, SheetWithoutDataHasNoRows) {
  expect_reads("<worksheet><sheetData/></worksheet>", "");
  expect_reads("<worksheet><dimension ref='A1'/></worksheet>", "");
  expect_reads("\xEF\xBB\xBF<worksheet><sheetData></sheetData></worksheet>", "");
}

TEST(XlsxSheetScanner, LargeInlineStringGrowsTheWindow) {
  const std::string big(1 << 20, 'x');
  const std::string xml = sheet("<row r='1'><c r='A1' t='inlineStr'><is><t>" + big + "</t></is></c></row>");
  const ParseOutcome scanned = scan_sheet(xml, 1 << 16);
  ASSERT_EQ(scanned.kind, ParseOutcome::Kind::kOk);
  EXPECT_EQ(scanned.dump, "row 1\n  A t=3 s=0 '" + big + "'\n");
}

TEST(XlsxSheetScanner, RefusesMalformedInputWithPartAndOffset) {
  expect_error(sheet("<row r='1'><c r='A1'><v>1</v></c></row><row><c r='A2'<v>2</v></c></row>"),
               "sheet.xml: malformed XML at byte");
  expect_error(sheet("<row r='1'><c r='A1'><v>1</v></c></row>").substr(0, 200), "ends inside <sheetData>");
  expect_error("<worksheet><sheetData><row><c><v>1</v></c></row>", "ends inside <sheetData>");
  expect_error(sheet("<row r='1'><c r='A1' t='str'><v>&bogus;</v></c></row>"), "unknown entity");
  expect_error(sheet("<row r='1'><c r='A1' t='str'><v>&#0;</v></c></row>"), "invalid character reference");
  expect_error(sheet("<row r='1'><c r='A1' s=1><v>1</v></c></row>"), "quoted attribute value");
  expect_error("<!DOCTYPE x [<!ENTITY a 'b'>]><worksheet><sheetData/></worksheet>", "DOCTYPE");
}

TEST(XlsxSheetScanner, RefusesMeaninglessReferences) {
  expect_error(sheet("<row r='x'><c><v>1</v></c></row>"), "invalid row number 'x'");
  expect_error(sheet("<row r='1'><c r='1A'><v>1</v></c></row>"), "invalid cell reference '1A'");
  expect_error(sheet("<row r='1'><c r='XFE1'><v>1</v></c></row>"), "invalid cell reference 'XFE1'");
  const std::string letters(30, 'Z');  // longer than any column: must not overflow on the way
  expect_error(sheet("<row r='1'><c r=\"" + letters + "1\"><v>1</v></c></row>"),
               "invalid cell reference '" + letters);
  expect_error(sheet("<row r='1'><c r='A1' s='-1'><v>1</v></c></row>"), "invalid style index '-1'");
  const ParseOutcome reference =
      ReferenceSheetParser::parse(sheet("<row r='1'><c r='1A'><v>1</v></c></row>"));
  EXPECT_EQ(reference.kind, ParseOutcome::Kind::kError);
}

TEST(XlsxSheetScanner, ErrorOffsetIsTheByteInThePart) {
  const std::string xml =
      "<worksheet><sheetData><row r='1'><c r='A1'><v>&nope;</v></c></row></sheetData></worksheet>";
  const size_t amp = xml.find('&');
  for (size_t chunk : {size_t{1}, size_t{10}, size_t{1} << 20}) {
    const ParseOutcome scanned = scan_sheet(xml, chunk);
    EXPECT_NE(scanned.dump.find("at byte " + std::to_string(amp) + ":"), std::string::npos) << scanned.dump;
  }
}

TEST(XlsxCellType, ParsesTheTAttribute) {
  EXPECT_EQ(parse_cell_type(""), CellType::kNumber);
  EXPECT_EQ(parse_cell_type("n"), CellType::kNumber);
  EXPECT_EQ(parse_cell_type("s"), CellType::kSharedString);
  EXPECT_EQ(parse_cell_type("str"), CellType::kString);
  EXPECT_EQ(parse_cell_type("inlineStr"), CellType::kInlineString);
  EXPECT_EQ(parse_cell_type("b"), CellType::kBool);
  EXPECT_EQ(parse_cell_type("e"), CellType::kError);
  EXPECT_EQ(parse_cell_type("d"), CellType::kDate);
  EXPECT_EQ(parse_cell_type("inlinestr"), CellType::kUnknown);
  EXPECT_EQ(parse_cell_type("S"), CellType::kUnknown);
}

}  // namespace
}  // namespace sluice::etl::xlsx
