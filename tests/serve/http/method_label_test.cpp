#include "serve/http/method_label.h"

#include <gtest/gtest.h>

namespace sluice::serve::http {
namespace {

namespace bhttp = boost::beast::http;

TEST(MethodLabel, NamesTheRfc9110MethodsAndFoldsTheRestIntoOther) {
  EXPECT_EQ(method_label(bhttp::verb::get), "GET");
  EXPECT_EQ(method_label(bhttp::verb::post), "POST");
  EXPECT_EQ(method_label(bhttp::verb::delete_), "DELETE");
  EXPECT_EQ(method_label(bhttp::verb::patch), "PATCH");
  EXPECT_EQ(method_label(bhttp::verb::unknown), "other");   // a made-up token
  EXPECT_EQ(method_label(bhttp::verb::propfind), "other");  // WebDAV
  EXPECT_EQ(method_label(bhttp::string_to_verb("BREW")), "other");
}

}  // namespace
}  // namespace sluice::serve::http
