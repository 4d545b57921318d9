#include "serve/multipart/multipart.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace sluice::serve::multipart {
namespace {

using namespace std::string_literals;

// What curl -F sends: `curl -F model=mnv2 -F image=@cat.jpg`.
const std::string kBoundary = "------------------------d74496d66958873e";
const std::string kCurlBody = "--" + kBoundary +
                              "\r\n"
                              "Content-Disposition: form-data; name=\"model\"\r\n"
                              "\r\n"
                              "mnv2\r\n"
                              "--" +
                              kBoundary +
                              "\r\n"
                              "Content-Disposition: form-data; name=\"image\"; filename=\"cat.jpg\"\r\n"
                              "Content-Type: image/jpeg\r\n"
                              "\r\n"
                              "\xff\xd8\xff\xe0JFIF\r\n" +
                              "--" + kBoundary + "--\r\n";

TEST(BoundaryTest, UnquotedAndQuoted) {
  auto a = boundary_from_content_type("multipart/form-data; boundary=" + kBoundary);
  ASSERT_TRUE(a.is_ok()) << a.status().message();
  EXPECT_EQ(*a, kBoundary);
  auto b = boundary_from_content_type("Multipart/Form-Data ; charset=utf-8;BOUNDARY=\"a b:c?\"");
  ASSERT_TRUE(b.is_ok()) << b.status().message();
  EXPECT_EQ(*b, "a b:c?");
  auto c = boundary_from_content_type("multipart/form-data; boundary=\"x\\\"y\"");  // quoted-pair
  EXPECT_FALSE(c.is_ok());  // '"' is not a bchar, even escaped
}

TEST(BoundaryTest, Rejections) {
  for (const char* ct : {"application/json", "multipart/mixed; boundary=x", "multipart/form-data",
                         "multipart/form-data; charset=utf-8", "multipart/form-data; boundary=",
                         "multipart/form-data; boundary=\"\"", "multipart/form-data; boundary=\"unterminated",
                         "multipart/form-data; boundary=\"ends-in-space \"", ""}) {
    auto r = boundary_from_content_type(ct);
    EXPECT_FALSE(r.is_ok()) << ct;
    EXPECT_EQ(r.status().code(), common::Code::kInvalidArgument) << ct;
  }
  EXPECT_FALSE(boundary_from_content_type("multipart/form-data; boundary=" + std::string(71, 'a')).is_ok());
  EXPECT_TRUE(boundary_from_content_type("multipart/form-data; boundary=" + std::string(70, 'a')).is_ok());
}

TEST(ParseTest, CurlBodyWithFilenameAndContentType) {
  auto parts = parse_multipart(kCurlBody, kBoundary);
  ASSERT_TRUE(parts.is_ok()) << parts.status().message();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "model");
  EXPECT_EQ((*parts)[0].filename, "");
  EXPECT_EQ((*parts)[0].content_type, "");
  EXPECT_EQ((*parts)[0].body, "mnv2");
  EXPECT_EQ((*parts)[1].name, "image");
  EXPECT_EQ((*parts)[1].filename, "cat.jpg");
  EXPECT_EQ((*parts)[1].content_type, "image/jpeg");
  EXPECT_EQ((*parts)[1].body, "\xff\xd8\xff\xe0JFIF");
  // Views into the body, not copies.
  EXPECT_GE((*parts)[1].body.data(), kCurlBody.data());
  EXPECT_LE((*parts)[1].body.data() + (*parts)[1].body.size(), kCurlBody.data() + kCurlBody.size());
}

TEST(ParseTest, BinaryBodyWithCrLfNulAndBoundaryLikeBytes) {
  const std::string b = "XyZ";
  const std::string payload =
      "\r\n\r\n\n\r\0\x01--XyZ is not a delimiter\r\n--XyZa\r\n--XyZ-\r\n-XyZ\r\n--Xy\r\n--XyZ \tx\r\n"s
      "\r\n--xyz--\r\nend\r"s;
  const std::string body = "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n" + payload +
                           "\r\n--XyZ\r\ncontent-disposition: form-data; name=\"g\"\r\n\r\n\r\n--XyZ--";
  auto parts = parse_multipart(body, b);
  ASSERT_TRUE(parts.is_ok()) << parts.status().message();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].body, payload);
  EXPECT_EQ((*parts)[1].name, "g");
  EXPECT_EQ((*parts)[1].body, "");
}

TEST(ParseTest, PreambleEpilogueAndTransportPadding) {
  const std::string body =
      "This is the preamble.\r\n--b\r\nIgnored: yes\r\n"
      "Content-Disposition: form-data; name=a\r\n\r\n1\r\n--b  \t\r\n"
      "CONTENT-DISPOSITION: FORM-DATA; NAME=\"b\"; FILENAME=\"x.png\"\r\n"
      "content-type:image/png\r\n\r\n2\r\n--b--  trailing junk\r\nepilogue\r\n--b\r\n";
  auto parts = parse_multipart(body, "b");
  ASSERT_TRUE(parts.is_ok()) << parts.status().message();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "a");  // unquoted token value
  EXPECT_EQ((*parts)[0].body, "1");
  EXPECT_EQ((*parts)[1].name, "b");
  EXPECT_EQ((*parts)[1].filename, "x.png");
  EXPECT_EQ((*parts)[1].content_type, "image/png");
  EXPECT_EQ((*parts)[1].body, "2");
}

TEST(ParseTest, PreambleThatLooksLikeTheBoundaryMidLine) {
  // "--b" not at the start of a line is preamble text.
  const std::string body = "junk --b\r\n--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b--";
  auto parts = parse_multipart(body, "b");
  ASSERT_TRUE(parts.is_ok()) << parts.status().message();
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].body, "v");
}

TEST(ParseTest, ManyPartsKeepOrderAndRepeatedNames) {
  std::string body;
  for (int i = 0; i < 50; ++i) {
    body += "--q\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" + std::to_string(i) +
            ".jpg\"\r\n\r\n" + std::string(i, 'x') + "\r\n";
  }
  body += "--q--\r\n";
  auto parts = parse_multipart(body, "q");
  ASSERT_TRUE(parts.is_ok()) << parts.status().message();
  ASSERT_EQ(parts->size(), 50u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ((*parts)[i].name, "image");
    EXPECT_EQ((*parts)[i].filename, std::to_string(i) + ".jpg");
    EXPECT_EQ((*parts)[i].body.size(), static_cast<size_t>(i));
  }
}

TEST(ParseTest, OnlyCloseDelimiterMeansNoParts) {
  auto parts = parse_multipart("--b--\r\n", "b");
  ASSERT_TRUE(parts.is_ok());
  EXPECT_TRUE(parts->empty());
}

void expect_error(const std::string& body, const std::string& boundary, const std::string& fragment) {
  auto parts = parse_multipart(body, boundary);
  ASSERT_FALSE(parts.is_ok()) << "accepted: " << body;
  EXPECT_EQ(parts.status().code(), common::Code::kInvalidArgument);
  EXPECT_NE(parts.status().message().find(fragment), std::string::npos) << parts.status().message();
}

TEST(ParseErrorTest, MissingFinalDelimiter) {
  expect_error("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue", "b",
               "missing closing delimiter");
  expect_error("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n--b", "b",
               "missing closing delimiter");
  expect_error(kCurlBody.substr(0, kCurlBody.size() - 10), kBoundary, "part 2: missing closing delimiter");
}

TEST(ParseErrorTest, NoDelimiterAtAll) {
  expect_error("", "b", "no delimiter");
  expect_error("hello", "b", "no delimiter");
  expect_error(kCurlBody, "other", "no delimiter");
}

TEST(ParseErrorTest, MissingNameOrDisposition) {
  expect_error("--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b--", "b",
               "part 1: Content-Disposition has no name");
  expect_error("--b\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nv\r\n--b--", "b", "no name");
  expect_error("--b\r\nContent-Disposition: form-data; filename=\"x\"\r\n\r\nv\r\n--b--", "b", "no name");
  expect_error("--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--", "b", "no Content-Disposition");
  expect_error("--b\r\n\r\nv\r\n--b--", "b", "no Content-Disposition");
  expect_error("--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--b--", "b", "not form-data");
}

TEST(ParseErrorTest, MalformedHeaders) {
  expect_error("--b\r\nContent-Disposition form-data; name=a\r\n\r\nv\r\n--b--", "b", "without ':'");
  expect_error("--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--b--", "b", "parameters");
  expect_error("--b\r\nContent-Disposition: form-data; name=\"a\"\nX: y\r\n\r\nv\r\n--b--", "b",
               "bare CR or LF");
  expect_error("--b\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\nv\r\n--b--", "b", "folded");
  expect_error("--b\r\nBad Name: x\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--b--", "b",
               "header name");
  expect_error("--b\r\nContent-Disposition: form-data; name=\"a\"\r\nv\r\n--b--", "b", "blank line");
  expect_error("--b\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nv\r\n--b--", "b",
               "repeats name");
  expect_error(
      "--b\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; "
      "name=b\r\n\r\nv\r\n--b--",
      "b", "more than one Content-Disposition");
}

TEST(ParseErrorTest, LfOnlyLineEndsAreRejected) {
  // RFC 2046 delimiters need CRLF; a bare-LF body has no delimiter line after the first part.
  expect_error("--b\nContent-Disposition: form-data; name=\"a\"\n\nv\n--b--\n", "b", "no delimiter");
}

// Mutates valid bodies at random (flip, delete, insert, truncate, splice delimiter fragments) and checks
// the parser neither crashes nor returns views outside the body. Run under ASan in CI.
TEST(ParseRobustnessTest, RandomMutationsNeverCrash) {
  std::mt19937 rng(20240611);
  const std::string boundary = "bnd";
  const std::string seed_body =
      "pre\r\n--bnd\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\n"
      "Content-Type: image/jpeg\r\n\r\n\x01\x02\r\n--bn\r\n\r\n--bnd\r\n"
      "Content-Disposition: form-data; name=model\r\n\r\nm\r\n--bnd--\r\nepi";
  const std::string fragments[] = {"\r\n", "--bnd", "\r\n--bnd", "--", "\"", ";",
                                   "=",    ":",     "\r",        "\n", "\\", " "};
  size_t accepted = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string body = seed_body;
    int mutations = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations && !body.empty(); ++m) {
      size_t at = rng() % body.size();
      switch (rng() % 5) {
        case 0:
          body[at] = static_cast<char>(rng());
          break;
        case 1:
          body.erase(at, 1 + rng() % 8);
          break;
        case 2:
          body.insert(at, fragments[rng() % std::size(fragments)]);
          break;
        case 3:
          body.resize(at);
          break;
        default:
          body.insert(at, 1, static_cast<char>(rng()));
          break;
      }
    }
    auto parts = parse_multipart(body, boundary);
    if (!parts.is_ok()) {
      EXPECT_EQ(parts.status().code(), common::Code::kInvalidArgument);
      continue;
    }
    ++accepted;
    const char* lo = body.data();
    const char* hi = body.data() + body.size();
    for (const Part& p : *parts) {
      EXPECT_FALSE(p.name.empty());
      for (std::string_view v : {p.name, p.filename, p.content_type, p.body}) {
        if (v.empty()) continue;
        EXPECT_GE(v.data(), lo);
        EXPECT_LE(v.data() + v.size(), hi);
      }
    }
  }
  EXPECT_GT(accepted, 0u);  // the mutations do not only produce garbage
}

}  // namespace
}  // namespace sluice::serve::multipart
