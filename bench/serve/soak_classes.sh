#!/usr/bin/env bash
# A second soak of sluice-serve (issue 11, item 4), beside soak.sh: it adds the classes soak.sh does not send
# (40 MP PNGs, a TIFF with a huge tile, 1 MB model names, image_url with \u0000, CL and TE together, idle
# keep-alive connections, the reference POST / shape) and needs only the committed digits model: a clean phase of good classifications at concurrency 32
# (the baseline p99), then DURATION seconds (default 600) of good classifications interleaved with the hostile
# request classes of issue 11, at the same concurrency, against the real binary on 127.0.0.1 with the committed
# digits model. Prints a line every 30 s (RSS, fds, good requests and errors, bad requests by status class, p99
# of the good ones) and a summary with PASS/FAIL against the goals: RSS drift < 10% after warm-up, 0 crashes,
# p99 of good requests within 2x of the clean phase. Exits 1 on FAIL. Not in ctest: it is a benchmark.
#
#   bench/serve/soak_classes.sh [DURATION]      (bench/serve/soak_classes.sh 60: a short smoke run, about 1.5 minutes)
#
# Environment:
#   SLUICE_BUILD_DIR          build tree with sluice-serve (default ./build)
#   SLUICE_SERVE_BIN          the sluice-serve binary (default $SLUICE_BUILD_DIR/src/serve/sluice-serve)
#   SLUICE_SOAK_CLEAN         seconds of the clean phase (default 30)
#   SLUICE_SOAK_CONCURRENCY   default 32
#   SLUICE_SOAK_BAD_EVERY     one request in N of each worker is hostile in the mixed phase (default 32)
#   SLUICE_SOAK_SERVER_ARGS   extra sluice-serve flags
# The driver (bench/serve/soak_classes.py) is /usr/bin/python3 with the standard library only; on a small machine it
# shares the cores with the server, so its own CPU time is in the latencies of both phases alike.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${SLUICE_BUILD_DIR:-./build}" && pwd)
serve_bin=${SLUICE_SERVE_BIN:-$build/src/serve/sluice-serve}
duration=${1:-600}
[[ -x $serve_bin ]] || { echo "bench/serve/soak_classes.sh: no sluice-serve at '$serve_bin'" >&2; exit 2; }

repo=$(mktemp -d "${TMPDIR:-/tmp}/sluice-soak-repo-XXXXXX")
trap 'rm -rf "$repo"' EXIT
ln -s "$src/models/digits" "$repo/digits"

extra=()
for a in ${SLUICE_SOAK_SERVER_ARGS:-}; do extra+=("--server-arg=$a"); done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
/usr/bin/python3 "$src/bench/serve/soak_classes.py" --serve "$serve_bin" --models "$repo" --duration "$duration" \
  --clean "${SLUICE_SOAK_CLEAN:-30}" --bad-every "${SLUICE_SOAK_BAD_EVERY:-32}" --concurrency "${SLUICE_SOAK_CONCURRENCY:-32}" "${extra[@]}"
