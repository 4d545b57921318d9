#include "etl/message_text.h"

#include <gtest/gtest.h>

namespace sluice::etl {
namespace {

// Issue 10, class 10: a value with newlines or ANSI escapes spanned several lines or recoloured the
// terminal, and a 10 MB bad value was printed whole.
TEST(QuoteText, EscapesControlCharactersAndQuotes) {
  EXPECT_EQ(quote_text("a\nb\r\tc"), "'a\\nb\\r\\tc'");
  EXPECT_EQ(quote_text("\x1b[31mred\x1b[0m"), "'\\x1b[31mred\\x1b[0m'");
  EXPECT_EQ(quote_text(std::string("nul\0x", 5)), "'nul\\x00x'");
  EXPECT_EQ(quote_text("it's a\\b"), "'it\\'s a\\\\b'");
  EXPECT_EQ(quote_text("Zoë"), "'Zoë'");
}

TEST(QuoteText, CutsLongValuesAndStatesTheirLength) {
  const std::string big(10 << 20, 'z');
  const std::string quoted = quote_text(big);
  EXPECT_EQ(quoted, "'" + std::string(80, 'z') + "'... (10485760 bytes)");
  EXPECT_EQ(quote_text(std::string(80, 'z')), "'" + std::string(80, 'z') + "'");
  // Characters, not bytes, are counted; a multi-byte character is never split.
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "é";
  std::string expected = "'";
  for (int i = 0; i < 80; ++i) expected += "é";
  EXPECT_EQ(quote_text(accents), expected + "'... (200 bytes)");
}

}  // namespace
}  // namespace sluice::etl
