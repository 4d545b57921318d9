#include "etl/gen/mock_users.h"

#include <expat.h>
#include <gtest/gtest.h>
#include <zip.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "test_support/temp_dir.h"

namespace sluice::etl {
namespace {

using sluice::testing::TempDir;

// One cell as the file stores it: 's' shared string, 'i' inline string, 'n' number.
struct Cell {
  std::string text;
  char kind = 'n';
  bool operator==(const Cell&) const = default;
};
using Rows = std::vector<std::vector<Cell>>;

std::string zip_entry(const std::string& path, const char* name) {
  int err = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_RDONLY, &err);
  if (!za) {
    ADD_FAILURE() << path << ": not a zip (libzip error " << err << ")";
    return {};
  }
  std::string out;
  zip_file_t* zf = zip_fopen(za, name, 0);
  if (!zf) {
    ADD_FAILURE() << path << ": no entry " << name;
  } else {
    char buf[65536];
    zip_int64_t n;
    while ((n = zip_fread(zf, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    zip_fclose(zf);
  }
  zip_close(za);
  return out;
}

// A deliberately independent reader: libzip + expat over the two XML parts, no sluice code.
struct XmlState {
  std::vector<std::string> sst;
  Rows rows;
  std::string text;
  bool in_text = false;
  char kind = 'n';
  size_t col = 0;
};

void parse_xml(const std::string& xml, XmlState& st, XML_StartElementHandler start,
               XML_EndElementHandler end) {
  XML_Parser p = XML_ParserCreate("UTF-8");
  XML_SetUserData(p, &st);
  XML_SetElementHandler(p, start, end);
  XML_SetCharacterDataHandler(p, [](void* ud, const XML_Char* s, int len) {
    auto* st = static_cast<XmlState*>(ud);
    if (st->in_text) st->text.append(s, static_cast<size_t>(len));
  });
  if (XML_Parse(p, xml.data(), static_cast<int>(xml.size()), 1) == XML_STATUS_ERROR) {
    ADD_FAILURE() << "bad XML: " << XML_ErrorString(XML_GetErrorCode(p));
  }
  XML_ParserFree(p);
}

Rows read_xlsx(const std::string& path) {
  XmlState st;
  parse_xml(
      zip_entry(path, "xl/sharedStrings.xml"), st,
      [](void* ud, const XML_Char* name, const XML_Char**) {
        auto* st = static_cast<XmlState*>(ud);
        if (std::string_view(name) == "si") st->text.clear();
        if (std::string_view(name) == "t") st->in_text = true;
      },
      [](void* ud, const XML_Char* name) {
        auto* st = static_cast<XmlState*>(ud);
        if (std::string_view(name) == "t") st->in_text = false;
        if (std::string_view(name) == "si") st->sst.push_back(st->text);
      });
  parse_xml(
      zip_entry(path, "xl/worksheets/sheet1.xml"), st,
      [](void* ud, const XML_Char* name, const XML_Char** attrs) {
        auto* st = static_cast<XmlState*>(ud);
        std::string_view n(name);
        if (n == "row") st->rows.emplace_back();
        if (n == "c") {
          st->kind = 'n';
          st->col = 0;
          for (int i = 0; attrs[i]; i += 2) {
            std::string_view a(attrs[i]), v(attrs[i + 1]);
            if (a == "t") st->kind = v == "s" ? 's' : v == "inlineStr" ? 'i' : '?';
            if (a == "r") {
              for (char ch : v) {
                if (ch >= 'A' && ch <= 'Z') st->col = st->col * 26 + static_cast<size_t>(ch - 'A' + 1);
              }
              st->col -= 1;
            }
          }
          st->text.clear();
        }
        if (n == "v" || n == "t") st->in_text = true;
      },
      [](void* ud, const XML_Char* name) {
        auto* st = static_cast<XmlState*>(ud);
        std::string_view n(name);
        if (n == "v" || n == "t") st->in_text = false;
        if (n == "c" && !st->rows.empty()) {
          auto& row = st->rows.back();
          if (row.size() <= st->col) row.resize(st->col + 1);
          Cell cell{st->text, st->kind};
          if (st->kind == 's') {
            size_t i = std::stoul(st->text);
            cell.text = i < st->sst.size() ? st->sst[i] : "<bad sst index>";
          }
          row[st->col] = cell;
        }
      });
  return st.rows;
}

// RFC 4180, strictly: a quote inside a quoted field must be doubled, records end in CRLF.
std::vector<std::vector<std::string>> read_csv(const std::string& data) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  while (i < data.size()) {
    if (data[i] == '"') {
      for (++i; i < data.size(); ++i) {
        if (data[i] == '"') {
          if (i + 1 < data.size() && data[i + 1] == '"') {
            field += '"';
            ++i;
          } else {
            ++i;
            break;
          }
        } else {
          field += data[i];
        }
      }
    }
    while (i < data.size() && data[i] != ',' && data[i] != '\r' && data[i] != '\n') field += data[i++];
    row.push_back(std::move(field));
    field.clear();
    if (i < data.size() && data[i] == ',') {
      ++i;
      continue;
    }
    EXPECT_TRUE(data.compare(i, 2, "\r\n") == 0) << "record " << rows.size() << " does not end in CRLF";
    i += 2;
    rows.push_back(std::move(row));
    row.clear();
  }
  return rows;
}

std::vector<std::string> texts(const std::vector<Cell>& row) {
  std::vector<std::string> out;
  for (const Cell& c : row) out.push_back(c.text);
  return out;
}

const std::vector<std::string> kHeader = {"id", "first_name", "last_name", "email", "gender", "ip_address"};

bool is_ascii(const std::string& s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

bool is_valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += n;
  }
  return true;
}

TEST(MockUsersTest, XlsxHasHeaderIdsAsNumbersAndTheGeneratorsRows) {
  TempDir dir;
  const std::string path = dir.file("users.xlsx");
  ASSERT_TRUE(write_mock_users(path, 500, 3).is_ok());
  Rows rows = read_xlsx(path);
  ASSERT_EQ(rows.size(), 501u);
  EXPECT_EQ(texts(rows[0]), kHeader);
  for (const Cell& c : rows[0]) EXPECT_EQ(c.kind, 's') << "header strings are shared, as Excel writes them";
  MockUserGenerator gen(3);
  MockUser u;
  for (size_t r = 1; r < rows.size(); ++r) {
    gen.next(u);
    ASSERT_EQ(rows[r].size(), 6u) << "row " << r;
    EXPECT_EQ(rows[r][0], (Cell{std::to_string(r), 'n'}));
    EXPECT_EQ(u.id, r);
    std::vector<Cell> want = {
        {u.first_name, 's'}, {u.last_name, 's'}, {u.email, 's'}, {u.gender, 's'}, {u.ip_address, 's'}};
    EXPECT_EQ(std::vector<Cell>(rows[r].begin() + 1, rows[r].end()), want) << "row " << r;
  }
}

TEST(MockUsersTest, SameSeedGivesTheSameBytesAndAnotherSeedOtherRows) {
  TempDir dir;
  ASSERT_TRUE(write_mock_users(dir.file("a.xlsx"), 1000, 7).is_ok());
  ASSERT_TRUE(write_mock_users(dir.file("b.xlsx"), 1000, 7).is_ok());
  ASSERT_TRUE(write_mock_users(dir.file("c.xlsx"), 1000, 8).is_ok());
  std::string a = sluice::testing::read_file(dir.file("a.xlsx"));
  EXPECT_GT(a.size(), 10000u);
  EXPECT_TRUE(a == sluice::testing::read_file(dir.file("b.xlsx"))) << "same seed, different bytes";
  Rows ra = read_xlsx(dir.file("a.xlsx")), rc = read_xlsx(dir.file("c.xlsx"));
  ASSERT_EQ(ra.size(), rc.size());
  size_t differing = 0;
  for (size_t r = 1; r < ra.size(); ++r) differing += ra[r] != rc[r];
  EXPECT_GT(differing, 990u);

  ASSERT_TRUE(write_mock_users(dir.file("a.csv"), 1000, 7).is_ok());
  ASSERT_TRUE(write_mock_users(dir.file("b.CSV"), 1000, 7).is_ok());
  EXPECT_TRUE(sluice::testing::read_file(dir.file("a.csv")) == sluice::testing::read_file(dir.file("b.CSV")));
}

TEST(MockUsersTest, CsvHoldsTheSameRowsAsXlsxWithRfc4180Quoting) {
  TempDir dir;
  ASSERT_TRUE(write_mock_users(dir.file("u.xlsx"), 3000, 11).is_ok());
  ASSERT_TRUE(write_mock_users(dir.file("u.csv"), 3000, 11).is_ok());
  const std::string raw = sluice::testing::read_file(dir.file("u.csv"));
  EXPECT_EQ(raw.rfind("id,first_name,last_name,email,gender,ip_address\r\n", 0), 0u);
  auto csv = read_csv(raw);
  Rows xlsx = read_xlsx(dir.file("u.xlsx"));
  ASSERT_EQ(csv.size(), 3001u);
  ASSERT_EQ(xlsx.size(), 3001u);
  for (size_t r = 0; r < csv.size(); ++r) EXPECT_EQ(csv[r], texts(xlsx[r])) << "row " << r;
  // The data must exercise quoting, or this test proves nothing about it.
  EXPECT_NE(raw.find(", Jr.\","), std::string::npos) << "no quoted comma";
  EXPECT_NE(raw.find("\"\"\""), std::string::npos) << "no doubled quote";
}

TEST(MockUsersTest, HeaderOnlyForZeroRows) {
  TempDir dir;
  ASSERT_TRUE(write_mock_users(dir.file("z.xlsx"), 0, 1).is_ok());
  Rows rows = read_xlsx(dir.file("z.xlsx"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(texts(rows[0]), kHeader);
}

TEST(MockUsersTest, ContentLooksLikeTheReferenceDataset) {
  constexpr size_t kRows = 50000;
  MockUserGenerator gen(42);
  MockUser u;
  std::map<std::string, size_t> genders;
  size_t v4_special = 0, multicast = 0, v6 = 0, v6_special = 0, non_ascii_first = 0, non_ascii_last = 0;
  size_t cjk = 0, zoe = 0;
  std::set<std::string> emails;
  for (size_t i = 1; i <= kRows; ++i) {
    gen.next(u);
    ASSERT_EQ(u.id, i);
    ++genders[u.gender];

    auto ip = common::parse_ip(u.ip_address);
    ASSERT_TRUE(ip.has_value()) << "row " << i << ": '" << u.ip_address << "' is not an IP address";
    if (ip->is_v6) {
      ++v6;
      v6_special += !common::is_global(*ip);
      // RFC 5952 form, except IPv4-mapped, which Python prints in hex
      if (u.ip_address.find('.') == std::string::npos) {
        EXPECT_EQ(ip->to_string(), u.ip_address);
      }
    } else {
      v4_special += !common::is_global(*ip);
      multicast += ip->bytes[0] >= 224 && ip->bytes[0] <= 239;
      EXPECT_EQ(ip->to_string(), u.ip_address) << "row " << i;
    }

    ASSERT_TRUE(is_valid_utf8(u.first_name) && is_valid_utf8(u.last_name)) << "row " << i;
    non_ascii_first += !is_ascii(u.first_name);
    non_ascii_last += !is_ascii(u.last_name);
    cjk += u.last_name == "山田" || u.first_name == "花子";
    zoe += u.first_name == "Zoë";
    ASSERT_FALSE(u.first_name.empty() || u.last_name.empty()) << "row " << i;

    const std::string& e = u.email;
    size_t at = e.find('@');
    ASSERT_TRUE(is_ascii(e)) << e;
    ASSERT_TRUE(at != std::string::npos && at > 0 && e.find('@', at + 1) == std::string::npos) << e;
    ASSERT_NE(e.find('.', at), std::string::npos) << e;
    emails.insert(e);
  }
  const std::set<std::string> vocabulary = {"Male",        "Female",      "Agender",    "Bigender",
                                            "Genderfluid", "Genderqueer", "Non-binary", "Polygender"};
  for (const auto& [g, n] : genders) EXPECT_TRUE(vocabulary.count(g)) << "unexpected gender " << g;
  EXPECT_EQ(genders.size(), vocabulary.size()) << "every gender appears";
  double binary = static_cast<double>(genders["Male"] + genders["Female"]) / kRows;
  EXPECT_GT(binary, 0.85);
  EXPECT_LT(binary, 0.95);

  auto share = [](size_t n) { return static_cast<double>(n) / kRows; };
  // Expected 2%, 0.5%, 1% and 0.3%; a binomial standard deviation at 50000 rows is at most 0.07 points.
  EXPECT_GT(share(v4_special), 0.017);
  EXPECT_LT(share(v4_special), 0.023);
  EXPECT_GT(share(multicast), 0.0035);
  EXPECT_LT(share(multicast), 0.0065);
  EXPECT_GT(share(v6), 0.008);
  EXPECT_LT(share(v6), 0.012);
  EXPECT_GT(v6_special, 0u);
  EXPECT_LT(v6_special, v6 / 2) << "most IPv6 addresses are global";

  EXPECT_GT(share(non_ascii_first), 0.01);
  EXPECT_LT(share(non_ascii_first), 0.03);
  EXPECT_GT(share(non_ascii_last), 0.01);
  EXPECT_LT(share(non_ascii_last), 0.03);
  EXPECT_GT(cjk, 0u);
  EXPECT_GT(zoe, 0u);
  EXPECT_GT(emails.size(), kRows / 2) << "e-mails are mostly distinct";
}

TEST(MockUsersTest, RefusesMoreRowsThanASheetHolds) {
  TempDir dir;
  common::Status st = write_mock_users(dir.file("big.xlsx"), kMaxMockUsersXlsxRows + 1, 1);
  EXPECT_EQ(st.code(), common::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("1048576"), std::string::npos) << st.message();
  EXPECT_FALSE(std::filesystem::exists(dir.file("big.xlsx")));
}

TEST(MockUsersTest, MissingDirectoryIsNotFoundAndLeavesNoFile) {
  TempDir dir;
  for (const char* name : {"nope/u.xlsx", "nope/u.csv"}) {
    common::Status st = write_mock_users(dir.file(name), 10, 1);
    EXPECT_EQ(st.code(), common::Code::kNotFound) << name;
    EXPECT_NE(st.message().find(dir.file(name)), std::string::npos) << st.message();
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("nope")));
}

}  // namespace
}  // namespace sluice::etl
