#include <cstdio>
#include <exception>
#include <new>

#include "etl/cli/cli.h"

int main(int argc, char** argv) {
  try {
    return sluice::etl::run_cli(argc, argv);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr,
                 "sluice-etl: out of memory (the input needs more memory than the process may use)\n");
    return sluice::etl::kExitResources;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sluice-etl: internal error: %s\n", e.what());
    return sluice::etl::kExitInternal;
  }
}
