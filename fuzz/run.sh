#!/usr/bin/env bash
# Builds the scanner fuzz target with clang (no CMake) into build-fuzz/ and runs it for SECONDS seconds,
# starting from seeds made by the differential test's generator plus whatever corpus earlier runs kept.
# Exits non-zero when the fuzzer finds a crash, undefined behaviour, a hang or a disagreement with expat;
# the input that triggered it is left in build-fuzz/ (crash-*, timeout-*).
#   fuzz/run.sh [SECONDS]        (default 20)
set -euo pipefail

seconds=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/build-fuzz"
mkdir -p "$out/corpus"
cxx=${CLANGXX:-clang++}
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -I"$root/src" -I"$root/tests")
sanitize=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
sources=(common/status.cpp etl/message_text.cpp etl/source/xlsx/cell_ref.cpp etl/source/xlsx/element_text.cpp
  etl/source/xlsx/ooxml_escape.cpp etl/source/xlsx/scan_buffer.cpp etl/source/xlsx/shared_strings.cpp
  etl/source/xlsx/sheet_scanner.cpp etl/source/xlsx/xml_lex.cpp)

# Rebuild only when a source is newer than the binary.
binary="$out/sheet_scanner_fuzz"
stale=0
[[ -x "$binary" ]] || stale=1
for f in "${sources[@]/#/$root/src/}" "$root"/src/etl/source/xlsx/*.h "$root"/fuzz/*.cpp \
  "$root"/tests/etl/source/xlsx/reference_sheet_parser.h "$root"/tests/etl/source/xlsx/random_sheet_xml.h; do
  [[ "$f" -nt "$binary" ]] && stale=1
done
if ((stale)); then
  echo "fuzz/run.sh: building $binary" >&2
  "$cxx" "${flags[@]}" "${sanitize[@]}" -o "$binary" "$root/fuzz/sheet_scanner_fuzz.cpp" \
    "${sources[@]/#/$root/src/}" -lexpat
  "$cxx" "${flags[@]}" -o "$out/make_seeds" "$root/fuzz/make_seeds.cpp"
fi
if [[ -z "$(ls -A "$out/corpus")" ]]; then
  "$out/make_seeds" "$out/corpus" 200
fi

cd "$out"
# -rss_limit_mb: the scanner's window grows only to fit one item, so inputs stay small.
exec "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
  -dict="$root/fuzz/sheet.dict" -print_final_stats=1 corpus
