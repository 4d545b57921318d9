#pragma once
// The workbook's table of contents: which sheets exist, in order, where each one's part is (resolved through
// xl/_rels/workbook.xml.rels, since sheet1.xml need not be the first sheet), where the shared strings and
// styles are, and which date system it uses.
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sluice::etl::xlsx {

struct SheetEntry {
  std::string name;
  std::string part;       // e.g. "xl/worksheets/sheet1.xml"; empty when its relationship is missing
  bool worksheet = true;  // false for chart sheets and other sheet kinds
};

struct WorkbookInfo {
  std::vector<SheetEntry> sheets;   // in the workbook's order (the tab order)
  bool date1904 = false;            // <workbookPr date1904="1">: the Mac 1904 date system
  std::string shared_strings_part;  // empty when the workbook has none
  std::string styles_part;          // empty when the workbook has none
};

// The main part named by the package relationships (_rels/.rels), or "xl/workbook.xml" when root_rels_xml is
// empty or names none.
common::Result<std::string> find_workbook_part(std::string_view root_rels_xml);

// Reads workbook.xml and its relationships part (empty when missing).
common::Result<WorkbookInfo> parse_workbook(std::string_view workbook_xml, std::string_view rels_xml,
                                            const std::string& workbook_part);

// The relationships part of a part: "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels".
std::string relationships_part(const std::string& part);

// Resolves a relationship target against the part that holds it: "worksheets/sheet1.xml" from
// "xl/workbook.xml" is "xl/worksheets/sheet1.xml"; "/xl/x.xml" is absolute; ".." steps up.
std::string resolve_target(const std::string& source_part, std::string_view target);

// Picks a sheet: the first worksheet when selector is empty; the sheet of that name (exactly, else ignoring
// ASCII case); else, when selector is a number, the selector-th worksheet (1-based, counting worksheets only,
// as pandas does). Fails (kNotFound) with a message that lists the sheets there are.
common::Result<size_t> select_sheet(const WorkbookInfo& info, const std::string& selector);

}  // namespace sluice::etl::xlsx
