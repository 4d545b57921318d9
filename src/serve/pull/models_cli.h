#pragma once
// `sluice-serve models list|pull|verify|remove` (docs/models-cli.md). main() hands over argv from "models"
// on; this prints its own output and errors (one line each) and returns the process's exit code:
//   0 done; 1 a checksum does not match (verify, pull); 2 bad command line, unknown model, no such model or
//   repository, or a bad catalog;
//   3 a download or the installation failed (what arrived is kept for the next pull); 4 a checkpoint could
//   not be converted to TorchScript here (the message says how to do it by hand).
namespace sluice::serve::pull {

int run_models_cli(int argc, char** argv);

}  // namespace sluice::serve::pull
