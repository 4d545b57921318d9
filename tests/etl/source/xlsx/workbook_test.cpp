#include "etl/source/xlsx/workbook.h"

#include <gtest/gtest.h>

#include "etl/source/xlsx/cell_ref.h"
#include "etl/source/xlsx/styles.h"

namespace sluice::etl::xlsx {
namespace {

TEST(XlsxWorkbook, ResolvesRelationshipTargets) {
  EXPECT_EQ(resolve_target("xl/workbook.xml", "worksheets/sheet1.xml"), "xl/worksheets/sheet1.xml");
  EXPECT_EQ(resolve_target("xl/workbook.xml", "/xl/worksheets/sheet2.xml"), "xl/worksheets/sheet2.xml");
  EXPECT_EQ(resolve_target("xl/workbook.xml", "../other/s.xml"), "other/s.xml");
  EXPECT_EQ(resolve_target("xl/workbook.xml", "./a/./b/../c.xml"), "xl/a/c.xml");
  EXPECT_EQ(resolve_target("", "xl/workbook.xml"), "xl/workbook.xml");
  EXPECT_EQ(relationships_part("xl/workbook.xml"), "xl/_rels/workbook.xml.rels");
  EXPECT_EQ(relationships_part("book.xml"), "_rels/book.xml.rels");
}

TEST(XlsxWorkbook, FindsTheMainPartThroughPackageRelationships) {
  EXPECT_EQ(find_workbook_part("").value(), "xl/workbook.xml");
  const char* rels = R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
    <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
    <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/xl/workbook2.xml"/>
    </Relationships>)";
  EXPECT_EQ(find_workbook_part(rels).value(), "xl/workbook2.xml");
}

TEST(XlsxWorkbook, ReadsSheetsDateSystemAndParts) {
  const char* book = R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
      xmlns:rel="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
    <workbookPr date1904="true"/><sheets><sheet name="A &amp; B" sheetId="1" rel:id="rId7"/>
    <sheet name="Chart" sheetId="2" rel:id="rId8"/><sheet name="Orphan" sheetId="3" rel:id="rId99"/></sheets></workbook>)";
  const char* rels = R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
    <Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet9.xml"/>
    <Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/>
    <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/>
    <Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
    </Relationships>)";
  auto info = parse_workbook(book, rels, "xl/workbook.xml");
  ASSERT_TRUE(info.is_ok()) << info.status().message();
  EXPECT_TRUE(info->date1904);
  ASSERT_EQ(info->sheets.size(), 3u);
  EXPECT_EQ(info->sheets[0].name, "A & B");
  EXPECT_EQ(info->sheets[0].part, "xl/worksheets/sheet9.xml");
  EXPECT_TRUE(info->sheets[0].worksheet);
  EXPECT_FALSE(info->sheets[1].worksheet);
  EXPECT_EQ(info->sheets[2].part, "");
  EXPECT_EQ(info->shared_strings_part, "xl/strings.xml");
  EXPECT_EQ(info->styles_part, "xl/styles.xml");
}

// Excel 2010+ (Mac and Windows) writes extension elements named workbookPr after the main one; only the main
// one holds date1904 (issue 10, class 1: dates came out 4 years and 1 day early).
TEST(XlsxWorkbook, ExtensionWorkbookPrDoesNotResetTheDateSystem) {
  const char* book = R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
      xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"
      xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
      xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"
      xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">
    <workbookPr date1904="1" defaultThemeVersion="166925"/>
    <sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>
    <extLst><ext uri="{79F54976-1DA5-4618-B147-4CDE4B953A38}"><x14:workbookPr/></ext>
    <ext uri="{140A7094-0E35-4892-8432-C4D2E57EDEB5}"><x15:workbookPr chartTrackingRefBase="1"/></ext></extLst>
    </workbook>)";
  auto info = parse_workbook(book, "", "xl/workbook.xml");
  ASSERT_TRUE(info.is_ok()) << info.status().message();
  EXPECT_TRUE(info->date1904);
  // And an extension element cannot switch the 1904 system on either.
  const char* plain = R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
      xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"><workbookPr/><sheets/>
    <extLst><ext uri="x"><x15:workbookPr date1904="1"/></ext></extLst></workbook>)";
  auto info2 = parse_workbook(plain, "", "xl/workbook.xml");
  ASSERT_TRUE(info2.is_ok()) << info2.status().message();
  EXPECT_FALSE(info2->date1904);
}

TEST(XlsxWorkbook, SelectsSheets) {
  WorkbookInfo info;
  info.sheets = {{"Chart", "c", false}, {"Data", "d", true}, {"2", "x", true}, {"More", "m", true}};
  EXPECT_EQ(select_sheet(info, "").value(), 1u);  // the first worksheet, as pandas's sheet_name=0
  EXPECT_EQ(select_sheet(info, "data").value(), 1u);
  EXPECT_EQ(select_sheet(info, "2").value(), 2u);  // a name wins over a position
  EXPECT_EQ(select_sheet(info, "3").value(), 3u);  // positions count worksheets only
  EXPECT_EQ(select_sheet(info, "4").status().code(), common::Code::kNotFound);
  EXPECT_EQ(select_sheet(info, "Nope").status().message(),
            "no sheet named 'Nope' (the workbook has 'Chart' (chart sheet), 'Data', '2', 'More')");
}

TEST(XlsxStyles, ClassifiesCellFormats) {
  const char* xml = R"(<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
    <numFmts><numFmt numFmtId="14" formatCode="0.00"/><numFmt numFmtId="170" formatCode="d/m/yy h:mm"/></numFmts>
    <cellStyleXfs><xf numFmtId="22"/></cellStyleXfs>
    <cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="170"><alignment/></xf><xf numFmtId="20"/><xf/></cellXfs>
    <dxfs><dxf><numFmt numFmtId="171" formatCode="yyyy"/></dxf></dxfs></styleSheet>)";
  auto kinds = parse_styles(xml, "xl/styles.xml");
  ASSERT_TRUE(kinds.is_ok()) << kinds.status().message();
  // A custom numFmt that reuses built-in id 14 replaces it; cellStyleXfs are not cell formats.
  EXPECT_EQ(*kinds, (std::vector<NumberKind>{NumberKind::kNumber, NumberKind::kNumber, NumberKind::kDateTime,
                                             NumberKind::kTime, NumberKind::kNumber}));
  EXPECT_EQ(parse_styles("<styleSheet><cellXfs>", "xl/styles.xml").status().code(),
            common::Code::kInvalidInput);
  EXPECT_NE(parse_styles("<!DOCTYPE s [<!ENTITY e 'x'>]><styleSheet/>", "xl/styles.xml")
                .status()
                .message()
                .find("DTD"),
            std::string::npos);
}

TEST(XlsxCellRef, ColumnsAndRows) {
  EXPECT_EQ(column_of_reference("A1"), 0);
  EXPECT_EQ(column_of_reference("F27"), 5);
  EXPECT_EQ(column_of_reference("aa3"), 26);
  EXPECT_EQ(column_of_reference("$XFD$1048576"), 16383);
  EXPECT_EQ(column_of_reference("XFE1"), -1);
  EXPECT_EQ(column_of_reference("A"), -1);
  EXPECT_EQ(column_of_reference("A0"), -1);
  EXPECT_EQ(column_of_reference("ABCD1"), -1);
  EXPECT_EQ(column_of_reference(std::string(40, 'Z') + "1"), -1);  // found by the fuzzer: int overflow
  EXPECT_EQ(column_of_reference("A1B"), -1);
  for (int c : {0, 25, 26, 51, 701, 702, 16383}) EXPECT_EQ(column_of_reference(column_letters(c) + "1"), c);
  EXPECT_EQ(column_letters(701), "ZZ");
  uint64_t row = 0;
  EXPECT_TRUE(parse_row_number("27", row));
  EXPECT_EQ(row, 27u);
  EXPECT_TRUE(parse_row_number("28.0", row));
  EXPECT_EQ(row, 28u);
  EXPECT_FALSE(parse_row_number("0", row));
  EXPECT_FALSE(parse_row_number("2.5", row));
  EXPECT_FALSE(parse_row_number("-1", row));
  EXPECT_FALSE(parse_row_number("", row));
  uint32_t style = 9;
  EXPECT_TRUE(parse_style_index("", style));
  EXPECT_EQ(style, 0u);
  EXPECT_TRUE(parse_style_index("12", style));
  EXPECT_EQ(style, 12u);
  EXPECT_FALSE(parse_style_index("1x", style));
}

}  // namespace
}  // namespace sluice::etl::xlsx
