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

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${SLUICE_BUILD_DIR:-./build}
etl=${SLUICE_ETL:-$build/sluice-etl}
floor=$build/bench/xlsx_parse_floor
peer=$src/bench/peers/pandas_reference.py
py=/usr/bin/python3
pandas_max=${SLUICE_BENCH_PANDAS_MAX_ROWS:-}
repeat=${SLUICE_BENCH_REPEAT:-3}
seed=42
sizes=("$@")
((${#sizes[@]})) || sizes=(10000 100000 1000000)

die() { echo "bench/etl/run.sh: $*" >&2; exit 1; }
[[ -x $etl ]] || die "no sluice-etl at '$etl' (build it, or set SLUICE_BUILD_DIR / SLUICE_ETL)"
[[ -x /usr/bin/time ]] || die "GNU time is missing (apt package 'time')"
command -v sqlite3 >/dev/null || die "sqlite3 is missing"
for n in "${sizes[@]}"; do [[ $n =~ ^[1-9][0-9]*$ ]] || die "'$n' is not a row count"; done

if [[ -n ${SLUICE_BENCH_DIR:-} ]]; then
  work=$SLUICE_BENCH_DIR
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench-XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
work=$(cd "$work" && pwd)

# measure LOG CMD...: runs CMD once under GNU time, output to LOG; sets RUN_S (wall seconds) and RUN_KB
# (peak RSS). Fails, showing the log's tail, when CMD does.
measure() {
  local log=$1 t0 t1 ns
  shift
  t0=$(date +%s%N)
  if ! /usr/bin/time -f '%M' -o "$work/time.out" "$@" >"$log" 2>&1; then
    echo "bench/etl/run.sh: failed: $*" >&2
    tail -n 5 "$log" >&2
    return 1
  fi
  t1=$(date +%s%N)
  ns=$((t1 - t0))
  RUN_S=$(printf '%d.%03d' $((ns / 1000000000)) $((ns / 1000000 % 1000)))
  RUN_KB=$(tail -n 1 "$work/time.out")
}

# best LOG CMD...: measure() $repeat times; sets BEST_S (smallest wall) and BEST_KB (largest RSS).
best() {
  BEST_S="" BEST_KB=0
  local i
  for ((i = 0; i < repeat; i++)); do
    measure "$@" || return 1
    if [[ -z $BEST_S ]] || awk -v a="$RUN_S" -v b="$BEST_S" 'BEGIN { exit !(a < b) }'; then BEST_S=$RUN_S; fi
    if ((RUN_KB > BEST_KB)); then BEST_KB=$RUN_KB; fi
  done
}

calc() { awk "BEGIN { printf \"$1\", $2 }"; }
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
mb() { if [[ $1 == - ]]; then echo -; else calc '%.0f' "$1 / 1024"; fi; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mem_gb=$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
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

echo
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(uname -sm), nproc $(nproc), $cpu, ${mem_gb} GB RAM"
echo "software: $versions; SQLite $(sqlite3 --version | cut -d' ' -f1)"
echo
echo "| rows | sluice s | sluice rows/s | sluice peak RSS MB | pandas s | pandas peak RSS MB \
| speed-up vs pandas | .import floor s | sluice / .import | parse s | inflate floor s | parse / inflate |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${lines[@]}"

# The targets are stated for 1M rows; check them on the largest size measured.
read -r n s_s s_kb p_s i_s parse_s inflate_s <<<"${last[*]}"
verdict() { awk "BEGIN { exit !($1) }" && echo "met" || echo "MISSED"; }
echo
echo "targets (at 1M rows; checked at $n):"
if [[ $p_s != - ]]; then echo "- ≥30× pandas: $(calc '%.1f×' "$p_s / $s_s") $(verdict "$p_s / $s_s >= 30")"; fi
echo "- ≤1.5× sqlite3 .import: $(calc '%.2f×' "$s_s / $i_s") $(verdict "$s_s / $i_s <= 1.5")"
if [[ $parse_s != - && $inflate_s != - ]]; then
  echo "- parse ≤2× inflate: $(calc '%.2f×' "$parse_s / $inflate_s") $(verdict "$parse_s / $inflate_s <= 2")"
fi
echo "- peak RSS ≤200 MB: $(calc '%.0f MB' "$s_kb / 1024") $(verdict "$s_kb / 1024 <= 200")"
