// Workbooks written by LibreOffice (tools/make_xlsx_fixtures.sh). The expected values were checked against
// pandas.read_excel(engine="openpyxl") on the same files; where pandas differs by design it is noted.
#include <gtest/gtest.h>

#include "etl/source/source.h"
#include "etl/source/xlsx/xlsx_test_util.h"

namespace sluice::etl {
namespace {

using xlsx::testing::read_all;
using xlsx::testing::show_schema;

std::string fixture(const std::string& name) {
  return std::string(SLUICE_SOURCE_DIR) + "/tests/data/xlsx/" + name;
}

TEST(XlsxFixtures, LibreOfficeTypes) {
  auto source = open_source(fixture("libreoffice_types.xlsx"), {});
  ASSERT_TRUE(source.is_ok()) << source.status().message();
  EXPECT_EQ(show_schema((*source)->schema()),
            "id(A) name(B) born(C) seen(D) alarm(E) score(F) ok(G) double(H) greeting(I)");
  // LibreOffice writes booleans as numbers with a TRUE/FALSE format, so they read as 1 and 0 (pandas too).
  EXPECT_EQ(
      read_all(**source),
      "2: 1 | 'Zoë Ångström' | @1990-05-17 00:00:00 | @2024-01-02 03:04:05 | @t07:30:00 | 9.5d | 1 | 19 | "
      "'hi Zoë Ångström'\n"
      "3: 2 | '東京 & <more>' | @1900-03-01 00:00:00 | @1970-01-01 00:00:00 | @t23:59:00 | -0.25d | 0 | "
      "-0.5d | "
      "'hi 東京 & <more>'\n");
}

TEST(XlsxFixtures, LibreOfficeSparseSecondSheet) {
  SourceOptions options;
  options.sheet = "Sparse";
  auto source = open_source(fixture("libreoffice_sparse.xlsx"), options);
  ASSERT_TRUE(source.is_ok()) << source.status().message();
  // The columns right of the header up to J are kept, as pandas keeps them (issue 10, class 2); pandas
  // also keeps the all-empty rows 3-5 (as NaN rows).
  EXPECT_EQ(
      show_schema((*source)->schema()),
      "a(A) Unnamed: 1(B) Unnamed: 2(C) d(D) e(E) Unnamed: 5(F) Unnamed: 6(G) Unnamed: 7(H) Unnamed: 8(I) "
      "Unnamed: 9(J)");
  EXPECT_EQ(read_all(**source),
            "2: 1 | null | null | null | 5 | null | null | null | null | null\n"
            "6: null | 'middle' | null | 4 | null | null | null | null | null | null\n"
            "7: 7 | null | null | null | null | null | null | null | null | 99\n");

  auto cover = open_source(fixture("libreoffice_sparse.xlsx"), {});
  ASSERT_TRUE(cover.is_ok()) << cover.status().message();
  EXPECT_EQ(show_schema((*cover)->schema()), "title(A)");
  EXPECT_EQ(read_all(**cover), "2: 'See the Sparse sheet'\n");
}

// Issue 10 fixtures (tests/data/xlsx/make_issue10_fixtures.py); expected values checked against
// pandas.read_excel(engine="openpyxl") on the same files, differences noted.

// Class 1: openpyxl's 1904 workbook with the x14/x15 workbookPr extensions Excel for Mac adds.
TEST(XlsxFixtures, ExcelMac1904WithExtensionElements) {
  auto source = open_source(fixture("excel_mac_1904.xlsx"), {});
  ASSERT_TRUE(source.is_ok()) << source.status().message();
  EXPECT_EQ(
      read_all(**source),
      "2: @2024-03-15 00:00:00 | @1999-12-31 23:59:58\n3: @1904-01-02 00:00:00 | @2000-02-29 12:00:00\n");
}

// Class 2: values right of the header keep columns of their own, named as pandas names them.
TEST(XlsxFixtures, OpenpyxlWideRowsKeepTheirColumns) {
  auto source = open_source(fixture("openpyxl_wide_rows.xlsx"), {});
  ASSERT_TRUE(source.is_ok()) << source.status().message();
  EXPECT_EQ(show_schema((*source)->schema()), "a(A) b(B) Unnamed: 2(C) Unnamed: 3(D) Unnamed: 4(E)");
  EXPECT_EQ(
      read_all(**source),
      "2: 1 | 'x' | 3.5d | null | null\n3: 2 | 'y' | null | null | 'far'\n4: 3 | null | 7 | null | null\n");
}

// Class 3: times of day, and [h]:mm:ss durations with their days (pandas, through openpyxl 3.0.9, reads
// the durations of a day or more as datetimes in January 1900).
TEST(XlsxFixtures, OpenpyxlTimesKeepDays) {
  auto source = open_source(fixture("openpyxl_times.xlsx"), {});
  ASSERT_TRUE(source.is_ok()) << source.status().message();
  EXPECT_EQ(read_all(**source),
            "2: @t07:30:00 | @t01:02:03\n3: @t23:59:59.500000 | @t26:00:00\n4: @t00:00:00 | @t960:01:00\n");
}

}  // namespace
}  // namespace sluice::etl
