#pragma once
// Reads styles.xml far enough to know which cell styles show numbers as dates or times: the custom number
// formats (<numFmts>) and the cell formats (<cellXfs>), whose position is a cell's s attribute.
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "etl/source/xlsx/number_format.h"

namespace sluice::etl::xlsx {

// The NumberKind of each <cellXfs><xf>, in order. A custom <numFmt> overrides a built-in of the same id.
common::Result<std::vector<NumberKind>> parse_styles(std::string_view styles_xml, const std::string& part);

}  // namespace sluice::etl::xlsx
