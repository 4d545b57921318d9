#include "etl/source/xlsx/cell_value.h"

#include <gtest/gtest.h>

#include "etl/source/xlsx/ooxml_escape.h"

namespace sluice::etl::xlsx {
namespace {

std::string serial(double v, bool date1904, NumberKind kind = NumberKind::kDateTime) {
  DateTime dt;
  if (!excel_serial_to_datetime(v, date1904, kind, dt)) return "out of range";
  return format_datetime(dt);
}

TEST(XlsxExcelDate, The1900SystemWithTheLotusBug) {
  EXPECT_EQ(serial(1, false), "1900-01-01 00:00:00");
  EXPECT_EQ(serial(59, false), "1900-02-28 00:00:00");
  EXPECT_EQ(serial(60, false), "1900-02-28 00:00:00");  // Excel's phantom 1900-02-29; openpyxl reads this too
  EXPECT_EQ(serial(61, false), "1900-03-01 00:00:00");
  EXPECT_EQ(serial(0, false), "1899-12-30 00:00:00");
  EXPECT_EQ(serial(45292, false), "2024-01-01 00:00:00");
  EXPECT_EQ(serial(45292.75, false), "2024-01-01 18:00:00");
  EXPECT_EQ(serial(2958465, false), "9999-12-31 00:00:00");
  EXPECT_EQ(serial(-1, false), "1899-12-29 00:00:00");
}

TEST(XlsxExcelDate, The1904System) {
  EXPECT_EQ(serial(0, true), "1904-01-01 00:00:00");
  EXPECT_EQ(serial(1, true), "1904-01-02 00:00:00");
  EXPECT_EQ(serial(43830, true), "2024-01-01 00:00:00");
}

TEST(XlsxExcelDate, RoundsToTheMillisecond) {
  EXPECT_EQ(serial(45292 + 1.0 / 86400 + 0.4 / 86400000, false), "2024-01-01 00:00:01");
  // Expected values are openpyxl's from_excel() output for the same doubles.
  EXPECT_EQ(serial(45292 + 0.5 + 0.0015 / 86400, false), "2024-01-01 12:00:00.001000");
  EXPECT_EQ(serial(45292.12345678, false), "2024-01-01 02:57:46.666000");
  EXPECT_EQ(serial(2.5e-8, false, NumberKind::kTime), "00:00:00.002000");
  EXPECT_EQ(serial(45292.99999999999, false), "2024-01-02 00:00:00");
}

TEST(XlsxExcelDate, TimeFormatsGiveTheTimeOfDay) {
  EXPECT_EQ(serial(0.5, false, NumberKind::kTime), "12:00:00");
  EXPECT_EQ(serial(0.75 + 1.5 / 86400, false, NumberKind::kTime), "18:00:01.500000");
  EXPECT_EQ(serial(1.25, false, NumberKind::kTime), "06:00:00");
  EXPECT_EQ(serial(0.99999999999, false, NumberKind::kTime), "00:00:00");
  // Issue 10, class 3: a duration keeps its days.
  EXPECT_EQ(serial(1.25, false, NumberKind::kDuration), "30:00:00");
  EXPECT_EQ(serial(40 + 1.0 / 1440, false, NumberKind::kDuration), "960:01:00");
  EXPECT_EQ(serial(0.5, false, NumberKind::kDuration), "12:00:00");
}

TEST(XlsxExcelDate, OutOfRangeSerials) {
  EXPECT_EQ(serial(2958466, false), "out of range");
  EXPECT_EQ(serial(-700000, false), "out of range");
  EXPECT_EQ(serial(1e300, false), "out of range");
}

TEST(XlsxIso8601, DatesTimesAndBoth) {
  DateTime dt;
  ASSERT_TRUE(parse_iso8601("2024-02-29T13:45:30.25Z", dt));
  EXPECT_EQ(format_datetime(dt), "2024-02-29 13:45:30.250000");
  EXPECT_EQ(dt.kind, DateTime::Kind::kDateTime);
  ASSERT_TRUE(parse_iso8601("2024-02-29", dt));
  EXPECT_EQ(dt.kind, DateTime::Kind::kDate);
  EXPECT_EQ(format_datetime(dt), "2024-02-29");
  ASSERT_TRUE(parse_iso8601("07:08", dt));
  EXPECT_EQ(dt.kind, DateTime::Kind::kTime);
  EXPECT_EQ(format_datetime(dt), "07:08:00");
  EXPECT_FALSE(parse_iso8601("2024-13-01", dt));
  EXPECT_FALSE(parse_iso8601("yesterday", dt));
  EXPECT_FALSE(parse_iso8601("2024-01-01T25:00", dt));
}

struct Fixture {
  SharedStrings strings;
  std::vector<NumberKind> kinds{NumberKind::kNumber, NumberKind::kDateTime, NumberKind::kTime};
  CellContext context{&strings, &kinds, false};
  Fixture() {
    strings.add("first");
    strings.add("");
    strings.add("tab\there");
  }
  Value convert(CellType type, std::string_view text, uint32_t style = 0) {
    RawCell cell;
    cell.type = type;
    cell.style = style;
    Value v;
    std::string problem;
    if (!convert_cell(cell, text, context, v, problem)) return "problem: " + problem;
    return v;
  }
};

TEST(XlsxConvertCell, Numbers) {
  Fixture f;
  EXPECT_EQ(f.convert(CellType::kNumber, "42"), Value(int64_t{42}));
  EXPECT_EQ(f.convert(CellType::kNumber, "-7"), Value(int64_t{-7}));
  EXPECT_EQ(f.convert(CellType::kNumber, "3.0"), Value(int64_t{3}));
  EXPECT_EQ(f.convert(CellType::kNumber, "1E3"), Value(int64_t{1000}));
  EXPECT_EQ(f.convert(CellType::kNumber, " 5 "), Value(int64_t{5}));
  EXPECT_EQ(f.convert(CellType::kNumber, "1.5"), Value(1.5));
  EXPECT_EQ(f.convert(CellType::kNumber, "-2.5E-3"), Value(-0.0025));
  EXPECT_EQ(f.convert(CellType::kNumber, "9223372036854775807"), Value(int64_t{9223372036854775807}));
  EXPECT_EQ(f.convert(CellType::kNumber, "1E19"), Value(1e19));  // integral but beyond int64
  EXPECT_EQ(f.convert(CellType::kNumber, "99999999999999999999"), Value(1e20));
  EXPECT_EQ(f.convert(CellType::kNumber, ""), Value());
  EXPECT_EQ(f.convert(CellType::kNumber, "12abc"), Value("problem: '12abc' is not a number"));
}

TEST(XlsxConvertCell, DateStyles) {
  Fixture f;
  EXPECT_EQ(f.convert(CellType::kNumber, "45292.5", 1),
            Value(DateTime{1704110400000000, DateTime::Kind::kDateTime}));
  EXPECT_EQ(f.convert(CellType::kNumber, "0.25", 2),
            Value(DateTime{6LL * 3600 * 1000000, DateTime::Kind::kTime}));
  EXPECT_EQ(f.convert(CellType::kNumber, "45292", 9), Value(int64_t{45292}));  // style beyond cellXfs
  EXPECT_EQ(f.convert(CellType::kNumber, "1e9", 1), Value());  // beyond year 9999: NaN in pandas
  f.context.date1904 = true;
  EXPECT_EQ(f.convert(CellType::kNumber, "0", 1),
            Value(DateTime{-2082844800000000, DateTime::Kind::kDateTime}));
}

TEST(XlsxConvertCell, StringsBooleansErrors) {
  Fixture f;
  EXPECT_EQ(f.convert(CellType::kSharedString, "0"), Value("first"));
  EXPECT_EQ(f.convert(CellType::kSharedString, "1"), Value());
  EXPECT_EQ(f.convert(CellType::kSharedString, "2"), Value("tab\there"));
  EXPECT_EQ(f.convert(CellType::kSharedString, "3"),
            Value("problem: shared string index '3' is not in the shared strings table (3 strings)"));
  EXPECT_EQ(f.convert(CellType::kSharedString, "x"),
            Value("problem: shared string index 'x' is not in the shared strings table (3 strings)"));
  EXPECT_EQ(f.convert(CellType::kInlineString, "a_x000D_b"), Value("a\rb"));
  EXPECT_EQ(f.convert(CellType::kString, "x"), Value("x"));
  EXPECT_EQ(f.convert(CellType::kString, ""), Value());
  EXPECT_EQ(f.convert(CellType::kBool, "1"), Value(true));
  EXPECT_EQ(f.convert(CellType::kBool, "0"), Value(false));
  EXPECT_EQ(f.convert(CellType::kBool, "yes"), Value("problem: 'yes' is not a boolean (expected 0 or 1)"));
  EXPECT_EQ(f.convert(CellType::kError, "#N/A"), Value());
  EXPECT_EQ(f.convert(CellType::kError, "#DIV/0!"), Value());
  EXPECT_EQ(f.convert(CellType::kDate, "2024-01-02T03:04:05"),
            Value(DateTime{1704164645000000, DateTime::Kind::kDateTime}));
  EXPECT_EQ(f.convert(CellType::kUnknown, "raw"), Value("raw"));
}

TEST(XlsxOoxmlEscape, DecodesEscapes) {
  auto unescape = [](std::string_view in) {
    std::string out;
    append_unescaped(in, out);
    return out;
  };
  EXPECT_EQ(unescape("a_x000D__x000A_b"), "a\r\nb");
  EXPECT_EQ(unescape("_x005F_x000D_"), "_x000D_");  // an escaped escape is literal text
  EXPECT_EQ(unescape("_x20AC_ _xD83D__xDE00_"), "\xE2\x82\xAC \xF0\x9F\x98\x80");
  EXPECT_EQ(unescape("_xD83D_ alone"), "_xD83D_ alone");
  EXPECT_EQ(unescape("_x12_ _xGGGG_ _x0041"), "_x12_ _xGGGG_ _x0041");
  EXPECT_EQ(unescape("snake_x_case_x0041_"), "snake_x_caseA");
}

}  // namespace
}  // namespace sluice::etl::xlsx
