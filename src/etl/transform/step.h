#pragma once
// A transform step maps a batch to a batch. It resolves its columns against the input schema once, up
// front (bind), then transforms whole columns of each batch (apply). The constructors of every step are
// declared in steps.h; pipeline_file.cpp is the one place that maps the pipeline file's names onto them.
// apply() is const and may be called from one thread at a time per step instance.
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "etl/batch.h"

namespace sluice::etl {

// A value that a step could not transform. The step has already set its output to NULL; the pipeline
// decides by --on-error whether that fails the run, keeps the NULL, or skips the row.
struct CellError {
  size_t row = 0;       // index in the batch
  std::string column;   // input column the bad value is in
  std::string origin;   // that column's Field::origin, for the location
  std::string message;  // what is wrong and what was expected, without the location
};

class Step {
 public:
  virtual ~Step() = default;
  // One line for --dry-run and logs, e.g. "hash md5(email) -> obfuscated_email".
  virtual std::string describe() const = 0;
  // Checks the step's columns exist (naming the ones that do when not) and returns the output schema.
  virtual common::Result<Schema> bind(const Schema& input) = 0;
  // Transforms batch, whose columns are laid out as the schema passed to bind().
  virtual void apply(Batch& batch, std::vector<CellError>& errors) const = 0;
};

}  // namespace sluice::etl
