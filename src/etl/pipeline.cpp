#include "etl/pipeline.h"

#include <chrono>
#include <cmath>
#include <new>
#include <optional>
#include <thread>
#include <vector>

#include "etl/bounded_queue.h"
#include "etl/message_text.h"
#include "etl/rejects_file.h"

namespace sluice::etl {

namespace {

// Folds the type of v into type: ints and floats make a float column, any other mix text.
void widen(ColumnType& type, const Value& v) {
  const ColumnType t = type_of(v);
  if (t == ColumnType::kUnknown || t == type || type == ColumnType::kText) return;
  if (type == ColumnType::kUnknown) {
    type = t;
  } else if ((type == ColumnType::kInt && t == ColumnType::kDouble) ||
             (type == ColumnType::kDouble && t == ColumnType::kInt)) {
    type = ColumnType::kDouble;
  } else {
    type = ColumnType::kText;
  }
}

// A value of another type than its column's, after the type window: how the message names it.
std::string describe(const Value& v) {
  return std::string(column_type_name(type_of(v))) + " " +
         (type_of(v) == ColumnType::kText ? quote_text(std::get<std::string>(v)) : to_text(v));
}

}  // namespace

void resolve_types(Schema& schema, const Batch& first_batch) {
  std::vector<ColumnType> types(schema.size(), ColumnType::kUnknown);
  for (size_t c = 0; c < schema.size() && c < first_batch.columns.size(); ++c) {
    for (const Value& v : first_batch.columns[c]) widen(types[c], v);
  }
  for (size_t c = 0; c < schema.size(); ++c) {
    schema[c].type = types[c] == ColumnType::kUnknown ? ColumnType::kText : types[c];
  }
}

namespace {

// Makes a batch agree with the column types, in every batch alike, as one pandas column would: ints become
// floats in a float column, whole floats (3.0) ints in an integer column, anything its text in a text column.
// A value that cannot be its column's type (text in an integer column, a fraction, a boolean in a date
// column) is set to NULL and reported in errors, for --on-error to decide.
void conform_types(const Schema& schema, Batch& batch, std::vector<CellError>& errors) {
  for (size_t c = 0; c < schema.size(); ++c) {
    const ColumnType want = schema[c].type;
    auto& column = batch.columns[c];
    for (size_t r = 0; r < column.size(); ++r) {
      Value& v = column[r];
      const ColumnType have = type_of(v);
      if (have == want || have == ColumnType::kUnknown) continue;
      if (want == ColumnType::kText) {
        v = to_text(v);
        continue;
      }
      if (want == ColumnType::kDouble && have == ColumnType::kInt) {
        v = static_cast<double>(std::get<int64_t>(v));
        continue;
      }
      if (want == ColumnType::kInt && have == ColumnType::kDouble) {
        const double d = std::get<double>(v);
        if (d == std::trunc(d) && d >= -9.2e18 && d <= 9.2e18) {
          v = static_cast<int64_t>(d);
          continue;
        }
      }
      errors.push_back({r, schema[c].name, schema[c].origin,
                        describe(v) + " in the " + column_type_name(want) + " column '" + schema[c].name +
                            "', whose type was decided by its first " + std::to_string(kTypeWindowRows) +
                            " rows (make the column consistent, or use --on-error null|skip)"});
      v = std::monostate{};
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
  // The type window: batches held back until kTypeWindowRows rows (or the end) have arrived, so that the
  // column types come from the same rows whatever --batch-rows is.
  struct Held {
    Batch batch;
    std::optional<Batch> raw;
  };
  std::vector<Held> held;
  uint64_t held_rows = 0;

  const char* action = options.on_error == OnError::kNull   ? "null"
                       : options.on_error == OnError::kSkip ? "skip"
                                                            : "fail";
  // Applies --on-error to the errors of one batch; false when the run fails.
  auto handle_errors = [&](Batch& batch, const std::optional<Batch>& raw) {
    if (errors.empty()) return true;
    if (rejects) {
      for (const CellError& e : errors) {
        Field where{e.column, ColumnType::kUnknown, e.origin};
        rejects->add(source.location(where, batch.source_rows[e.row]), e.message, action, raw ? *raw : batch,
                     e.row);
      }
    }
    if (options.on_error == OnError::kFail) {
      const CellError& e = errors.front();
      Field where{e.column, ColumnType::kUnknown, e.origin};
      fail(Stage::kValue,
           common::invalid_input(source.location(where, batch.source_rows[e.row]) + ": " + e.message));
      return false;
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
    return true;
  };
  // Hands a conformed batch to the preview and the sink; false when the run fails.
  auto deliver = [&](Batch& batch) {
    if (options.on_batch) options.on_batch(schema, batch);
    if (sink) {
      if (auto st = sink->write(batch); !st) {
        fail(Stage::kTarget, st);
        return false;
      }
    }
    summary.rows_loaded += batch.num_rows();
    if (options.on_progress) options.on_progress(summary.rows_read, batch.bytes_consumed);
    return true;
  };
  // Decides the types from the held rows (exactly the first kTypeWindowRows), begins the sink and writes
  // the held batches; false when the run fails.
  auto close_window = [&]() {
    std::vector<ColumnType> types(schema.size(), ColumnType::kUnknown);
    uint64_t counted = 0;
    for (const Held& h : held) {
      const size_t rows =
          static_cast<size_t>(std::min<uint64_t>(h.batch.num_rows(), kTypeWindowRows - counted));
      for (size_t c = 0; c < schema.size(); ++c) {
        for (size_t r = 0; r < rows; ++r) widen(types[c], h.batch.columns[c][r]);
      }
      counted += rows;
      if (counted >= kTypeWindowRows) break;
    }
    for (size_t c = 0; c < schema.size(); ++c) {
      schema[c].type = types[c] == ColumnType::kUnknown ? ColumnType::kText : types[c];
    }
    summary.output_schema = schema;
    begun = true;
    if (sink) {
      if (auto st = sink->begin(schema); !st) {
        fail(Stage::kTarget, st);
        return false;
      }
    }
    for (Held& h : held) {
      errors.clear();
      conform_types(schema, h.batch, errors);  // only rows past the window can disagree
      if (!handle_errors(h.batch, h.raw) || !deliver(h.batch)) return false;
    }
    held.clear();
    return true;
  };
  try {
    while (auto next = queue.pop()) {
      Batch& batch = *next;
      summary.rows_read += batch.num_rows();
      std::optional<Batch> raw;
      if (rejects) raw = batch;
      errors.clear();
      for (const auto& step : pipeline) step->apply(batch, errors);
      if (begun) conform_types(schema, batch, errors);
      if (!handle_errors(batch, raw)) break;
      const uint64_t taken = summary.rows_loaded + held_rows;
      if (options.max_rows && taken + batch.num_rows() > options.max_rows) {
        keep.assign(batch.num_rows(), false);
        std::fill(keep.begin(), keep.begin() + static_cast<long>(options.max_rows - taken), true);
        filter_rows(batch, keep);
      }
      const bool enough = options.max_rows && taken + batch.num_rows() >= options.max_rows;
      if (!begun) {
        held_rows += batch.num_rows();
        held.push_back({std::move(batch), std::move(raw)});
        if ((held_rows >= kTypeWindowRows || enough) && !close_window()) break;
      } else if (!deliver(batch)) {
        break;
      }
      if (enough) break;
    }
    if (result.status.is_ok() && !begun && !held.empty()) close_window();
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
