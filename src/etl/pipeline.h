#pragma once
// Runs one load: a reader thread pulls batches from the Source into a bounded queue; the calling thread
// applies the transform steps, enforces --on-error, and writes to the Sink. Memory is bounded by the queue
// capacity times the batch size, whatever the input size.
#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"
#include "etl/sink/sink.h"
#include "etl/source/source.h"
#include "etl/transform/pipeline_file.h"

namespace sluice::etl {

enum class OnError { kFail, kNull, kSkip };

// Which part of a run failed, so that main can map it to a documented exit code.
enum class Stage { kNone, kSource, kTransform, kValue, kTarget };

struct RunOptions {
  OnError on_error = OnError::kFail;
  std::string rejects_path;  // CSV of rejected values with their location and reason; empty = none
  uint64_t max_rows = 0;     // stop after this many transformed rows (0 = all); used by --preview
  size_t queue_batches = 4;
  // Called on the transform thread after each batch: rows read so far, input bytes consumed.
  std::function<void(uint64_t rows, uint64_t bytes)> on_progress;
  // Called with every transformed batch before it is written (--preview collects rows here).
  std::function<void(const Schema&, const Batch&)> on_batch;
};

struct RunSummary {
  uint64_t rows_read = 0;
  uint64_t rows_loaded = 0;    // written to the sink (for a dry run: that would have been)
  uint64_t rows_rejected = 0;  // skipped by --on-error skip
  uint64_t values_nulled = 0;  // bad values set to NULL by --on-error null
  double seconds = 0;
  Schema output_schema;
};

struct RunResult {
  common::Status status;
  Stage failed_stage = Stage::kNone;
  RunSummary summary;
};

// Binds the pipeline to the source's schema (reporting a missing column with the columns that exist), then
// streams every batch through it into sink, or nowhere when sink is null (a dry run). On any failure the
// sink is aborted, so the target is untouched.
RunResult run_pipeline(Source& source, const Pipeline& pipeline, Sink* sink, const RunOptions& options);

// The column types of the output are decided by the first kTypeWindowRows rows (whatever the batch size);
// a later value that cannot take its column's type is a bad value (--on-error), never stored as is.
inline constexpr uint64_t kTypeWindowRows = 8192;

// The column types of the output, from the first batch: the type of a column's values, kDouble when ints
// and floats mix, kText for any other mix and for columns that are all NULL.
void resolve_types(Schema& schema, const Batch& first_batch);

}  // namespace sluice::etl
