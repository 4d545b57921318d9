#!/usr/bin/env bash
# Bounded soak of sluice-serve: mixed good and hostile traffic at concurrency 32 (issue 11). Prints RSS, open
# descriptors, good requests, their p99 and errors every 30 s, then a summary against a clean run made first
# in the same script. Exits 1 when the server crashed, RSS drifted 10% or more after warm-up, p99 of the good
# requests passed 2x the clean run, or a good request failed.
#   bench/serve/soak.sh [SECONDS] [soak.py options]     (default 600; see bench/serve/soak.py --help)
# Needs build/src/serve/sluice-serve and the generated test models and images (ctest -R serve.make_test).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 bench/serve/soak.py "${1:-600}" "${@:2}"
