#include "etl/pipeline.h"

#include <chrono>
#include <cmath>
#include <new>
#include <thread>

#include "etl/bounded_queue.h"
#include "etl/rejects_file.h"

namespace sluice::etl {

void resolve_types(Schema& schema, const Batch& first_batch) {
  for (size_t c = 0; c < schema.size(); ++c) {
    ColumnType type = ColumnType::kUnknown;
    if (c < first_batch.columns.size()) {
      for (const Value& v : first_batch.columns[c]) {
        const ColumnType t = type_of(v);
        if (t == ColumnType::kUnknown || t == type) continue;
        if (type == ColumnType::kUnknown) {
          type = t;
        } else if ((type == ColumnType::kInt && t == ColumnType::kDouble) ||
                   (type == ColumnType::kDouble && t == ColumnType::kInt)) {
          type = ColumnType::kDouble;
        } else {
          type = ColumnType::kText;
          break;
        }
      }
    }
    schema[c].type = type == ColumnType::kUnknown ? ColumnType::kText : type;
  }
}

namespace {

// Makes later batches agree with the types fixed by the first one, as one pandas column would.
void conform_types(const Schema& schema, Batch& batch) {
  for (size_t c = 0; c < schema.size(); ++c) {
    const ColumnType want = schema[c].type;
    if (want != ColumnType::kText && want != ColumnType::kDouble && want != ColumnType::kInt) continue;
    for (Value& v : batch.columns[c]) {
      const ColumnType have = type_of(v);
      if (have == want || have == ColumnType::kUnknown) continue;
      if (want == ColumnType::kDouble && have == ColumnType::kInt) {
        v = static_cast<double>(std::get<int64_t>(v));
      } else if (want == ColumnType::kInt && have == ColumnType::kDouble) {
        // A whole number written as 3.0 belongs in an integer column; 2.5 is left for the target to refuse.
        const double d = std::get<double>(v);
        if (d == std::trunc(d) && d >= -9.2e18 && d <= 9.2e18) v = static_cast<int64_t>(d);
      } else if (want == ColumnType::kText) {
        v = to_text(v);
      }
    }
  }
}

}  // namespace

RunResult run_pipeline(Source& source, const Pipeline& pipeline, Sink* sink, const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  RunResult result;
  auto fail = [&](Stage stage, common::Status status) {
    result.status = std::move(status);
    result.failed_stage = stage;
  };

  // Bind every step up front, so a missing column is reported before anything is read or written.
  Schema schema = source.schema();
  for (const auto& step : pipeline) {
    auto bound = step->bind(schema);
    if (!bound) {
      fail(Stage::kTransform, bound.status());
      return result;
    }
    schema = std::move(bound.value());
  }
  result.summary.output_schema = schema;

  std::unique_ptr<RejectsFile> rejects;
  if (!options.rejects_path.empty()) {
    auto opened = RejectsFile::create(options.rejects_path, source.schema());
    if (!opened) {
      fail(Stage::kSource, opened.status());
      return result;
    }
    rejects = std::move(opened.value());
  }

  BoundedQueue<Batch> queue(options.queue_batches);
  common::Status reader_status;
  std::thread reader([&] {
    // An exception escaping a thread aborts the process; an allocation failure becomes an error instead.
    try {
      for (;;) {
        Batch batch;
        auto more = source.next(batch);
        if (!more) {
          reader_status = more.status();
          break;
        }
        if (batch.num_rows() > 0 && !queue.push(std::move(batch))) break;
        if (!more.value()) break;
      }
    } catch (const std::bad_alloc&) {
      reader_status = common::Status(common::Code::kResourceExhausted,
                                     "out of memory while reading the input (is a cell or string huge?)");
    }
    queue.close();
  });

  bool begun = false;
  std::vector<CellError> errors;
  std::vector<bool> keep;
  RunSummary& summary = result.summary;
  try {
    while (auto next = queue.pop()) {
      Batch& batch = *next;
      summary.rows_read += batch.num_rows();
      std::optional<Batch> raw;
      if (rejects) raw = batch;
      errors.clear();
      for (const auto& step : pipeline) step->apply(batch, errors);
      if (!errors.empty()) {
        if (rejects) {
          for (const CellError& e : errors) {
            Field where{e.column, ColumnType::kUnknown, e.origin};
            rejects->add(source.location(where, batch.source_rows[e.row]), e.message,
                         options.on_error == OnError::kNull   ? "null"
                         : options.on_error == OnError::kSkip ? "skip"
                                                              : "fail",
                         *raw, e.row);
          }
        }
        if (options.on_error == OnError::kFail) {
          const CellError& e = errors.front();
          Field where{e.column, ColumnType::kUnknown, e.origin};
          fail(Stage::kValue,
               common::invalid_input(source.location(where, batch.source_rows[e.row]) + ": " + e.message));
          break;
        }
        if (options.on_error == OnError::kSkip) {
          keep.assign(batch.num_rows(), true);
          for (const CellError& e : errors) keep[e.row] = false;
          const size_t before = batch.num_rows();
          filter_rows(batch, keep);
          summary.rows_rejected += before - batch.num_rows();
        } else {
          summary.values_nulled += errors.size();
        }
      }
      if (options.max_rows && summary.rows_loaded + batch.num_rows() > options.max_rows) {
        keep.assign(batch.num_rows(), false);
        std::fill(keep.begin(), keep.begin() + static_cast<long>(options.max_rows - summary.rows_loaded),
                  true);
        filter_rows(batch, keep);
      }
      if (!begun) {
        resolve_types(schema, batch);
        summary.output_schema = schema;
        if (sink) {
          if (auto st = sink->begin(schema); !st) {
            fail(Stage::kTarget, st);
            break;
          }
        }
        begun = true;
      } else {
        conform_types(schema, batch);
      }
      if (options.on_batch) options.on_batch(schema, batch);
      if (sink) {
        if (auto st = sink->write(batch); !st) {
          fail(Stage::kTarget, st);
          break;
        }
      }
      summary.rows_loaded += batch.num_rows();
      if (options.on_progress) options.on_progress(summary.rows_read, batch.bytes_consumed);
      if (options.max_rows && summary.rows_loaded >= options.max_rows) break;
    }
  } catch (const std::bad_alloc&) {
    // The reader thread must be joined before anything unwinds past it.
    fail(Stage::kSource, common::Status(common::Code::kResourceExhausted,
                                        "out of memory while transforming or writing the rows"));
  }
  queue.close();  // unblocks the reader if we stopped early
  reader.join();

  if (result.status.is_ok() && !reader_status.is_ok()) fail(Stage::kSource, reader_status);
  if (result.status.is_ok() && rejects) {
    if (auto st = rejects->close(); !st) fail(Stage::kSource, st);
  }
  if (result.status.is_ok() && sink) {
    if (!begun) {
      // Header but no rows: create the (empty) table all the same, as pandas would.
      resolve_types(schema, Batch{});
      summary.output_schema = schema;
      if (auto st = sink->begin(schema); !st) fail(Stage::kTarget, st);
    }
    if (result.status.is_ok()) {
      if (auto st = sink->commit(); !st) fail(Stage::kTarget, st);
    }
  }
  if (!result.status.is_ok() && sink) sink->abort();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace sluice::etl
