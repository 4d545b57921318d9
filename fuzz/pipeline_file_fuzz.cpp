// libFuzzer target for the pipeline TOML (src/etl/transform/pipeline_file.*): any text must give a pipeline
// or an error value, never a crash, UB or a hang.
// Build and run: fuzz/run_parsers.sh SECONDS.
#include <cstdint>
#include <string>

#include "etl/transform/pipeline_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto pipeline = sluice::etl::parse_pipeline(text, "fuzz.toml");
  (void)pipeline.is_ok();
  return 0;
}
