// libFuzzer target for the worksheet and shared-strings scanners: any bytes must be scanned without a crash,
// undefined behaviour or a hang, and wherever expat accepts the bytes as well-formed XML the scanners must
// read exactly what the expat reference (tests/etl/source/xlsx/reference_sheet_parser.h) reads.
// Build and run: fuzz/run.sh SECONDS (or configure CMake with clang and -DSLUICE_FUZZ=ON).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "etl/source/xlsx/reference_sheet_parser.h"

namespace {

using sluice::etl::xlsx::testing::ParseOutcome;

void check(const ParseOutcome& reference, const ParseOutcome& scanned, std::string_view input,
           const char* what) {
  if (reference.kind == ParseOutcome::Kind::kMalformed) return;
  const bool same_kind = reference.kind == scanned.kind;
  const bool same_rows = reference.kind != ParseOutcome::Kind::kOk || reference.dump == scanned.dump;
  if (same_kind && same_rows) return;
  std::fprintf(
      stderr,
      "%s scanner disagrees with the expat reference on %zu bytes\n--- reference\n%s\n--- scanner\n%s\n",
      what, input.size(), reference.dump.c_str(), scanned.dump.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The first byte picks the chunk size the bytes arrive in, so that refills fall everywhere.
  const size_t chunk = size == 0 ? 1 : 1 + data[0] % 97;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace sluice::etl::xlsx::testing;
  check(ReferenceSheetParser::parse(input), scan_sheet(input, chunk), input, "sheet");
  check(ReferenceSharedStringsParser::parse(input), scan_shared_strings(input, chunk), input,
        "shared strings");
  return 0;
}
