#include "etl/source/xlsx/workbook.h"

#include <algorithm>
#include <map>

#include "etl/source/xlsx/expat_part.h"

namespace sluice::etl::xlsx {

namespace {

struct Relationship {
  std::string type, target;
  bool external = false;
};

class RelationshipsHandler : public XmlHandler {
 public:
  std::map<std::string, Relationship> by_id;
  std::vector<Relationship> in_order;
  void start(std::string_view local, const std::vector<XmlAttribute>& attributes) override {
    if (local != "Relationship") return;
    const auto* id = find_attribute(attributes, "Id");
    const auto* type = find_attribute(attributes, "Type");
    const auto* target = find_attribute(attributes, "Target");
    const auto* mode = find_attribute(attributes, "TargetMode");
    if (id == nullptr || target == nullptr) return;
    Relationship r{type ? std::string(*type) : "", std::string(*target),
                   mode != nullptr && *mode == "External"};
    by_id.emplace(std::string(*id), r);
    in_order.push_back(std::move(r));
  }
};

// Transitional (what every writer uses) and Strict (ISO 29500 strict, an Excel "Save as" option).
bool is_main_namespace(std::string_view ns) {
  return ns == "http://schemas.openxmlformats.org/spreadsheetml/2006/main" ||
         ns == "http://purl.oclc.org/ooxml/spreadsheetml/main" || ns.empty();
}

class WorkbookHandler : public XmlHandler {
 public:
  struct Sheet {
    std::string name, rel_id;
  };
  std::vector<Sheet> sheets;
  bool date1904 = false;
  void start(std::string_view, const std::vector<XmlAttribute>&) override {}
  void start_in(std::string_view ns, std::string_view local,
                const std::vector<XmlAttribute>& attributes) override {
    if (local == "sheet") {
      const auto* name = find_attribute(attributes, "name");
      const auto* id = find_attribute(attributes, "id", "relationships");
      sheets.push_back({name ? std::string(*name) : "", id ? std::string(*id) : ""});
    } else if (local == "workbookPr" && is_main_namespace(ns)) {
      // Only the main workbookPr says which date system the book uses: Excel 2010+ also writes extension
      // elements of the same local name (x14:workbookPr, x15:workbookPr) without date1904, which must not
      // reset it.
      const auto* v = find_attribute(attributes, "date1904");
      date1904 = v != nullptr && (*v == "1" || *v == "true");
    }
  }
};

bool type_is(const Relationship& r, std::string_view kind) { return r.type.ends_with(kind); }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string sheet_list(const WorkbookInfo& info) {
  std::string out;
  for (const SheetEntry& s : info.sheets) {
    if (!out.empty()) out += ", ";
    out += "'" + s.name + "'";
    if (!s.worksheet) out += " (chart sheet)";
  }
  return out.empty() ? "no sheets" : out;
}

}  // namespace

common::Result<std::string> find_workbook_part(std::string_view root_rels_xml) {
  if (root_rels_xml.empty()) return std::string("xl/workbook.xml");
  RelationshipsHandler rels;
  SLUICE_RETURN_IF_ERROR(parse_with_expat(root_rels_xml, "_rels/.rels", rels));
  for (const Relationship& r : rels.in_order) {
    if (type_is(r, "/officeDocument") && !r.external) return resolve_target("", r.target);
  }
  return std::string("xl/workbook.xml");
}

std::string relationships_part(const std::string& part) {
  const size_t slash = part.rfind('/');
  if (slash == std::string::npos) return "_rels/" + part + ".rels";
  return part.substr(0, slash + 1) + "_rels/" + part.substr(slash + 1) + ".rels";
}

std::string resolve_target(const std::string& source_part, std::string_view target) {
  std::vector<std::string> segments;
  auto push_path = [&](std::string_view path) {
    size_t start = 0;
    while (start <= path.size()) {
      size_t slash = path.find('/', start);
      if (slash == std::string_view::npos) slash = path.size();
      const std::string_view seg = path.substr(start, slash - start);
      if (seg == "..") {
        if (!segments.empty()) segments.pop_back();
      } else if (!seg.empty() && seg != ".") {
        segments.emplace_back(seg);
      }
      start = slash + 1;
    }
  };
  if (!target.starts_with("/")) {
    const size_t slash = source_part.rfind('/');
    if (slash != std::string::npos) push_path(std::string_view(source_part).substr(0, slash));
  }
  push_path(target);
  std::string out;
  for (const std::string& s : segments) out += (out.empty() ? "" : "/") + s;
  return out;
}

common::Result<WorkbookInfo> parse_workbook(std::string_view workbook_xml, std::string_view rels_xml,
                                            const std::string& workbook_part) {
  WorkbookHandler book;
  SLUICE_RETURN_IF_ERROR(parse_with_expat(workbook_xml, workbook_part, book));
  RelationshipsHandler rels;
  if (!rels_xml.empty())
    SLUICE_RETURN_IF_ERROR(parse_with_expat(rels_xml, relationships_part(workbook_part), rels));
  WorkbookInfo info;
  info.date1904 = book.date1904;
  for (const auto& sheet : book.sheets) {
    SheetEntry entry{sheet.name, "", true};
    if (auto it = rels.by_id.find(sheet.rel_id); it != rels.by_id.end() && !it->second.external) {
      entry.part = resolve_target(workbook_part, it->second.target);
      entry.worksheet = type_is(it->second, "/worksheet");
    }
    info.sheets.push_back(std::move(entry));
  }
  for (const Relationship& r : rels.in_order) {
    if (r.external) continue;
    if (type_is(r, "/sharedStrings") && info.shared_strings_part.empty()) {
      info.shared_strings_part = resolve_target(workbook_part, r.target);
    } else if (type_is(r, "/styles") && info.styles_part.empty()) {
      info.styles_part = resolve_target(workbook_part, r.target);
    }
  }
  return info;
}

common::Result<size_t> select_sheet(const WorkbookInfo& info, const std::string& selector) {
  if (selector.empty()) {
    for (size_t i = 0; i < info.sheets.size(); ++i) {
      if (info.sheets[i].worksheet) return i;
    }
    return common::not_found("the workbook has no worksheet (it has " + sheet_list(info) + ")");
  }
  for (size_t i = 0; i < info.sheets.size(); ++i) {
    if (info.sheets[i].name == selector) return i;
  }
  for (size_t i = 0; i < info.sheets.size(); ++i) {
    if (lower(info.sheets[i].name) == lower(selector)) return i;
  }
  if (!selector.empty() && selector.size() < 9 && std::all_of(selector.begin(), selector.end(), ::isdigit)) {
    const size_t wanted = std::stoul(selector);
    size_t seen = 0;
    for (size_t i = 0; i < info.sheets.size(); ++i) {
      if (info.sheets[i].worksheet && ++seen == wanted) return i;
    }
    return common::not_found("no sheet " + selector + " (sheets are numbered from 1; the workbook has " +
                             std::to_string(seen) + " worksheet" + (seen == 1 ? "" : "s") + ": " +
                             sheet_list(info) + ")");
  }
  return common::not_found("no sheet named '" + selector + "' (the workbook has " + sheet_list(info) + ")");
}

}  // namespace sluice::etl::xlsx
