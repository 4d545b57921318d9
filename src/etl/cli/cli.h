#pragma once
// The sluice-etl command line: parses flags (each with an environment-variable fallback), runs the load or
// the `gen` subcommand, prints the summary, and maps every failure to one line on stderr and a documented
// exit code (docs/etl-cli.md).
namespace sluice::etl {

enum ExitCode : int {
  kExitOk = 0,
  kExitInternal = 1,   // a bug: please report it
  kExitUsage = 2,      // bad flag, pipeline file, target URL or env file
  kExitInput = 3,      // input file missing, unreadable, unsupported or malformed; missing sheet or column
  kExitBadValue = 4,   // a value a step could not transform, with --on-error fail
  kExitTarget = 5,     // the database: unreachable, table exists with --if-exists fail, write failed
  kExitResources = 6,  // out of memory, or the input breaks a size limit (a huge cell, a zip bomb)
};

int run_cli(int argc, char** argv);

}  // namespace sluice::etl
