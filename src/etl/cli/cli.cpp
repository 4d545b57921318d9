#include "etl/cli/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/env_file.h"
#include "etl/cli/preview.h"
#include "etl/cli/progress.h"
#include "etl/cli/target_url.h"
#include "etl/gen/mock_users.h"
#include "etl/pipeline.h"
#include "etl/sink/database_url.h"

namespace sluice::etl {
namespace {

struct Flags {
  std::string input = "DATASET.xlsx";
  std::string target;
  std::string table = "data_engineering";
  std::string if_exists = "replace";
  std::string pipeline_file;
  std::string env_file;
  std::string sheet;
  int header_row = 1;
  std::string delimiter = ",";
  std::string on_error = "fail";
  std::string rejects;
  size_t batch_rows = 8192;
  int retries = 3;
  bool dry_run = false;
  size_t preview = 0;
  bool json = false;
  std::string progress = "auto";
  // gen
  uint64_t gen_rows = 1000;
  uint64_t gen_seed = 1;
  std::string gen_out;
};

int fail(int code, const std::string& message) {
  // Input text reaches messages through quote_text(); this keeps the line one line whatever slipped by.
  std::string line;
  for (char c : message) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", u);
      line += escaped;
    } else {
      line += c;
    }
  }
  std::fprintf(stderr, "sluice-etl: %s\n", line.c_str());
  return code;
}

int exit_code_for(Stage stage, const common::Status& status) {
  if (status.code() == common::Code::kInternal) return kExitInternal;
  if (stage == Stage::kSource && status.code() == common::Code::kResourceExhausted) return kExitResources;
  // A step refusing its own configuration (a rename onto an existing name, an empty HMAC key) is a usage
  // error.
  if (stage == Stage::kTransform && status.code() == common::Code::kInvalidArgument) return kExitUsage;
  switch (stage) {
    case Stage::kValue:
      return kExitBadValue;
    case Stage::kTarget:
      return kExitTarget;
    case Stage::kTransform:
    case Stage::kSource:
      return kExitInput;
    case Stage::kNone:
      break;
  }
  return kExitInternal;
}

std::string with_commas(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

int run_gen(const Flags& flags) {
  if (auto st = write_mock_users(flags.gen_out, flags.gen_rows, flags.gen_seed); !st) {
    return fail(st.code() == common::Code::kInvalidArgument ? kExitUsage : kExitTarget, st.message());
  }
  std::fprintf(stderr, "sluice-etl: wrote %s mock users to %s\n", with_commas(flags.gen_rows).c_str(),
               flags.gen_out.c_str());
  return kExitOk;
}

int run_load(const Flags& flags) {
  if (!flags.env_file.empty()) {
    if (auto st = common::load_env_file(flags.env_file); !st) return fail(kExitUsage, st.message());
  }
  if (flags.delimiter.size() != 1 && flags.delimiter != "\\t" && flags.delimiter != "tab") {
    return fail(kExitUsage, "--delimiter: expected one character, got '" + flags.delimiter + "'");
  }
  SourceOptions source_options;
  source_options.sheet = flags.sheet;
  source_options.header_row = flags.header_row;
  source_options.delimiter = flags.delimiter.size() == 1 ? flags.delimiter[0] : '\t';
  source_options.batch_rows = flags.batch_rows;

  Pipeline pipeline;
  if (flags.pipeline_file.empty()) {
    pipeline = reference_pipeline();
  } else {
    auto loaded = load_pipeline_file(flags.pipeline_file);
    if (!loaded) return fail(kExitUsage, loaded.status().message());
    pipeline = std::move(loaded.value());
  }

  const bool dry_run = flags.dry_run || flags.preview > 0;
  const std::string url = resolve_target_url(flags.target);
  std::unique_ptr<Sink> sink;
  auto source = open_source(flags.input, source_options);
  if (!source) {
    return fail(source.status().code() == common::Code::kResourceExhausted ? kExitResources : kExitInput,
                source.status().message());
  }
  if (!dry_run) {
    SinkOptions sink_options;
    sink_options.table = flags.table;
    sink_options.if_exists = flags.if_exists == "append" ? IfExists::kAppend
                             : flags.if_exists == "fail" ? IfExists::kFail
                                                         : IfExists::kReplace;
    sink_options.connect_retries = flags.retries;
    auto opened = open_sink(url, sink_options);
    if (!opened) {
      return fail(opened.status().code() == common::Code::kInvalidArgument ? kExitUsage : kExitTarget,
                  opened.status().message());
    }
    sink = std::move(opened.value());
  }

  const bool tty = isatty(STDERR_FILENO) != 0;
  ProgressBar progress(flags.progress == "always" || (flags.progress == "auto" && tty && !flags.json),
                       (*source)->total_bytes());
  Preview preview(flags.preview);
  RunOptions run_options;
  run_options.on_error = flags.on_error == "null"   ? OnError::kNull
                         : flags.on_error == "skip" ? OnError::kSkip
                                                    : OnError::kFail;
  run_options.rejects_path = flags.rejects;
  run_options.max_rows = flags.preview;
  run_options.on_progress = [&](uint64_t rows, uint64_t bytes) { progress.update(rows, bytes); };
  if (flags.preview > 0) run_options.on_batch = [&](const Schema& s, const Batch& b) { preview.add(s, b); };

  RunResult result = run_pipeline(**source, pipeline, sink.get(), run_options);
  progress.finish();
  const RunSummary& s = result.summary;
  if (flags.preview > 0 && result.status.is_ok()) {
    std::fputs(preview.render().c_str(), stdout);
    std::fflush(stdout);  // the table first, then the summary on stderr
    if (!flags.json) return kExitOk;
  }
  if (flags.json) {
    nlohmann::json out = {
        {"ok", result.status.is_ok()},
        {"input", flags.input},
        {"target", dry_run ? nlohmann::json(nullptr) : nlohmann::json(redact_url(url))},
        {"table", flags.table},
        {"dry_run", dry_run},
        {"rows_read", s.rows_read},
        {"rows_loaded", dry_run ? 0 : s.rows_loaded},
        {"rows_rejected", s.rows_rejected},
        {"values_nulled", s.values_nulled},
        {"seconds", s.seconds},
    };
    nlohmann::json columns = nlohmann::json::array();
    for (const Field& f : s.output_schema) {
      columns.push_back({{"name", f.name}, {"type", pandas_sql_type(f.type)}});
    }
    out["columns"] = columns;
    if (!result.status.is_ok()) {
      out["error"] = {{"code", common::code_name(result.status.code())},
                      {"message", result.status.message()}};
    }
    std::printf("%s\n", out.dump().c_str());
  }
  if (!result.status.is_ok()) {
    return fail(exit_code_for(result.failed_stage, result.status), result.status.message());
  }
  if (!flags.json) {
    const double rate = s.seconds > 0 ? static_cast<double>(s.rows_read) / s.seconds : 0;
    std::string line = dry_run ? "dry run: " + with_commas(s.rows_loaded) + " rows would be loaded"
                               : "loaded " + with_commas(s.rows_loaded) + " rows into " + redact_url(url) +
                                     " table " + flags.table;
    line += " (read " + with_commas(s.rows_read) + ", rejected " + with_commas(s.rows_rejected);
    if (s.values_nulled) line += ", " + with_commas(s.values_nulled) + " values set to NULL";
    char tail[96];
    std::snprintf(tail, sizeof tail, ") in %.2f s, %.0f rows/s", s.seconds, rate);
    std::fprintf(stderr, "sluice-etl: %s%s\n", line.c_str(), tail);
  }
  return kExitOk;
}

}  // namespace

int run_cli(int argc, char** argv) {
  Flags flags;
  CLI::App app{
      "sluice-etl: load an .xlsx or .csv file into a SQL table, removing personal data on the way.\n"
      "Without --pipeline it runs the reference pipeline (is_public_ip, full_name, obfuscated_email; drops\n"
      "first_name, last_name, email) into table data_engineering, replacing it atomically."};
  app.option_defaults()->always_capture_default();
  app.add_option("input", flags.input, "Input .xlsx or .csv file")->envname("SLUICE_INPUT");
  app.add_option("--target", flags.target,
                 "Target database URL: sqlite:///FILE.db (default: $DATABASE_URL, else MYSQL_* variables, "
                 "else sqlite:///data_engineering.db)");
  app.add_option("--table", flags.table, "Target table")->envname("SLUICE_TABLE");
  app.add_option("--if-exists", flags.if_exists, "When the table exists")
      ->check(CLI::IsMember({"replace", "append", "fail"}))
      ->envname("SLUICE_IF_EXISTS");
  app.add_option("--pipeline", flags.pipeline_file, "Pipeline file (TOML); default: the reference pipeline")
      ->envname("SLUICE_PIPELINE");
  app.add_option("--env-file", flags.env_file,
                 "Read variables from this .env file (they override the "
                 "environment, as `dotenv run` does)")
      ->envname("SLUICE_ENV_FILE");
  app.add_option("--sheet", flags.sheet, ".xlsx: sheet name or 1-based index (default: the first)");
  app.add_option("--header-row", flags.header_row, "1-based row holding the column names")
      ->check(CLI::PositiveNumber);
  app.add_option("--delimiter", flags.delimiter, "CSV field delimiter (one character, or \\t)");
  app.add_option("--on-error", flags.on_error,
                 "A value a step cannot transform: fail the run, set it to "
                 "NULL, or skip the row")
      ->check(CLI::IsMember({"fail", "null", "skip"}))
      ->envname("SLUICE_ON_ERROR");
  app.add_option("--rejects", flags.rejects,
                 "Write every bad value with its location, reason and input row "
                 "to this CSV file");
  app.add_option("--batch-rows", flags.batch_rows, "Rows per batch")->check(CLI::Range(1, 10000000));
  app.add_option("--retries", flags.retries,
                 "Server targets: connection attempts retried with backoff "
                 "before loading starts")
      ->check(CLI::Range(0, 100))
      ->envname("SLUICE_RETRIES");
  app.add_flag("--dry-run", flags.dry_run, "Read and transform everything, write nothing");
  app.add_option("--preview", flags.preview, "Dry run that prints the first N transformed rows as a table");
  app.add_flag("--json", flags.json, "Print a machine-readable summary on stdout");
  app.add_option("--progress", flags.progress, "Progress bar on stderr")
      ->check(CLI::IsMember({"auto", "always", "never"}));

  CLI::App* gen = app.add_subcommand("gen", "Write realistic mock users (.xlsx or .csv) for demos and tests");
  gen->add_option("--rows", flags.gen_rows, "Number of rows")
      ->check(CLI::Range(uint64_t{0}, uint64_t{1} << 40));
  gen->add_option("--seed", flags.gen_seed, "Random seed (same seed, same file)");
  gen->add_option("output", flags.gen_out, "Output file (.xlsx or .csv)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (gen->parsed()) return run_gen(flags);
  return run_load(flags);
}

}  // namespace sluice::etl
