#include "etl/source/xlsx/number_format.h"

#include <gtest/gtest.h>

namespace sluice::etl::xlsx {
namespace {

TEST(XlsxNumberFormat, BuiltInIds) {
  for (int id : {14, 15, 16, 17, 22, 27, 30, 31, 34, 36, 50, 54, 58}) {
    EXPECT_EQ(classify_builtin_format(id), NumberKind::kDateTime) << id;
  }
  for (int id : {18, 19, 20, 21, 32, 33, 45, 47})
    EXPECT_EQ(classify_builtin_format(id), NumberKind::kTime) << id;
  EXPECT_EQ(classify_builtin_format(46), NumberKind::kDuration);
  for (int id : {0, 1, 2, 3, 4, 9, 10, 11, 12, 13, 23, 26, 37, 44, 48, 49, 59, 164}) {
    EXPECT_EQ(classify_builtin_format(id), NumberKind::kNumber) << id;
  }
}

TEST(XlsxNumberFormat, DateCodes) {
  for (const char* code :
       {"yyyy-mm-dd", "dd/mm/yyyy", "d", "mmm-yy", "m/d/yyyy h:mm", "yyyy-mm-dd hh:mm:ss",
        "[$-409]mmmm d, yyyy;@", "dddd", "[Red]yyyy", "YYYY\\-MM\\-DD", "mm/dd", "\"Date: \"d"}) {
    EXPECT_EQ(classify_format_code(code), NumberKind::kDateTime) << code;
  }
}

TEST(XlsxNumberFormat, TimeCodes) {
  for (const char* code :
       {"h:mm", "hh:mm:ss", "h:mm AM/PM", "h:mm:ss A/P", "mm:ss", "mm:ss.0", "ss", "H:MM"}) {
    EXPECT_EQ(classify_format_code(code), NumberKind::kTime) << code;
  }
  for (const char* code : {"[h]:mm:ss", "[mm]:ss", "[ss].00", "[hh]"}) {
    EXPECT_EQ(classify_format_code(code), NumberKind::kDuration) << code;
  }
}

TEST(XlsxNumberFormat, NumberCodes) {
  for (const char* code :
       {"General", "0", "0.00", "#,##0.00", "0%", "0.00E+00", "\"days\" 0", "0 \"hrs\"", "[Red]0.00",
        "[$$-409]#,##0.00", "#,##0_);(#,##0)", "_-* #,##0_-", "\\d0", "@", "[>100]0", "0;\"yyyy\"", ""}) {
    EXPECT_EQ(classify_format_code(code), NumberKind::kNumber) << code;
  }
}

TEST(XlsxNumberFormat, OnlyTheFirstSectionCounts) {
  EXPECT_EQ(classify_format_code("0.00;yyyy"), NumberKind::kNumber);
  EXPECT_EQ(classify_format_code("yyyy;0.00"), NumberKind::kDateTime);
  EXPECT_EQ(classify_format_code("\"a;b\"yyyy"), NumberKind::kDateTime);
}

}  // namespace
}  // namespace sluice::etl::xlsx
