#!/usr/bin/env bash
# The ETL benchmark: sluice-etl against the pandas reference and against two floors, measured in one run on
# the same generated workbooks, printed as one Markdown table headed by the date and the machine.
#
#   bench/etl/run.sh [ROWS...]                (default: 10000 100000 1000000)
#
# For each size it generates users_ROWS.xlsx once (`sluice-etl gen`, seed 42) and measures:
#  - sluice: `sluice-etl X.xlsx --target sqlite:///...` end to end: wall seconds, rows/s, peak RSS;
#  - pandas: bench/peers/pandas_reference.py on the same file: wall seconds (imports included), peak RSS;
#  - the .import floor: the rows sluice loaded, exported to CSV beforehand, loaded by `sqlite3` `.import`
#    into a fresh database with the same CREATE TABLE: what SQLite's own bulk path costs for this output;
#  - the parse floor: $BUILD/bench/xlsx_parse_floor X.xlsx (bench/etl/xlsx_parse_floor.cpp: zlib inflate of
#    the sheet and sharedStrings parts alone, and our reader's full parse of them) when built; otherwise
#    only the inflate, timed as `unzip -p` of the two parts.
# Wall seconds are the best of SLUICE_BENCH_REPEAT runs (default 3) for sluice and the floors, one run for
# pandas; peak RSS (GNU time's %M) is the largest seen.
#
# Environment:
#   SLUICE_BUILD_DIR              build tree holding sluice-etl and bench/xlsx_parse_floor (default ./build)
#   SLUICE_ETL                    the sluice-etl binary (default $SLUICE_BUILD_DIR/sluice-etl)
#   SLUICE_BENCH_PANDAS_MAX_ROWS  skip pandas above this many rows (it takes ~100 s per 1M rows)
#   SLUICE_BENCH_REPEAT           runs per measurement, best kept (default 3)
#   SLUICE_BENCH_DIR              keep workbooks and databases here, and reuse workbooks already generated
#                                 (default: a temporary directory, removed at the end)
# Needs: sqlite3, time (GNU /usr/bin/time), /usr/bin/python3 with pandas and openpyxl (scripts/setup).
set -euo pipefail

# shellcheck source=bench/etl/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
floor=$build/bench/xlsx_parse_floor
peer=$peers/pandas_reference.py
bench_setup bench sqlite3 "sqlite3 is missing" "10000 100000 1000000" "$@"
trap cleanup_work EXIT

count_rows() { sqlite3 "$1" "SELECT count(*) FROM data_engineering"; }

# number_after WORD FILE: seconds that FILE reports for WORD, written as WORD_s=N, or as free text like
# "inflate: 0.123 s" (the first number after WORD on the first line naming it; the program's own name,
# xlsx_parse_floor, does not count).
number_after() {
  local text
  text=$(sed 's/xlsx_parse_floor//g' "$2")
  { grep -oiE -m1 -- "$1_s[=: ]+[0-9]+(\.[0-9]+)?" <<<"$text" || grep -i -m1 -- "$1" <<<"$text" || true; } |
    sed -E "s/.*$1[a-z_]*//I" | { grep -oE '[0-9]+(\.[0-9]+)?' || true; } | head -n 1
}

versions=$("$py" -c 'import sys, pandas, openpyxl
print(f"Python {sys.version.split()[0]}, pandas {pandas.__version__}, openpyxl {openpyxl.__version__}")' \
  2>/dev/null || echo "pandas unavailable")

declare -a lines
for n in "${sizes[@]}"; do
  xlsx=$work/users_${n}.xlsx
  if [[ ! -s $xlsx ]]; then
    echo "generating $n rows ..." >&2
    if ! "$etl" gen --rows "$n" --seed "$seed" "$xlsx" >"$work/gen.log" 2>&1; then
      cat "$work/gen.log" >&2
      die "sluice-etl gen failed"
    fi
  fi

  echo "$n rows: sluice-etl ..." >&2
  rm -f "$work/sluice.db"
  # shellcheck disable=SC2016 # expanded by the inner shell
  best "$work/sluice.log" bash -c 'rm -f "$1"; exec "$2" "$3" --target "sqlite:///$1"' \
    _ "$work/sluice.db" "$etl" "$xlsx"
  s_s=$BEST_S s_kb=$BEST_KB
  got=$(count_rows "$work/sluice.db")
  [[ $got == "$n" ]] || die "sluice-etl loaded $got rows of $n"

  p_s=- p_kb=-
  if [[ -z $pandas_max || $n -le $pandas_max ]]; then
    echo "$n rows: pandas ..." >&2
    rm -f "$work/pandas.db"
    measure "$work/pandas.log" "$py" "$peer" "$xlsx" "$work/pandas.db"
    p_s=$RUN_S p_kb=$RUN_KB
    got=$(count_rows "$work/pandas.db")
    [[ $got == "$n" ]] || die "pandas loaded $got rows of $n"
  fi

  echo "$n rows: sqlite3 .import ..." >&2
  sqlite3 -csv "$work/sluice.db" "SELECT * FROM data_engineering" >"$work/rows.csv"
  schema=$(sqlite3 "$work/sluice.db" "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'data_engineering'")
  # shellcheck disable=SC2016
  best "$work/import.log" bash -c 'rm -f "$1"; exec sqlite3 "$1" "$2" ".mode csv" ".import $3 data_engineering"' \
    _ "$work/import.db" "$schema" "$work/rows.csv"
  i_s=$BEST_S
  got=$(count_rows "$work/import.db")
  [[ $got == "$n" ]] || die ".import loaded $got rows of $n"

  echo "$n rows: parse and inflate floors ..." >&2
  parse_s=- inflate_s=-
  if [[ -x $floor ]]; then
    # It keeps the best of its own --runs; its output names "inflate only ..." and "full parse ..." seconds.
    measure "$work/floor.log" "$floor" --runs "$repeat" "$xlsx"
    inflate_s=$(number_after inflate "$work/floor.log")
    parse_s=$(number_after parse "$work/floor.log")
    [[ -n $inflate_s && -n $parse_s ]] || { cat "$work/floor.log" >&2; die "cannot read xlsx_parse_floor's output"; }
  elif command -v unzip >/dev/null; then
    # shellcheck disable=SC2016
    best "$work/floor.log" bash -c 'unzip -p "$1" xl/worksheets/sheet1.xml xl/sharedStrings.xml >/dev/null' _ "$xlsx"
    inflate_s=$BEST_S
  fi

  speedup=- vs_inflate=-
  if [[ $p_s != - ]]; then speedup=$(calc '%.1f×' "$p_s / $s_s"); fi
  vs_import=$(calc '%.2f×' "$s_s / $i_s")
  if [[ $parse_s != - && $inflate_s != - ]]; then vs_inflate=$(calc '%.2f×' "$parse_s / $inflate_s"); fi
  lines+=("| $n | $s_s | $(calc '%.0f' "$n / $s_s") | $(mb "$s_kb") | $p_s | $(mb "$p_kb") | $speedup \
| $i_s | $vs_import | $parse_s | $inflate_s | $vs_inflate |")
  last=("$n" "$s_s" "$s_kb" "$p_s" "$i_s" "$parse_s" "$inflate_s")
done

report_head
echo "software: $versions; SQLite $(sqlite3 --version | cut -d' ' -f1)"
report_table "| rows | sluice s | sluice rows/s | sluice peak RSS MB | pandas s | pandas peak RSS MB \
| speed-up vs pandas | .import floor s | sluice / .import | parse s | inflate floor s | parse / inflate |" \
  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" "${lines[@]}"

# The targets are stated for 1M rows; check them on the largest size measured.
read -r n s_s s_kb p_s i_s parse_s inflate_s <<<"${last[*]}"
echo
echo "targets (at 1M rows; checked at $n):"
if [[ $p_s != - ]]; then echo "- ≥30× pandas: $(calc '%.1f×' "$p_s / $s_s") $(verdict "$p_s / $s_s >= 30")"; fi
echo "- ≤1.5× sqlite3 .import: $(calc '%.2f×' "$s_s / $i_s") $(verdict "$s_s / $i_s <= 1.5")"
if [[ $parse_s != - && $inflate_s != - ]]; then
  echo "- parse ≤2× inflate: $(calc '%.2f×' "$parse_s / $inflate_s") $(verdict "$parse_s / $inflate_s <= 2")"
fi
echo "- peak RSS ≤200 MB: $(calc '%.0f MB' "$s_kb / 1024") $(verdict "$s_kb / 1024 <= 200")"
