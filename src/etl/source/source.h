#pragma once
// A Source reads one table from an input file and hands it out in Batches. Implementations: the streaming
// .xlsx reader and the CSV reader; callers use open_source(), which picks one by the file's content.
// A Source is used from one thread at a time (the pipeline's reader thread).
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "etl/batch.h"

namespace sluice::etl {

struct SourceOptions {
  std::string sheet;     // .xlsx: sheet name, or 1-based index as text; empty = first sheet
  int header_row = 1;    // 1-based sheet row (.xlsx) or record number (CSV) holding the column names
  char delimiter = ',';  // CSV only
  size_t batch_rows = 8192;
};

class Source {
 public:
  virtual ~Source() = default;
  // Column names from the header row, in order, with origin set; types are kUnknown (values carry theirs).
  // Empty header cells are named "Unnamed: N" (0-based N) and repeats "name.1", "name.2" as pandas does.
  virtual const Schema& schema() const = 0;
  // Clears batch and fills it with up to batch_rows rows (fewer only at the end). Returns false once the
  // input is exhausted. Rows whose cells are all empty are skipped.
  virtual common::Result<bool> next(Batch& batch) = 0;
  // Where a cell is, for messages: "DATASET.xlsx:Sheet1!F27" or "data.csv:27 (column 'email')".
  virtual std::string location(const Field& field, uint64_t source_row) const = 0;
  // Size of the input in the unit that Batch::bytes_consumed counts, for a progress percentage.
  virtual uint64_t total_bytes() const = 0;
};

// Opens path by its content: a zip is read as .xlsx, an OLE2 container is refused (legacy .xls, or an
// encrypted workbook), anything else with a .csv/.tsv/.txt name as CSV. Errors name the file and the cause.
common::Result<std::unique_ptr<Source>> open_source(const std::string& path, const SourceOptions& options);

// Concrete openers, registered in open_source(); not for callers.
namespace internal {
common::Result<std::unique_ptr<Source>> open_xlsx(const std::string& path, const SourceOptions& options);
common::Result<std::unique_ptr<Source>> open_csv(const std::string& path, const SourceOptions& options);
}  // namespace internal

}  // namespace sluice::etl
