#pragma once
// Seeded random worksheet and shared-strings XML that stays well-formed but uses everything the format
// allows: namespace prefixes, attributes in any order with either quote and odd whitespace, missing and
// empty r attributes, entities, character references, CDATA, comments and processing instructions in the
// middle of values, line ends to normalise, rich-text runs with phonetic runs, unknown elements. Shared by
// the differential test and the fuzz target's seed corpus.
#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace sluice::etl::xlsx::testing {

class RandomSheetXml {
 public:
  // plain: the shape writers produce (double quotes, single spaces, no comments), which the scanners' fast
  // paths read; otherwise every freedom XML allows.
  explicit RandomSheetXml(uint32_t seed, bool plain = false) : rng_(seed), plain_(plain) {}

  std::string sheet() {
    prefix_ = plain_ ? "" : pick({"", "", "x:", "ss:", "a:b:"});
    std::string out = maybe("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n", 70);
    out += open("worksheet",
                " xmlns" + (prefix_.empty() ? std::string() : ":" + prefix_.substr(0, prefix_.find(':'))) +
                    "=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"");
    out += maybe(element("dimension", " ref=\"A1:C9\"", ""), 50) + junk();
    out += open("sheetData", "") + junk();
    const int rows = uniform(0, 8);
    for (int r = 0; r < rows; ++r) out += row() + junk();
    out += close("sheetData") + maybe(element("mergeCells", " count='0'", ""), 30) + close("worksheet");
    return out;
  }

  std::string shared_strings() {
    prefix_ = plain_ ? "" : pick({"", "x:"});
    std::string out = maybe("<?xml version=\"1.0\"?>\n", 50);
    out += open("sst", attributes({{"count", "9"}, {"uniqueCount", "9"}})) + junk();
    const int items = uniform(0, 8);
    for (int i = 0; i < items; ++i) {
      out += chance(10) ? "<" + prefix_ + "si/>" : open("si", "") + rich_text() + close("si");
      out += junk();
    }
    return out + close("sst");
  }

 private:
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(int percent) { return uniform(0, 99) < percent; }
  std::string maybe(const std::string& s, int percent) { return chance(percent) ? s : ""; }
  std::string pick(std::initializer_list<const char*> options) {
    return *(options.begin() + uniform(0, static_cast<int>(options.size()) - 1));
  }

  std::string space() { return plain_ ? " " : pick({" ", " ", "  ", "\t", "\n", "\r\n", " \r "}); }
  std::string quote(const std::string& value) {
    const char q = plain_ || chance(50) ? '"' : '\'';
    return std::string(1, q) + value + q;
  }
  std::string attributes(std::vector<std::pair<std::string, std::string>> attrs) {
    std::shuffle(attrs.begin(), attrs.end(), rng_);
    std::string out;
    for (const auto& [name, value] : attrs) {
      out += space() + name + (!plain_ && chance(20) ? space() + "=" + space() : "=") + quote(value);
    }
    return plain_ ? out : out + maybe(space(), 20);
  }
  std::string open(const std::string& name, const std::string& attrs) {
    return "<" + prefix_ + name + attrs + ">";
  }
  std::string close(const std::string& name) {
    return "</" + prefix_ + name + (plain_ ? "" : maybe(space(), 15)) + ">";
  }
  std::string element(const std::string& name, const std::string& attrs, const std::string& content) {
    if (content.empty() && chance(50)) return "<" + prefix_ + name + attrs + maybe(space(), 30) + "/>";
    return open(name, attrs) + content + close(name);
  }
  // Comments, processing instructions and whitespace that mean nothing where they are.
  std::string junk() {
    if (plain_ && chance(90)) return "";
    switch (uniform(0, 9)) {
      case 0:
        return "<!-- c <>& - -->";
      case 1:
        return "<?pi data?>";
      case 2:
        return space();
      case 3:
        return element("extLst", "", element("v", "", "9") + element("row", "", ""));
      default:
        return "";
    }
  }

  // Character data with every kind of escape.
  std::string text() {
    std::string out;
    const int pieces = uniform(0, 6);
    for (int i = 0; i < pieces; ++i) {
      switch (uniform(0, 13)) {
        case 0:
          out += "&amp;";
          break;
        case 1:
          out += pick({"&lt;", "&gt;", "&quot;", "&apos;"});
          break;
        case 2:
          out += "&#" + std::to_string(uniform(32, 0x2FFF)) + ";";
          break;
        case 3:
          out += "&#x" + pick({"41", "20AC", "1F600", "9", "D", "A", "0041"}) + ";";
          break;
        case 4:
          out += "<![CDATA[" + pick({"", "<b>&amp;</b>", "]]", "a\r\nb"}) + "]]>";
          break;
        case 5:
          out += pick({"\r\n", "\r", "\n", "\t"});
          break;
        case 6:
          out += "<!--note-->";
          break;
        case 7:
          out += pick({"\xC3\xA9t\xC3\xA9", "\xE6\x97\xA5\xE6\x9C\xAC", "\xF0\x9F\x98\x80"});
          break;
        case 8:
          out += pick({"_x000D_", "_x005F_x0041_", "]]", "'\""});
          break;
        default:
          out += pick({"12", "-3.5", "1E3", "abc", " ", "x y", "#N/A", "0"});
          break;
      }
    }
    return out;
  }

  std::string rich_text() {
    std::string out;
    const int runs = uniform(0, 4);
    for (int i = 0; i < runs; ++i) {
      switch (uniform(0, 5)) {
        case 0:
          out += element("t", maybe(" xml:space=\"preserve\"", 50), text());
          break;
        case 1:
          out += open("r", "") + maybe(element("rPr", "", element("b", "", "")), 50) + junk() +
                 element("t", "", text()) + close("r");
          break;
        case 2:
          out += element("rPh", " sb='0' eb='1'", element("t", "", text()));
          break;
        case 3:
          out += element("phoneticPr", " fontId='1'", "");
          break;
        case 4:
          out += text();
          break;  // text directly in <si>/<is> is not part of the string
        default:
          out += junk();
          break;
      }
    }
    return out;
  }

  std::string reference() {
    if (chance(5)) return "&#65;&#x31;";  // "A1", written as character references
    if (chance(3))
      return "XFD" + std::to_string(uniform(1, 9));  // the last column: a next cell without r overflows
    std::string letters = pick({"A", "B", "C", "Z", "AA", "b", "$C"});
    return letters + pick({"1", "7", "1048576", "$3"});
  }

  std::string cell() {
    std::vector<std::pair<std::string, std::string>> attrs;
    if (chance(70)) attrs.push_back({"r", chance(10) ? "" : reference()});
    const std::string type = pick({"", "", "n", "s", "str", "inlineStr", "b", "e", "d", "inlinestr"});
    if (!type.empty()) attrs.push_back({"t", type});
    if (chance(40)) attrs.push_back({"s", std::to_string(uniform(0, 30))});
    if (chance(10)) attrs.push_back({"cm", "1"});
    std::string content;
    const int children = uniform(0, 3);
    for (int i = 0; i < children; ++i) {
      switch (uniform(0, 5)) {
        case 0:
          content += element("f", maybe(" t='shared' si='0'", 30), pick({"", "SUM(A1:A2)", "A1&amp;\"x\""}));
          break;
        case 1:
          content += element("is", "", rich_text());
          break;
        case 2:
          content += junk();
          break;
        default:
          content += element("v", "", text());
          break;
      }
    }
    return element("c", attributes(attrs), content);
  }

  std::string row() {
    std::vector<std::pair<std::string, std::string>> attrs;
    if (chance(70)) attrs.push_back({"r", chance(10) ? "" : std::to_string(next_row_ += uniform(0, 3))});
    if (chance(30)) attrs.push_back({"spans", "1:3"});
    if (chance(20)) attrs.push_back({"ht", "15.75"});
    std::string content;
    const int cells = uniform(0, 5);
    for (int i = 0; i < cells; ++i) content += cell() + junk();
    return element("row", attributes(attrs), content);
  }

  std::mt19937 rng_;
  bool plain_;
  std::string prefix_;
  int next_row_ = 1;
};

}  // namespace sluice::etl::xlsx::testing
