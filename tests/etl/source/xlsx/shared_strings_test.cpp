#include "etl/source/xlsx/shared_strings.h"

#include <gtest/gtest.h>

namespace sluice::etl::xlsx {
namespace {

common::Result<SharedStrings> read(const std::string& xml, size_t chunk) {
  MemoryReader reader(xml, chunk);
  return read_shared_strings(reader, "xl/sharedStrings.xml", xml.size());
}

std::vector<std::string> strings(const SharedStrings& table) {
  std::vector<std::string> out;
  for (size_t i = 0; i < table.size(); ++i) out.emplace_back(table.get(i));
  return out;
}

TEST(XlsxSharedStrings, ReadsItemsRichTextEscapesAndEmptyItems) {
  const std::string xml =
      "<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "count=\"9\" "
      "uniqueCount=\"5\"><si><t>plain</t></si><si><r><rPr><b/></rPr><t>bo</t></r><r><t "
      "xml:space=\"preserve\">ld "
      "</t></r><rPh sb=\"0\" eb=\"1\"><t>PH</t></rPh></si><si/><si><t>a_x000D__x000A_b &amp; "
      "_x005F_x0041_</t></si>"
      "<si><t><![CDATA[<raw>]]></t></si></sst>";
  const std::vector<std::string> want = {"plain", "bold ", "", "a\r\nb & _x0041_", "<raw>"};
  for (size_t chunk : {size_t{1}, size_t{3}, size_t{64}, size_t{1} << 20}) {
    auto table = read(xml, chunk);
    ASSERT_TRUE(table.is_ok()) << table.status().message();
    EXPECT_EQ(strings(*table), want) << chunk;
  }
}

TEST(XlsxSharedStrings, StoresTextBackToBack) {
  std::string xml = "<sst>";
  for (int i = 0; i < 1000; ++i) xml += "<si><t>string number " + std::to_string(i) + "</t></si>";
  xml += "</sst>";
  auto table = read(xml, 4096);
  ASSERT_TRUE(table.is_ok());
  ASSERT_EQ(table->size(), 1000u);
  EXPECT_EQ(table->get(999), "string number 999");
  // One arena (at most the part's size) and an offset per string (vector growth: up to twice that).
  EXPECT_LE(table->memory_bytes(), xml.size() + 2 * 1001 * sizeof(uint64_t));
}

TEST(XlsxSharedStrings, NoTableAndDamagedTables) {
  auto empty = read("<?xml version=\"1.0\"?><other/>", 7);
  ASSERT_TRUE(empty.is_ok());
  EXPECT_EQ(empty->size(), 0u);
  auto truncated = read("<sst><si><t>a</t></si><si><t>b", 5);
  ASSERT_FALSE(truncated.is_ok());
  EXPECT_EQ(
      truncated.status().message(),
      "xl/sharedStrings.xml: malformed XML at byte 30: the part ends inside <sst> (truncated or corrupt)");
  auto bad = read("<sst><si><t>a &nbsp; b</t></si></sst>", 1 << 20);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("at byte 14: unknown entity"), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace sluice::etl::xlsx
