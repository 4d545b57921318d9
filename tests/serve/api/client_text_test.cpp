#include "serve/api/client_text.h"

#include <gtest/gtest.h>

namespace sluice::serve::api {
namespace {

TEST(ClientText, ShortTextIsKeptAsIs) { EXPECT_EQ(client_text("resnet50"), "resnet50"); }

TEST(ClientText, LongTextIsCutAndItsSizeNamed) {
  std::string big(1'000'000, 'a');
  std::string out = client_text(big);
  EXPECT_EQ(out, std::string(kMaxEchoBytes, 'a') + "\xE2\x80\xA6 (1000000 bytes)");
}

TEST(ClientText, ControlCharactersAreEscaped) {
  EXPECT_EQ(client_text(std::string("a\0b\n\x7f", 5)), "a\\x00b\\x0a\\x7f");
}

TEST(ClientText, NeverCutsAUtf8Sequence) {
  std::string text = std::string(79, 'a') + "\xC3\xA9" + "zzz";  // é straddles byte 80
  std::string out = client_text(text);
  EXPECT_EQ(out.substr(0, 80), std::string(79, 'a') + "\xE2");
  EXPECT_EQ(out.find("\xC3"), std::string::npos);
}

TEST(ClientText, FindsControlCharacters) {
  EXPECT_TRUE(has_control_character(std::string("http://a\0b", 10)));
  EXPECT_TRUE(has_control_character("http://a/\t"));
  EXPECT_FALSE(has_control_character("https://example.com/a%00b.jpg"));
}

}  // namespace
}  // namespace sluice::serve::api
