// libFuzzer target for the .env parser (src/common/env_file.*): any text must parse to variables or to an
// error value, never a crash, UB or a hang; ${VAR} expansion must stay bounded.
// Build and run: fuzz/run_parsers.sh SECONDS.
#include <cstdint>
#include <string>

#include "common/env_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto parsed = sluice::common::parse_env_file(text, "fuzz.env");
  (void)parsed.is_ok();
  return 0;
}
