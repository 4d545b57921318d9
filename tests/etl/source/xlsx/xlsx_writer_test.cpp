// Workbooks written at test time by libxlsxwriter, which writes what Excel writes: shared strings (or inline
// strings in constant-memory mode), styles with built-in and custom number formats, formulas with cached
// results, rich strings, _xHHHH_ escapes for control characters.
#include <gtest/gtest.h>
#include <xlsxwriter.h>

#include "etl/source/source.h"
#include "etl/source/xlsx/xlsx_test_util.h"
#include "test_support/temp_dir.h"

namespace sluice::etl {
namespace {

using xlsx::testing::read_all;
using xlsx::testing::show_schema;

std::unique_ptr<Source> open_ok(const std::string& path, SourceOptions options = {}) {
  auto source = open_source(path, options);
  EXPECT_TRUE(source.is_ok()) << source.status().message();
  return source.is_ok() ? std::move(*source) : nullptr;
}

// Writes one sheet in both of libxlsxwriter's modes: shared strings, and constant memory (inline strings).
template <typename Fill>
std::vector<std::string> write_both_ways(const sluice::testing::TempDir& dir, Fill fill) {
  std::vector<std::string> paths;
  for (uint8_t constant_memory : {0, 1}) {
    const std::string path = dir.file(constant_memory ? "inline.xlsx" : "shared.xlsx");
    lxw_workbook_options options = {};
    options.constant_memory = constant_memory;
    options.tmpdir = const_cast<char*>(dir.path().c_str());
    lxw_workbook* book = workbook_new_opt(path.c_str(), &options);
    fill(book);
    EXPECT_EQ(workbook_close(book), LXW_NO_ERROR);
    paths.push_back(path);
  }
  return paths;
}

TEST(XlsxWriter, StringsNumbersBooleansFormulas) {
  sluice::testing::TempDir dir;
  for (const std::string& path : write_both_ways(dir, [](lxw_workbook* book) {
         lxw_worksheet* ws = workbook_add_worksheet(book, "People");
         const char* header[] = {"id", "name", "score", "active", "twice", "label"};
         for (lxw_col_t c = 0; c < 6; ++c) worksheet_write_string(ws, 0, c, header[c], nullptr);
         worksheet_write_number(ws, 1, 0, 1, nullptr);
         worksheet_write_string(ws, 1, 1, "Ann", nullptr);
         worksheet_write_number(ws, 1, 2, 9.75, nullptr);
         worksheet_write_boolean(ws, 1, 3, 1, nullptr);
         worksheet_write_formula_num(ws, 1, 4, "=C2*2", nullptr, 19.5);
         worksheet_write_formula_str(ws, 1, 5, "=B2&\"!\"", nullptr, "Ann!");
         worksheet_write_number(ws, 2, 0, 2, nullptr);
         worksheet_write_string(ws, 2, 1, "Bo \"The\" <Bold> & Co", nullptr);
         worksheet_write_number(ws, 2, 2, -3, nullptr);
         worksheet_write_boolean(ws, 2, 3, 0, nullptr);
         worksheet_write_formula_num(ws, 2, 4, "=C3*2", nullptr, -6);
         worksheet_write_number(ws, 3, 0, 12345678901234.0, nullptr);
         worksheet_write_string(ws, 3, 1,
                                "tab\tand\x01"
                                "ctrl",
                                nullptr);
         worksheet_write_number(ws, 3, 2, 1e-300, nullptr);
       })) {
    auto source = open_ok(path);
    ASSERT_TRUE(source);
    EXPECT_EQ(show_schema(source->schema()), "id(A) name(B) score(C) active(D) twice(E) label(F)");
    EXPECT_EQ(read_all(*source),
              "2: 1 | 'Ann' | 9.75d | True | 19.5d | 'Ann!'\n"
              "3: 2 | 'Bo \"The\" <Bold> & Co' | -3 | False | -6 | null\n"
              "4: 12345678901234 | 'tab\tand\x01"
              "ctrl' | 1e-300d | null | null | null\n")
        << path;
  }
}

TEST(XlsxWriter, DatesWithBuiltInAndCustomFormats) {
  sluice::testing::TempDir dir;
  for (const std::string& path : write_both_ways(dir, [](lxw_workbook* book) {
         lxw_format* builtin_date = workbook_add_format(book);
         format_set_num_format_index(builtin_date, 14);
         lxw_format* builtin_datetime = workbook_add_format(book);
         format_set_num_format_index(builtin_datetime, 22);
         lxw_format* builtin_time = workbook_add_format(book);
         format_set_num_format_index(builtin_time, 20);
         lxw_format* custom = workbook_add_format(book);
         format_set_num_format(custom, "dd/mm/yyyy hh:mm:ss.000");
         lxw_format* custom_time = workbook_add_format(book);
         format_set_num_format(custom_time, "[h]:mm:ss");
         lxw_format* not_date = workbook_add_format(book);
         format_set_num_format(not_date, "#,##0.00 \"days\"");
         lxw_worksheet* ws = workbook_add_worksheet(book, nullptr);
         const char* header[] = {"d", "dt", "t", "custom", "elapsed", "plain"};
         for (lxw_col_t c = 0; c < 6; ++c) worksheet_write_string(ws, 0, c, header[c], nullptr);
         lxw_datetime day = {2024, 2, 29, 0, 0, 0};
         lxw_datetime moment = {1999, 12, 31, 23, 59, 58.5};
         lxw_datetime clock = {0, 0, 0, 7, 30, 0};
         lxw_datetime early = {1900, 1, 1, 0, 0, 0};
         worksheet_write_datetime(ws, 1, 0, &day, builtin_date);
         worksheet_write_datetime(ws, 1, 1, &moment, builtin_datetime);
         worksheet_write_datetime(ws, 1, 2, &clock, builtin_time);
         worksheet_write_datetime(ws, 1, 3, &moment, custom);
         worksheet_write_number(ws, 1, 4, 0.25, custom_time);
         worksheet_write_number(ws, 1, 5, 45351, not_date);
         worksheet_write_datetime(ws, 2, 0, &early, builtin_date);
         worksheet_write_unixtime(ws, 2, 1, 0, builtin_datetime);
       })) {
    auto source = open_ok(path);
    ASSERT_TRUE(source);
    EXPECT_EQ(read_all(*source),
              "2: @2024-02-29 00:00:00 | @1999-12-31 23:59:58.500000 | @t07:30:00 | "
              "@1999-12-31 23:59:58.500000 | @t06:00:00 | 45351\n"
              "3: @1900-01-01 00:00:00 | @1970-01-01 00:00:00 | null | null | null | null\n")
        << path;
  }
}

TEST(XlsxWriter, SparseCellsUnicodeAndRichStrings) {
  sluice::testing::TempDir dir;
  for (const std::string& path : write_both_ways(dir, [](lxw_workbook* book) {
         lxw_worksheet* ws = workbook_add_worksheet(book, "Données");
         lxw_format* bold = workbook_add_format(book);
         format_set_bold(bold);
         worksheet_write_string(ws, 0, 0, "ключ", nullptr);
         worksheet_write_string(ws, 0, 3, "値", nullptr);
         worksheet_write_string(ws, 4, 3, "😀 emoji", nullptr);
         worksheet_write_blank(ws, 6, 0, bold);  // styled but empty: the row is skipped
         worksheet_write_number(ws, 9, 0, 10, nullptr);
         worksheet_write_number(ws, 9, 7, 99, nullptr);  // beyond the header: Unnamed: 7
         lxw_rich_string_tuple part1 = {bold, const_cast<char*>("Fett")};
         lxw_rich_string_tuple part2 = {nullptr, const_cast<char*>(" und normal")};
         lxw_rich_string_tuple* rich[] = {&part1, &part2, nullptr};
         worksheet_write_rich_string(ws, 11, 1, rich, nullptr);
       })) {
    auto source = open_ok(path);
    ASSERT_TRUE(source);
    EXPECT_EQ(
        show_schema(source->schema()),
        "ключ(A) Unnamed: 1(B) Unnamed: 2(C) 値(D) Unnamed: 4(E) Unnamed: 5(F) Unnamed: 6(G) Unnamed: 7(H)");
    EXPECT_EQ(read_all(*source),
              "5: null | null | null | '😀 emoji' | null | null | null | null\n"
              "10: 10 | null | null | null | null | null | null | 99\n"
              "12: null | 'Fett und normal' | null | null | null | null | null | null\n")
        << path;
    EXPECT_EQ(source->location(source->schema()[3], 5), path + ":Données!D5");
  }
}

TEST(XlsxWriter, SecondSheetByIndexAndName) {
  sluice::testing::TempDir dir;
  for (const std::string& path : write_both_ways(dir, [](lxw_workbook* book) {
         lxw_worksheet* first = workbook_add_worksheet(book, "First");
         worksheet_write_string(first, 0, 0, "a", nullptr);
         worksheet_write_number(first, 1, 0, 1, nullptr);
         lxw_worksheet* second = workbook_add_worksheet(book, "Second");
         worksheet_write_string(second, 0, 0, "b", nullptr);
         worksheet_write_number(second, 1, 0, 2, nullptr);
       })) {
    for (const char* selector : {"2", "Second"}) {
      SourceOptions options;
      options.sheet = selector;
      auto source = open_ok(path, options);
      ASSERT_TRUE(source);
      EXPECT_EQ(show_schema(source->schema()), "b(A)");
      EXPECT_EQ(read_all(*source), "2: 2\n");
    }
  }
}

}  // namespace
}  // namespace sluice::etl
