#!/usr/bin/env bash
# Hostile workbooks (issue 10, classes 8 and 9), made by tests/integration/hostile_xlsx.py: a zip entry that
# lies about its size, one whose size is honest but absurd, shared strings beyond the documented limits, and
# huge strings under an address-space cap. Each is refused with one clear line and a documented exit code, in
# bounded memory, and never aborts; huge strings within the limits load.
set -uo pipefail
etl=$(realpath "${SLUICE_ETL:?path of the built sluice-etl}")
make=$(dirname "$(realpath "$0")")/hostile_xlsx.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# shellcheck source=check_lib.sh
source "$(dirname "$(realpath "$0")")/check_lib.sh"
# Peak RSS in MB of a command (its output discarded).
peak_mb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{print int($1 / 1024)}'; }
printf 'step = []\n' >pass.toml

# Class 9: styles.xml declared 1 KiB that inflates to 512 MiB.
/usr/bin/python3 "$make" bomb bomb.xlsx 512
check "zip bomb refused" 3 "bomb.xlsx: xl/styles.xml: the data is longer than the 1024 bytes the zip directory declares" -- \
  "$etl" bomb.xlsx --dry-run --progress never
mb=$(peak_mb "$etl" bomb.xlsx --dry-run --progress never)
if ((mb > 64)); then failed "zip bomb peak RSS" "${mb} MB (want <= 64)"; else pass=$((pass + 1)); fi
# The same payload with its true size declared: refused by the size and ratio caps before inflating.
/usr/bin/python3 "$make" honest_bomb honest.xlsx 512
check "honest bomb refused" 6 "honest.xlsx: xl/styles.xml (is larger than 64 MiB|would inflate)" -- \
  "$etl" honest.xlsx --dry-run --progress never

# Class 8: one shared string over the 64 MiB limit, refused naming the part and the string, under a 4 GB cap.
/usr/bin/python3 "$make" bigstrings over.xlsx 1 70 5
check "string over the limit" 6 \
  "over.xlsx: xl/sharedStrings.xml: shared string 0 is 73400320 bytes long, more than the limit of 64 MiB" -- \
  bash -c "ulimit -v 4000000; exec '$etl' over.xlsx --pipeline pass.toml --dry-run --progress never"
# Three 40 MiB strings in 30 rows: within the limits, and batches bounded by bytes, so it loads under 1.5 GB.
/usr/bin/python3 "$make" bigstrings big.xlsx 3 40 30
check "big strings load under a cap" 0 "dry run: 30 rows would be loaded" -- \
  bash -c "ulimit -v 1500000; exec '$etl' big.xlsx --pipeline pass.toml --dry-run --progress never"
# Under a cap too small for the table: one line and exit 6, not an abort on std::bad_alloc.
check "out of memory is one line" 6 "^sluice-etl: out of memory" -- \
  bash -c "ulimit -v 300000; exec '$etl' big.xlsx --pipeline pass.toml --dry-run --progress never"

finish xlsx_limits_test
