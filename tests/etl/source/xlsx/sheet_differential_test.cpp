// The scanners against the expat reference (reference_sheet_parser.h) on seeded random XML, whole and
// mutated: wherever expat accepts the document, both must read the same rows, cells and strings.
#include <gtest/gtest.h>

#include <random>

#include "etl/source/xlsx/random_sheet_xml.h"
#include "etl/source/xlsx/reference_sheet_parser.h"

namespace sluice::etl::xlsx {
namespace {

using testing::ParseOutcome;

size_t random_chunk(std::mt19937& rng) {
  const size_t choices[] = {1, 2, 3, 4, 7, 16, 61, 512, size_t{1} << 20};
  return choices[std::uniform_int_distribution<size_t>(0, std::size(choices) - 1)(rng)];
}

// Compares where the reference has a verdict; returns false (after reporting) on a disagreement.
bool agree(const ParseOutcome& reference, const ParseOutcome& scanned, const std::string& xml,
           uint32_t seed) {
  if (reference.kind == ParseOutcome::Kind::kMalformed) return true;
  if (reference.kind == ParseOutcome::Kind::kError) {
    EXPECT_EQ(scanned.kind, ParseOutcome::Kind::kError) << "seed " << seed << "\n"
                                                        << xml << "\n"
                                                        << scanned.dump;
    return scanned.kind == ParseOutcome::Kind::kError;
  }
  EXPECT_EQ(scanned.kind, ParseOutcome::Kind::kOk) << "seed " << seed << "\n" << xml << "\n" << scanned.dump;
  EXPECT_EQ(scanned.dump, reference.dump) << "seed " << seed << "\n" << xml;
  return scanned.kind == ParseOutcome::Kind::kOk && scanned.dump == reference.dump;
}

TEST(XlsxSheetDifferential, RandomWellFormedSheetsReadAlike) {
  std::mt19937 rng(7);
  int with_cells = 0;
  for (uint32_t seed = 1; seed <= 4000; ++seed) {
    const std::string xml = testing::RandomSheetXml(seed, /*plain=*/seed % 4 == 0).sheet();
    const ParseOutcome reference = testing::ReferenceSheetParser::parse(xml);
    ASSERT_NE(reference.kind, ParseOutcome::Kind::kMalformed)
        << "the generator made malformed XML, seed " << seed << "\n"
        << xml;
    with_cells += reference.kind == ParseOutcome::Kind::kOk && reference.dump.find("  ") != std::string::npos;
    if (!agree(reference, testing::scan_sheet(xml, random_chunk(rng)), xml, seed)) return;
  }
  EXPECT_GT(with_cells, 1500);  // the generator exercises cells, not just empty sheets
}

TEST(XlsxSheetDifferential, RandomSharedStringsReadAlike) {
  std::mt19937 rng(11);
  for (uint32_t seed = 1; seed <= 2000; ++seed) {
    const std::string xml = testing::RandomSheetXml(seed, /*plain=*/seed % 4 == 0).shared_strings();
    const ParseOutcome reference = testing::ReferenceSharedStringsParser::parse(xml);
    ASSERT_EQ(reference.kind, ParseOutcome::Kind::kOk) << "seed " << seed << "\n" << xml;
    if (!agree(reference, testing::scan_shared_strings(xml, random_chunk(rng)), xml, seed)) return;
  }
}

// Byte-level damage: where expat still accepts the document, the scanner must agree; elsewhere it must
// merely survive (sanitizer builds check that it does so cleanly).
std::string mutate(std::string xml, std::mt19937& rng) {
  const char* alphabet[] = {"<", ">", "/", "&", ";", "'", "\"", "=",  " ",
                            "c", "v", "r", "!", "?", "-", "]",  "\r", "#"};
  const int edits = std::uniform_int_distribution<int>(1, 3)(rng);
  for (int e = 0; e < edits && !xml.empty(); ++e) {
    const size_t at = std::uniform_int_distribution<size_t>(0, xml.size() - 1)(rng);
    switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
      case 0:
        xml.erase(at, std::uniform_int_distribution<size_t>(1, 8)(rng));
        break;
      case 1:
        xml.insert(at, alphabet[std::uniform_int_distribution<size_t>(0, std::size(alphabet) - 1)(rng)]);
        break;
      case 2:
        xml[at] = *alphabet[std::uniform_int_distribution<size_t>(0, std::size(alphabet) - 1)(rng)];
        break;
      default:
        xml.resize(at);
        break;
    }
  }
  return xml;
}

TEST(XlsxSheetDifferential, MutatedSheetsReadAlikeWhereExpatAccepts) {
  std::mt19937 rng(13);
  int compared = 0;
  for (uint32_t seed = 1; seed <= 6000; ++seed) {
    const std::string xml = mutate(testing::RandomSheetXml(seed, /*plain=*/seed % 2 == 0).sheet(), rng);
    const ParseOutcome reference = testing::ReferenceSheetParser::parse(xml);
    const ParseOutcome scanned = testing::scan_sheet(xml, random_chunk(rng));
    compared += reference.kind != ParseOutcome::Kind::kMalformed;
    if (!agree(reference, scanned, xml, seed)) return;
  }
  EXPECT_GT(compared, 500);
}

TEST(XlsxSheetDifferential, MutatedSharedStringsReadAlikeWhereExpatAccepts) {
  std::mt19937 rng(17);
  for (uint32_t seed = 1; seed <= 4000; ++seed) {
    const std::string xml =
        mutate(testing::RandomSheetXml(seed, /*plain=*/seed % 2 == 0).shared_strings(), rng);
    const ParseOutcome reference = testing::ReferenceSharedStringsParser::parse(xml);
    if (!agree(reference, testing::scan_shared_strings(xml, random_chunk(rng)), xml, seed)) return;
  }
}

}  // namespace
}  // namespace sluice::etl::xlsx
