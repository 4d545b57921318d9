// libFuzzer target for the CSV reader (src/etl/source/csv_reader.*): any bytes, read with any delimiter,
// header row and read-buffer size, must end in rows or an error value, never a crash, UB or a hang.
// The reader opens paths, so each input is written to one private temporary file.
// Build and run: fuzz/run_parsers.sh SECONDS.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "etl/source/csv_reader.h"

namespace {

const std::string& scratch_path() {
  static const std::string path = [] {
    char name[] = "/tmp/sluice-csv-fuzz-XXXXXX";
    const int fd = mkstemp(name);
    if (fd < 0) std::abort();
    close(fd);
    return std::string(name);
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Two leading bytes choose the options, so that refills and delimiters fall everywhere.
  if (size < 2) return 0;
  static const char kDelimiters[] = {',', ';', '\t', '|', '"', ' '};
  sluice::etl::SourceOptions options;
  options.delimiter = kDelimiters[data[0] % sizeof(kDelimiters)];
  options.header_row = 1 + (data[0] >> 4) % 3;
  options.batch_rows = 1 + data[1] % 7;
  const size_t buffer_bytes = 16 + data[1] % 61;
  FILE* file = std::fopen(scratch_path().c_str(), "wb");
  if (file == nullptr) std::abort();
  if (size > 2 && std::fwrite(data + 2, 1, size - 2, file) != size - 2) std::abort();
  std::fclose(file);

  auto source = sluice::etl::internal::open_csv_with_buffer(scratch_path(), options, buffer_bytes, 1 << 16);
  if (!source.is_ok()) return 0;
  sluice::etl::Batch batch;
  for (int i = 0; i < 100000; ++i) {
    auto more = (*source)->next(batch);
    if (!more.is_ok() || !*more) break;
    for (uint64_t row : batch.source_rows) (void)(*source)->location((*source)->schema().at(0), row);
  }
  return 0;
}
