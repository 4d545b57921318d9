#include "etl/gen/mock_users.h"

#include <xlsxwriter.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <string_view>

namespace sluice::etl {
namespace {

// A name as shown, and the ASCII form that goes into e-mail addresses (Mockaroo's e-mails are ASCII).
struct Name {
  const char* display;
  const char* slug;  // nullptr: lowercase display without punctuation
};

constexpr Name kMaleFirst[] = {
    {"James", nullptr},    {"John", nullptr},     {"Robert", nullptr},      {"Michael", nullptr},
    {"William", nullptr},  {"David", nullptr},    {"Richard", nullptr},     {"Joseph", nullptr},
    {"Thomas", nullptr},   {"Charles", nullptr},  {"Christopher", nullptr}, {"Daniel", nullptr},
    {"Matthew", nullptr},  {"Anthony", nullptr},  {"Mark", nullptr},        {"Donald", nullptr},
    {"Steven", nullptr},   {"Paul", nullptr},     {"Andrew", nullptr},      {"Joshua", nullptr},
    {"Kenneth", nullptr},  {"Kevin", nullptr},    {"Brian", nullptr},       {"George", nullptr},
    {"Timothy", nullptr},  {"Ronald", nullptr},   {"Edward", nullptr},      {"Jason", nullptr},
    {"Jeffrey", nullptr},  {"Ryan", nullptr},     {"Jacob", nullptr},       {"Gary", nullptr},
    {"Nicholas", nullptr}, {"Eric", nullptr},     {"Jonathan", nullptr},    {"Stephen", nullptr},
    {"Larry", nullptr},    {"Justin", nullptr},   {"Scott", nullptr},       {"Brandon", nullptr},
    {"Benjamin", nullptr}, {"Samuel", nullptr},   {"Gregory", nullptr},     {"Alexander", nullptr},
    {"Patrick", nullptr},  {"Frank", nullptr},    {"Raymond", nullptr},     {"Jack", nullptr},
    {"Dennis", nullptr},   {"Jerry", nullptr},    {"Tyler", nullptr},       {"Aaron", nullptr},
    {"Adolphus", nullptr}, {"Barnabe", nullptr},  {"Cullin", nullptr},      {"Dov", nullptr},
    {"Ephraim", nullptr},  {"Fonz", nullptr},     {"Gauthier", nullptr},    {"Hamish", nullptr},
    {"Ingmar", nullptr},   {"Jarib", nullptr},    {"Kermie", nullptr},      {"Lothario", nullptr},
    {"Merrill", nullptr},  {"Nevile", nullptr},   {"Osbourn", nullptr},     {"Pietrek", nullptr},
    {"Quintin", nullptr},  {"Rockwell", nullptr}, {"Sheff", nullptr},       {"Tobiah", nullptr},
    {"Ulick", nullptr},    {"Vernor", nullptr},   {"Wyndham", nullptr},     {"Yancy", nullptr},
};
constexpr Name kFemaleFirst[] = {
    {"Mary", nullptr},       {"Patricia", nullptr},    {"Jennifer", nullptr},  {"Linda", nullptr},
    {"Elizabeth", nullptr},  {"Barbara", nullptr},     {"Susan", nullptr},     {"Jessica", nullptr},
    {"Sarah", nullptr},      {"Karen", nullptr},       {"Lisa", nullptr},      {"Nancy", nullptr},
    {"Betty", nullptr},      {"Margaret", nullptr},    {"Sandra", nullptr},    {"Ashley", nullptr},
    {"Kimberly", nullptr},   {"Emily", nullptr},       {"Donna", nullptr},     {"Michelle", nullptr},
    {"Carol", nullptr},      {"Amanda", nullptr},      {"Dorothy", nullptr},   {"Melissa", nullptr},
    {"Deborah", nullptr},    {"Stephanie", nullptr},   {"Rebecca", nullptr},   {"Sharon", nullptr},
    {"Laura", nullptr},      {"Cynthia", nullptr},     {"Kathleen", nullptr},  {"Amy", nullptr},
    {"Angela", nullptr},     {"Shirley", nullptr},     {"Anna", nullptr},      {"Brenda", nullptr},
    {"Pamela", nullptr},     {"Emma", nullptr},        {"Nicole", nullptr},    {"Helen", nullptr},
    {"Samantha", nullptr},   {"Katherine", nullptr},   {"Christine", nullptr}, {"Debra", nullptr},
    {"Rachel", nullptr},     {"Carolyn", nullptr},     {"Janet", nullptr},     {"Catherine", nullptr},
    {"Maria", nullptr},      {"Heather", nullptr},     {"Diane", nullptr},     {"Ruth", nullptr},
    {"Aurelie", nullptr},    {"Bendite", nullptr},     {"Cherida", nullptr},   {"Dulcea", nullptr},
    {"Ermengarde", nullptr}, {"Fionnula", nullptr},    {"Gwendolin", nullptr}, {"Hedvige", nullptr},
    {"Isahella", nullptr},   {"Jacquenetta", nullptr}, {"Kassey", nullptr},    {"Lorianna", nullptr},
    {"Minetta", nullptr},    {"Nerte", nullptr},       {"Orelie", nullptr},    {"Philippa", nullptr},
    {"Roxi", nullptr},       {"Sibella", nullptr},     {"Tabbatha", nullptr},  {"Ursulina", nullptr},
    {"Vinita", nullptr},     {"Wenona", nullptr},      {"Xylina", nullptr},    {"Zorana", nullptr},
};
constexpr Name kMaleFirstIntl[] = {
    {"José", "jose"},   {"Łukasz", "lukasz"}, {"André", "andre"},       {"Jürgen", "jurgen"},
    {"Søren", "soren"}, {"Björn", "bjorn"},   {"François", "francois"}, {"Ömer", "omer"},
    {"Jiří", "jiri"},   {"Paweł", "pawel"},   {"Håkon", "hakon"},       {"太郎", "taro"},
    {"Иван", "ivan"},   {"Νίκος", "nikos"},   {"Dũng", "dung"},
};
constexpr Name kFemaleFirstIntl[] = {
    {"Zoë", "zoe"},
    {"Chloé", "chloe"},
    {"Renée", "renee"},
    {"Małgorzata", "malgorzata"},
    {"Åsa", "asa"},
    {"Inés", "ines"},
    {"Françoise", "francoise"},
    {"Léa", "lea"},
    {"Noémie", "noemie"},
    {"花子", "hanako"},
    {"美咲", "misaki"},
    {"Анна", "anna"},
    {"Ayşe", "ayse"},
    {"Ioana-Mădălina", "ioana"},
};
constexpr Name kLast[] = {
    {"Smith", nullptr},        {"Johnson", nullptr},     {"Williams", nullptr},     {"Brown", nullptr},
    {"Jones", nullptr},        {"Garcia", nullptr},      {"Miller", nullptr},       {"Davis", nullptr},
    {"Rodriguez", nullptr},    {"Martinez", nullptr},    {"Hernandez", nullptr},    {"Lopez", nullptr},
    {"Wilson", nullptr},       {"Anderson", nullptr},    {"Taylor", nullptr},       {"Thomas", nullptr},
    {"Moore", nullptr},        {"Jackson", nullptr},     {"Martin", nullptr},       {"Lee", nullptr},
    {"Thompson", nullptr},     {"White", nullptr},       {"Harris", nullptr},       {"Clark", nullptr},
    {"Lewis", nullptr},        {"Robinson", nullptr},    {"Walker", nullptr},       {"Young", nullptr},
    {"Allen", nullptr},        {"King", nullptr},        {"Wright", nullptr},       {"Scott", nullptr},
    {"Brockwell", nullptr},    {"Downing", nullptr},     {"Grimsdith", nullptr},    {"Aizikovitch", nullptr},
    {"Bartholin", nullptr},    {"Cheale", nullptr},      {"Dumbare", nullptr},      {"Eykelhof", nullptr},
    {"Fearick", nullptr},      {"Gowlett", nullptr},     {"Hazelgreave", nullptr},  {"Ivashechkin", nullptr},
    {"Jindracek", nullptr},    {"Kilbane", nullptr},     {"Lambird", nullptr},      {"Mattussevich", nullptr},
    {"Nottingam", nullptr},    {"Ockleshaw", nullptr},   {"Pennycord", nullptr},    {"Quarrington", nullptr},
    {"Rubinlicht", nullptr},   {"Sheppey", nullptr},     {"Tolputt", nullptr},      {"Upstell", nullptr},
    {"Vasyutochkin", nullptr}, {"Wederell", nullptr},    {"Yurshev", nullptr},      {"Zorzin", nullptr},
    {"O'Brien", nullptr},      {"D'Angelo", nullptr},    {"McAllister", nullptr},   {"de la Cruz", nullptr},
    {"Van der Berg", nullptr}, {"Smith-Jones", nullptr}, {"MacGillivray", nullptr}, {"St. John", nullptr},
};
constexpr Name kLastIntl[] = {
    {"Müller", "muller"},
    {"Wójcik", "wojcik"},
    {"Gómez", "gomez"},
    {"Pérez", "perez"},
    {"Núñez", "nunez"},
    {"Øvergaard", "overgaard"},
    {"Schröder", "schroder"},
    {"Dvořák", "dvorak"},
    {"Lefèvre", "lefevre"},
    {"Çelik", "celik"},
    {"Yılmaz", "yilmaz"},
    {"Håkansson", "hakansson"},
    {"山田", "yamada"},
    {"佐藤", "sato"},
    {"王", "wang"},
    {"김", "kim"},
    {"Иванов", "ivanov"},
    {"Strauß", "strauss"},
    {"Łukaszewicz", "lukaszewicz"},
    {"Nguyễn", "nguyen"},
};
constexpr const char* kDomains[] = {
    "google.ru",     "wikipedia.org",  "senate.gov",   "nytimes.com", "about.me",    "ucoz.ru",
    "tinyurl.com",   "amazon.co.jp",   "bbc.co.uk",    "hibu.com",    "cnn.com",     "github.io",
    "wordpress.com", "blogger.com",    "weebly.com",   "paypal.com",  "yahoo.co.jp", "sina.com.cn",
    "163.com",       "mit.edu",        "stanford.edu", "usda.gov",    "nasa.gov",    "un.org",
    "who.int",       "europa.eu",      "gnu.org",      "apache.org",  "mozilla.org", "fc2.com",
    "naver.com",     "t-online.de",    "web.de",       "free.fr",     "libero.it",   "seznam.cz",
    "onet.pl",       "yandex.ru",      "mail.ru",      "gmail.com",   "outlook.com", "hotmail.com",
    "icloud.com",    "protonmail.com", "yahoo.com",    "comcast.net", "zdnet.com",   "forbes.com",
    "reuters.com",   "bloomberg.com",  "ted.com",      "imdb.com",    "vimeo.com",   "flickr.com",
    "tumblr.com",    "linkedin.com",   "archive.org",  "elpais.com",  "lemonde.fr",  "spiegel.de",
    "uol.com.br",    "globo.com",      "abc.net.au",   "cbc.ca",
};

// Cumulative weights out of 10000.
struct Weighted {
  const char* value;
  uint32_t upto;
};
constexpr Weighted kGenders[] = {
    {"Male", 4500},        {"Female", 9000},      {"Agender", 9150},    {"Bigender", 9320},
    {"Genderfluid", 9490}, {"Genderqueer", 9650}, {"Non-binary", 9830}, {"Polygender", 10000},
};

// IPv4 special-purpose blocks that Python 3.11's ipaddress calls not global, as (base, prefix length).
// 192.0.0.0/29 stands for 192.0.0.0/24 because Python versions disagree about 192.0.0.9 and .10.
struct Block {
  uint32_t base;
  int bits;
};
constexpr uint32_t v4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return a << 24 | b << 16 | c << 8 | d;
}
constexpr Block kSpecialV4[] = {
    {v4(10, 0, 0, 0), 8},   {v4(172, 16, 0, 0), 12},      {v4(192, 168, 0, 0), 16},
    {v4(127, 0, 0, 0), 8},  {v4(169, 254, 0, 0), 16},     {v4(100, 64, 0, 0), 10},
    {v4(192, 0, 2, 0), 24}, {v4(198, 51, 100, 0), 24},    {v4(203, 0, 113, 0), 24},
    {v4(0, 0, 0, 0), 8},    {v4(240, 0, 0, 0), 4},        {v4(198, 18, 0, 0), 15},
    {v4(192, 0, 0, 0), 29}, {v4(255, 255, 255, 255), 32},
};
// Public draws are redrawn when they land here: the special blocks, multicast, and 192.0.0.0/24 whole.
bool is_reserved_v4(uint32_t ip) {
  auto in = [ip](uint32_t base, int bits) { return (ip >> (32 - bits)) == (base >> (32 - bits)); };
  for (const Block& b : kSpecialV4) {
    if (in(b.base, b.bits)) return true;
  }
  return in(v4(224, 0, 0, 0), 4) || in(v4(192, 0, 0, 0), 24);
}

// Globally routed IPv6 prefixes (first two hextets) of real networks, outside every special block.
constexpr uint16_t kGlobalV6[][2] = {
    {0x2001, 0x4860}, {0x2a03, 0x2880}, {0x2606, 0x4700}, {0x2a00, 0x1450}, {0x2400, 0xcb00},
    {0x2604, 0xa880}, {0x2c0f, 0xfb50}, {0x2620, 0x0},    {0x2a02, 0x6b8},  {0x2804, 0x14c},
    {0x2403, 0x5800}, {0x2001, 0x67c},  {0x2a01, 0x4f8},  {0x2607, 0xf8b0}, {0x2405, 0x200},
};

void append_u64(std::string& out, uint64_t v) {
  char buf[24];
  int n = std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(v));
  out.append(buf, static_cast<size_t>(n));
}

void append_v4(std::string& out, uint32_t ip) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    append_u64(out, (ip >> shift) & 0xff);
    if (shift) out += '.';
  }
}

// RFC 5952 text: lowercase, no leading zeros, the longest run (first of equals) of two or more zero
// hextets as "::".
void append_v6(std::string& out, const uint16_t (&h)[8]) {
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && h[j] == 0) ++j;
    if (j - i > best_len) best = i, best_len = j - i;
    i = j == i ? i + 1 : j;
  }
  char buf[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (i > 0 && i != best + best_len) out += ':';
    int n = std::snprintf(buf, sizeof buf, "%x", h[i]);
    out.append(buf, static_cast<size_t>(n));
  }
}

std::string slug_of(const Name& name) {
  if (name.slug) return name.slug;
  std::string s;
  for (const char* p = name.display; *p; ++p) {
    char c = *p;
    if (c >= 'A' && c <= 'Z')
      s += static_cast<char>(c - 'A' + 'a');
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      s += c;
  }
  return s;
}

}  // namespace

MockUserGenerator::MockUserGenerator(uint64_t seed) : state_(seed) {}

uint64_t MockUserGenerator::uniform(uint64_t n) {
  // splitmix64, then Lemire's multiply-shift: a fixed function of the seed on every platform.
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<uint64_t>((static_cast<unsigned __int128>(z) * n) >> 64);
}

void MockUserGenerator::make_ip(std::string& out) {
  out.clear();
  uint64_t r = uniform(10000);
  if (r < 200) {  // 2%: IPv4 special-purpose
    const Block& b = kSpecialV4[uniform(std::size(kSpecialV4))];
    uint32_t host = b.bits == 32 ? 0 : static_cast<uint32_t>(uniform(uint64_t{1} << (32 - b.bits)));
    append_v4(out, b.base | host);
  } else if (r < 250) {  // 0.5%: multicast
    append_v4(out, v4(224, 0, 0, 0) | static_cast<uint32_t>(uniform(uint64_t{1} << 28)));
  } else if (r < 350) {  // 1%: IPv6
    uint16_t h[8] = {};
    auto rnd16 = [this] { return static_cast<uint16_t>(uniform(0x10000)); };
    uint64_t kind = uniform(10);
    if (kind < 7) {
      const auto& p = kGlobalV6[uniform(std::size(kGlobalV6))];
      h[0] = p[0], h[1] = p[1], h[2] = rnd16(), h[3] = rnd16();
      bool sparse = uniform(2) == 0;  // many real addresses are prefix::small-host
      for (int i = 4; i < 7; ++i) h[i] = sparse ? 0 : rnd16();
      h[7] = sparse ? static_cast<uint16_t>(1 + uniform(0x200)) : rnd16();
      append_v6(out, h);
      return;
    }
    switch (uniform(6)) {
      case 0:
        out = "::1";
        return;
      case 1:
        out = "::";
        return;
      case 2:
        h[0] = 0xfe80, h[4] = rnd16(), h[5] = (rnd16() & 0xff00) | 0x00ff, h[6] = 0xfe00 | (rnd16() & 0xff),
        h[7] = rnd16();
        break;
      case 3:
        h[0] = 0xfd00 | (rnd16() & 0xff), h[1] = rnd16(), h[2] = rnd16(), h[7] = 1 + rnd16() % 0xff;
        break;
      case 4:
        h[0] = 0x2001, h[1] = 0xdb8, h[2] = rnd16(), h[7] = rnd16();
        break;
      default:  // IPv4-mapped private address, a form that trips naive classifiers
        out = "::ffff:";
        append_v4(out, v4(10, 0, 0, 0) | static_cast<uint32_t>(uniform(1 << 24)));
        return;
    }
    append_v6(out, h);
  } else {
    uint32_t ip;
    do {
      ip = static_cast<uint32_t>(uniform(uint64_t{1} << 32));
    } while (is_reserved_v4(ip));
    append_v4(out, ip);
  }
}

void MockUserGenerator::next(MockUser& u) {
  u.id = next_id_++;
  uint64_t g = uniform(10000);
  size_t gi = 0;
  while (g >= kGenders[gi].upto) ++gi;
  u.gender = kGenders[gi].value;
  bool male = gi == 0 || (gi > 1 && uniform(2) == 0);

  auto pick = [this](const auto& names) -> const Name& { return names[uniform(std::size(names))]; };
  bool intl_first = uniform(100) < 2;
  const Name& first = male ? (intl_first ? pick(kMaleFirstIntl) : pick(kMaleFirst))
                           : (intl_first ? pick(kFemaleFirstIntl) : pick(kFemaleFirst));
  const Name& last = uniform(100) < 2 ? pick(kLastIntl) : pick(kLast);
  u.first_name = first.display;
  u.last_name = last.display;
  uint64_t odd = uniform(10000);
  if (odd < 10 && !intl_first) {  // a nickname in quotes, which CSV must escape
    u.first_name += " \"";
    u.first_name.append(first.display, 3);
    u.first_name += '"';
  } else if (odd < 30) {  // a suffix after a comma, which CSV must quote
    u.last_name += odd < 25 ? ", Jr." : ", III";
  }

  std::string f = slug_of(first), l = slug_of(last);
  std::string& e = u.email;
  e.clear();
  uint64_t style = uniform(100);
  if (style < 50) {  // Mockaroo's own: initial, surname, row index
    e += f[0];
    e += l;
    append_u64(e, (u.id - 1) % 1000);
  } else if (style < 75) {
    e += f + '.' + l;
  } else if (style < 90) {
    e += f + l[0];
    append_u64(e, 1 + uniform(99));
  } else {
    e += f + '_' + l;
  }
  if (uniform(100) < 3) e[0] = static_cast<char>(e[0] - 'a' + 'A');
  e += '@';
  e += kDomains[uniform(std::size(kDomains))];

  make_ip(u.ip_address);
}

namespace {

constexpr const char* kHeader[] = {"id", "first_name", "last_name", "email", "gender", "ip_address"};

common::Status open_error(const std::string& path, int err) {
  std::string msg = path + ": cannot write: " + std::strerror(err);
  return err == ENOENT ? common::not_found(msg) : common::unavailable(msg);
}

void append_csv_field(std::string& out, const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

common::Status write_csv(const std::string& path, uint64_t rows, uint64_t seed) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return open_error(path, errno);
  std::string buf;
  buf.reserve(1 << 20);
  buf += "id,first_name,last_name,email,gender,ip_address\r\n";
  MockUserGenerator gen(seed);
  MockUser u;
  bool ok = true;
  for (uint64_t i = 0; i < rows && ok; ++i) {
    gen.next(u);
    append_u64(buf, u.id);
    for (const std::string* v : {&u.first_name, &u.last_name, &u.email, &u.gender, &u.ip_address}) {
      buf += ',';
      append_csv_field(buf, *v);
    }
    buf += "\r\n";
    if (buf.size() > (1 << 20) - 1024) {
      ok = std::fwrite(buf.data(), 1, buf.size(), f) == buf.size();
      buf.clear();
    }
  }
  if (ok) ok = std::fwrite(buf.data(), 1, buf.size(), f) == buf.size();
  int err = ok ? 0 : errno;
  if (std::fclose(f) != 0 && ok) ok = false, err = errno;
  if (!ok) {
    std::remove(path.c_str());
    return open_error(path, err ? err : EIO);
  }
  return common::Status::ok();
}

common::Status write_xlsx(const std::string& path, uint64_t rows, uint64_t seed) {
  if (rows > kMaxMockUsersXlsxRows) {
    return common::invalid_argument(path + ": " + std::to_string(rows) +
                                    " rows do not fit in a sheet (at most " +
                                    std::to_string(kMaxMockUsersXlsxRows) + " below the header)");
  }
  // libxlsxwriter opens the file only in workbook_close(), so check the directory now for a clear error.
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty() && !std::filesystem::is_directory(dir, ec)) return open_error(path, ENOENT);

  // Default mode (not constant_memory): strings go to sharedStrings.xml as Excel writes them, which is the
  // path our reader must be fast on; the cost is memory (see the header).
  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  if (!wb) return common::Status(common::Code::kResourceExhausted, path + ": cannot create workbook");
  // A fixed creation time keeps the file a pure function of (rows, seed).
  lxw_doc_properties props{};
  props.created = 1704067200;  // 2024-01-01T00:00:00Z
  lxw_error err = workbook_set_properties(wb, &props);
  lxw_worksheet* ws = workbook_add_worksheet(wb, nullptr);
  if (!ws && err == LXW_NO_ERROR) err = LXW_ERROR_MEMORY_MALLOC_FAILED;
  for (lxw_col_t c = 0; c < std::size(kHeader) && err == LXW_NO_ERROR; ++c) {
    err = worksheet_write_string(ws, 0, c, kHeader[c], nullptr);
  }
  MockUserGenerator gen(seed);
  MockUser u;
  for (uint64_t i = 0; i < rows && err == LXW_NO_ERROR; ++i) {
    gen.next(u);
    auto row = static_cast<lxw_row_t>(i + 1);
    err = worksheet_write_number(ws, row, 0, static_cast<double>(u.id), nullptr);
    lxw_col_t c = 1;
    for (const std::string* v : {&u.first_name, &u.last_name, &u.email, &u.gender, &u.ip_address}) {
      if (err == LXW_NO_ERROR) err = worksheet_write_string(ws, row, c++, v->c_str(), nullptr);
    }
  }
  if (err != LXW_NO_ERROR) {
    // workbook_close() is the only way to free the workbook; it writes a partial file we then remove.
    workbook_close(wb);
    std::remove(path.c_str());
    return common::internal_error(path + ": " + lxw_strerror(err));
  }
  err = workbook_close(wb);
  if (err != LXW_NO_ERROR) {
    std::remove(path.c_str());
    return common::unavailable(path + ": cannot write workbook: " + lxw_strerror(err));
  }
  return common::Status::ok();
}

bool ends_with_csv(const std::string& path) {
  if (path.size() < 4) return false;
  std::string_view tail(path.data() + path.size() - 4, 4);
  return tail[0] == '.' && (tail[1] | 0x20) == 'c' && (tail[2] | 0x20) == 's' && (tail[3] | 0x20) == 'v';
}

}  // namespace

common::Status write_mock_users(const std::string& path, uint64_t rows, uint64_t seed) {
  return ends_with_csv(path) ? write_csv(path, rows, seed) : write_xlsx(path, rows, seed);
}

}  // namespace sluice::etl
