// Writes seed inputs for the fuzz target: random well-formed worksheets and shared-strings parts from the
// differential test's generator. Usage: make_seeds DIR COUNT
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "etl/source/xlsx/random_sheet_xml.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: make_seeds DIR COUNT\n");
    return 2;
  }
  const int count = std::atoi(argv[2]);
  for (int i = 1; i <= count; ++i) {
    sluice::etl::xlsx::testing::RandomSheetXml generator(static_cast<uint32_t>(i));
    const std::string xml = i % 4 == 0 ? generator.shared_strings() : generator.sheet();
    std::ofstream(std::string(argv[1]) + "/seed" + std::to_string(i) + ".xml", std::ios::binary) << xml;
  }
  return 0;
}
