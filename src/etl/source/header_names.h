#pragma once
// Column naming rules shared by every source, so that a table has the columns pandas would give it.
#include <string>
#include <vector>

namespace sluice::etl::internal {

// Names empty header cells "Unnamed: N" (N the 0-based position) and renames repeats to "name.1",
// "name.2", ... as pandas.read_excel/read_csv do.
std::vector<std::string> normalise_header_names(std::vector<std::string> names);

}  // namespace sluice::etl::internal
