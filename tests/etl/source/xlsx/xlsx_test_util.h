#pragma once
// Helpers for the .xlsx reader tests: write a zip (hand-made workbooks, damaged ones), build a minimal
// workbook from sheet XML, and render what a Source reads as text that a test can compare.
#include <gtest/gtest.h>
#include <zip.h>

#include <string>
#include <utility>
#include <vector>

#include "etl/source/source.h"

namespace sluice::etl::xlsx::testing {

using Entries = std::vector<std::pair<std::string, std::string>>;

// Writes a zip holding entries (name, content), deflated unless store.
inline void write_zip(const std::string& path, const Entries& entries, bool store = false) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  ASSERT_NE(archive, nullptr) << "zip_open " << path << " failed: " << error;
  for (const auto& [name, content] : entries) {
    zip_source_t* source = zip_source_buffer(archive, content.data(), content.size(), 0);
    ASSERT_NE(source, nullptr);
    const zip_int64_t index = zip_file_add(archive, name.c_str(), source, ZIP_FL_OVERWRITE);
    ASSERT_GE(index, 0) << zip_strerror(archive);
    if (store) zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
  }
  ASSERT_EQ(zip_close(archive), 0);
}

// The zip entry a relationship target from xl/workbook.xml names: "/a/b" is absolute, ".." steps up.
inline std::string entry_for_target(const std::string& target) {
  std::vector<std::string> parts;
  std::string path = target[0] == '/' ? target.substr(1) : "xl/" + target;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    const std::string seg = path.substr(start, slash - start);
    if (seg == "..")
      parts.pop_back();
    else if (!seg.empty())
      parts.push_back(seg);
    start = slash + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

inline const char* kMainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
inline const char* kRelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

struct MiniSheet {
  std::string name;
  std::string rows;       // the content of <sheetData>; or, when full_xml is set, the whole part
  std::string part = "";  // default: xl/worksheets/sheet<k>.xml in workbook order
  bool full_xml = false;
};

// The parts of a minimal workbook: the sheets in order, optional shared strings and styles.
struct MiniWorkbook {
  std::vector<MiniSheet> sheets;
  std::string shared_strings;  // the <si> items, or empty for no part
  std::string styles;          // the whole styles.xml, or empty for no part
  bool date1904 = false;

  Entries entries() const {
    Entries out;
    // Content types as Excel writes them, so that openpyxl opens these workbooks too (for cross-checks).
    std::string types =
        "<?xml version=\"1.0\"?><Types "
        "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        "<Default Extension=\"rels\" "
        "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
        "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
        "<Override PartName=\"/xl/workbook.xml\" "
        "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>";
    for (size_t i = 0; i < sheets.size(); ++i) {
      const std::string part =
          sheets[i].part.empty() ? "worksheets/sheet" + std::to_string(i + 1) + ".xml" : sheets[i].part;
      types +=
          "<Override PartName=\"/" + entry_for_target(part) +
          "\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>";
    }
    if (!shared_strings.empty()) {
      types +=
          "<Override PartName=\"/xl/sharedStrings.xml\" "
          "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>";
    }
    if (!styles.empty()) {
      types +=
          "<Override PartName=\"/xl/styles.xml\" "
          "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>";
    }
    out.emplace_back("[Content_Types].xml", types + "</Types>");
    out.emplace_back("_rels/.rels",
                     "<?xml version=\"1.0\"?><Relationships "
                     "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                     "<Relationship Id=\"rId1\" Type=\"" +
                         std::string(kRelNs) +
                         "/officeDocument\" Target=\"xl/workbook.xml\"/>"
                         "</Relationships>");
    std::string book =
        "<?xml version=\"1.0\"?><workbook xmlns=\"" + std::string(kMainNs) + "\" xmlns:r=\"" + kRelNs + "\">";
    if (date1904) book += "<workbookPr date1904=\"1\"/>";
    book += "<sheets>";
    std::string rels =
        "<?xml version=\"1.0\"?><Relationships "
        "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
    for (size_t i = 0; i < sheets.size(); ++i) {
      const std::string id = "rId" + std::to_string(i + 10);
      const std::string part =
          sheets[i].part.empty() ? "worksheets/sheet" + std::to_string(i + 1) + ".xml" : sheets[i].part;
      book += "<sheet name=\"" + sheets[i].name + "\" sheetId=\"" + std::to_string(i + 1) + "\" r:id=\"" +
              id + "\"/>";
      rels += "<Relationship Id=\"" + id + "\" Type=\"" + kRelNs + "/worksheet\" Target=\"" + part + "\"/>";
      out.emplace_back(entry_for_target(part), sheets[i].full_xml
                                                   ? sheets[i].rows
                                                   : "<?xml version=\"1.0\"?><worksheet xmlns=\"" +
                                                         std::string(kMainNs) + "\"><sheetData>" +
                                                         sheets[i].rows + "</sheetData></worksheet>");
    }
    if (!shared_strings.empty()) {
      rels += "<Relationship Id=\"rId1\" Type=\"" + std::string(kRelNs) +
              "/sharedStrings\" Target=\"sharedStrings.xml\"/>";
      out.emplace_back("xl/sharedStrings.xml", "<?xml version=\"1.0\"?><sst xmlns=\"" + std::string(kMainNs) +
                                                   "\">" + shared_strings + "</sst>");
    }
    if (!styles.empty()) {
      rels += "<Relationship Id=\"rId2\" Type=\"" + std::string(kRelNs) + "/styles\" Target=\"styles.xml\"/>";
      out.emplace_back("xl/styles.xml", styles);
    }
    out.emplace_back("xl/workbook.xml", book + "</sheets></workbook>");
    out.emplace_back("xl/_rels/workbook.xml.rels", rels + "</Relationships>");
    return out;
  }
};

// A typed rendering of a value: 7 (int), 1.5d (double), True, 'text', null, and datetimes as
// format_datetime gives them with a kind mark: @2024-01-01 00:00:00 (datetime), @d2024-01-01, @t12:00:00.
inline std::string show(const Value& v) {
  switch (v.index()) {
    case 0:
      return "null";
    case 1:
      return std::to_string(std::get<int64_t>(v));
    case 2:
      return to_text(v) + "d";
    case 3:
      return to_text(v);
    case 4:
      return "'" + std::get<std::string>(v) + "'";
    default: {
      const DateTime& dt = std::get<DateTime>(v);
      return std::string(dt.kind == DateTime::Kind::kDate   ? "@d"
                         : dt.kind == DateTime::Kind::kTime ? "@t"
                                                            : "@") +
             format_datetime(dt);
    }
  }
}

// "name(origin) name(origin) ..." for the schema.
inline std::string show_schema(const Schema& schema) {
  std::string out;
  for (const Field& f : schema) out += (out.empty() ? "" : " ") + f.name + "(" + f.origin + ")";
  return out;
}

// Every row a Source gives, one line each: "27: 1 | 'x' | null".
inline std::string read_all(Source& source) {
  std::string out;
  Batch batch;
  for (;;) {
    auto more = source.next(batch);
    if (!more.is_ok()) return out + "error: " + more.status().message() + "\n";
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      out += std::to_string(batch.source_rows[r]) + ":";
      for (size_t c = 0; c < batch.columns.size(); ++c)
        out += (c == 0 ? " " : " | ") + show(batch.columns[c][r]);
      out += "\n";
    }
    if (!*more) return out;
  }
}

}  // namespace sluice::etl::xlsx::testing
