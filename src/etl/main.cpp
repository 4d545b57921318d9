#include <cstdio>
#include <exception>

#include "etl/cli/cli.h"

int main(int argc, char** argv) {
  try {
    return sluice::etl::run_cli(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sluice-etl: internal error: %s\n", e.what());
    return sluice::etl::kExitInternal;
  }
}
