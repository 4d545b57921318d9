#!/usr/bin/env bash
# Builds the libFuzzer targets for the parsers of untrusted input with clang (no CMake) into build-fuzz/,
# replays every kept finding under tests/fuzz_regressions/<target>/ first, then fuzzes each target for
# SECONDS_EACH seconds from its committed seeds (fuzz/seeds/<target>/) plus the corpus earlier runs kept.
# Prints executions and coverage (libFuzzer's final cov:/ft:) per target; exits non-zero on a crash, UB,
# leak or hang, leaving the input in build-fuzz/<target>/ (crash-*, timeout-*, leak-*).
#   fuzz/run_parsers.sh [SECONDS_EACH]     (default 10)
# The worksheet scanner has its own fuzz/run.sh. Not here: the HTTP request head (parsed inside the
# server, not by a standalone function yet).
set -euo pipefail

seconds=${1:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/build-fuzz"
mkdir -p "$out"
cxx=${CLANGXX:-clang++}
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -I"$root/src")
sanitize=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)

# target | sources under src/ | extra compile/link flags | -max_len
targets=(
  "csv_reader|common/status.cpp etl/message_text.cpp etl/source/csv_reader.cpp etl/source/header_names.cpp etl/batch.cpp||4096"
  "env_file|common/status.cpp common/env_file.cpp||2048"
  "database_url|common/status.cpp etl/sink/database_url.cpp||512"
  "multipart|common/status.cpp serve/multipart/multipart.cpp||4096"
  "image_header|common/status.cpp serve/vision/image_header.cpp serve/vision/image_metadata.cpp|$(pkg-config --cflags opencv4 2>/dev/null || echo -I/usr/include/opencv4)|8192"
  "pipeline_file|common/status.cpp common/ip_address.cpp common/hash.cpp etl/transform/pipeline_file.cpp etl/transform/step_support.cpp etl/transform/concat.cpp etl/transform/drop.cpp etl/transform/hash.cpp etl/transform/ip_is_public.cpp etl/transform/rename.cpp etl/message_text.cpp etl/batch.cpp|-lcrypto|2048"
)

build() {  # name, sources, extra: rebuild only when a source or header it may include is newer
  local name=$1 extra=$3 binary="$out/$1_fuzz" stale=0 f
  read -r -a srcs <<<"$2"
  [[ -x "$binary" ]] || stale=1
  for f in "$root/fuzz/$1_fuzz.cpp" "${srcs[@]/#/$root/src/}" "$root"/src/common/*.h; do
    [[ "$f" -nt "$binary" ]] && stale=1
  done
  for f in "${srcs[@]}"; do
    for h in "$root/src/$(dirname "$f")"/*.h; do [[ "$h" -nt "$binary" ]] && stale=1; done
  done
  ((stale)) || return 0
  echo "run_parsers.sh: building $binary" >&2
  # shellcheck disable=SC2086  # extra is a list of flags
  "$cxx" "${flags[@]}" "${sanitize[@]}" -o "$binary" "$root/fuzz/$1_fuzz.cpp" "${srcs[@]/#/$root/src/}" $extra
}

# pipeline_file finds a second toml++ 3.3.0 bug within seconds (UB "unreachable" on a BOM before a bare key,
# tests/fuzz_open/pipeline_file/, not fixed yet), so it fuzzes only with SLUICE_FUZZ_TOML=1; its kept
# regressions are always replayed.
status=0
printf '%-14s %10s %8s %8s %s\n' target execs cov ft result
for entry in "${targets[@]}"; do
  IFS='|' read -r name sources extra max_len <<<"$entry"
  build "$name" "$sources" "$extra"
  binary="$out/${name}_fuzz"
  work="$out/$name"
  mkdir -p "$work/corpus"
  log="$work/last.log"
  result=ok
  # Kept findings first: each must now pass.
  regressions="$root/tests/fuzz_regressions/$name"
  if [[ -d "$regressions" ]] && [[ -n "$(ls -A "$regressions")" ]]; then
    if ! (cd "$work" && "$binary" -runs=0 "$regressions" >"$work/regressions.log" 2>&1); then
      echo "run_parsers.sh: $name fails a kept regression input; see $work/regressions.log" >&2
      tail -30 "$work/regressions.log" >&2
      status=1
      printf '%-14s %10s %8s %8s %s\n' "$name" - - - "REGRESSION"
      continue
    fi
  fi
  if [[ $name == pipeline_file && ${SLUICE_FUZZ_TOML:-0} != 1 ]]; then
    printf '%-14s %10s %8s %8s %s\n' "$name" - - - "regressions ok; fuzzing skipped (SLUICE_FUZZ_TOML=1)"
    continue
  fi
  seeds=()
  [[ -d "$root/fuzz/seeds/$name" ]] && seeds=("$root/fuzz/seeds/$name")
  if ! (cd "$work" && "$binary" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len="$max_len" \
    -print_final_stats=1 corpus "${seeds[@]}" >"$log" 2>&1); then
    result="CRASH (input in $work)"
    tail -40 "$log" >&2
    status=1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  printf '%-14s %10s %8s %8s %s\n' "$name" "${execs:--}" "${cov:--}" "${ft:--}" "$result"
done
exit $status
