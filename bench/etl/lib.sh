# shellcheck shell=bash
# What the ETL benchmarks share, sourced (never run) by bench/etl/run.sh, servers_run_mysql.sh and
# servers_run_postgres.sh after their `set -euo pipefail`:
#  - the settings they all read (SLUICE_BUILD_DIR, SLUICE_ETL, SLUICE_BENCH_PANDAS_MAX_ROWS, SLUICE_BENCH_REPEAT;
#    see run.sh's header), their checks and scratch directory (SLUICE_BENCH_DIR);
#  - the timing: one run's wall seconds and peak RSS under GNU time, the best of $repeat runs;
#  - the report: the date and machine lines, the Markdown table, the targets' verdicts;
#  - for the two server scripts: the throwaway server, the pandas reference with its writer pointed at the
#    server, and the whole per-size measurement and its report, around a floor that each script defines.
# shellcheck disable=SC2034,SC2154 # most of what is set here is read by the scripts that source it, and
# server_bench reads what they set (listed above it)

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${SLUICE_BUILD_DIR:-./build}
etl=${SLUICE_ETL:-$build/sluice-etl}
peers=$src/bench/peers
py=/usr/bin/python3
pandas_max=${SLUICE_BENCH_PANDAS_MAX_ROWS:-}
repeat=${SLUICE_BENCH_REPEAT:-3}
seed=42
me=bench/etl/${0##*/} # the script that sourced this, as its messages name it

die() { echo "$me: $*" >&2; exit 1; }

# bench_setup PREFIX TOOL MISSING DEFAULT [ROWS...]: sets $sizes to ROWS, or else to DEFAULT (row counts
# separated by spaces); makes the checks due before anything runs (sluice-etl, GNU time, the script's own TOOL,
# which MISSING explains when it is absent, the row counts); then sets $work: SLUICE_BENCH_DIR, or a fresh
# temporary directory named after PREFIX; cleanup_work removes the latter and keeps the former.
bench_setup() {
  local n
  sizes=("${@:5}")
  ((${#sizes[@]})) || read -ra sizes <<<"$4"
  [[ -x $etl ]] || die "no sluice-etl at '$etl' (build it, or set SLUICE_BUILD_DIR / SLUICE_ETL)"
  [[ -x /usr/bin/time ]] || die "GNU time is missing (apt package 'time')"
  command -v "$2" >/dev/null || die "$3"
  for n in "${sizes[@]}"; do [[ $n =~ ^[1-9][0-9]*$ ]] || die "'$n' is not a row count"; done

  if [[ -n ${SLUICE_BENCH_DIR:-} ]]; then
    work=$SLUICE_BENCH_DIR
    mkdir -p "$work"
  else
    work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-$1-XXXXXX")
    work_is_temporary=yes
  fi
  work=$(cd "$work" && pwd)
}
work_is_temporary=no
cleanup_work() { if [[ $work_is_temporary == yes ]]; then rm -rf "$work"; fi; }

# measure LOG CMD...: runs CMD once under GNU time, output to LOG; sets RUN_S (wall seconds) and RUN_KB
# (peak RSS). Fails, showing the log's tail, when CMD does.
measure() {
  local log=$1 t0 t1 ns
  shift
  t0=$(date +%s%N)
  if ! /usr/bin/time -f '%M' -o "$work/time.out" "$@" >"$log" 2>&1; then
    echo "$me: failed: $*" >&2
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
mb() { if [[ $1 == - ]]; then echo -; else calc '%.0f' "$1 / 1024"; fi; }
verdict() { awk "BEGIN { exit !($1) }" && echo "met" || echo "MISSED"; }

# report_head [MORE]: the report's opening: a blank line, the date, and the machine, MORE appended to its line.
report_head() {
  local cpu mem_gb
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  mem_gb=$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
  echo
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(uname -sm), nproc $(nproc), $cpu, ${mem_gb} GB RAM${1:-}"
}

# report_table HEADER ALIGNMENT ROW...: a blank line, then the Markdown table.
report_table() {
  echo
  echo "$1"
  echo "$2"
  printf '%s\n' "${@:3}"
}

# ---- the server scripts ------------------------------------------------------------------------------------
# They leave to this file all but the server's client, its URL and the floor: see server_bench.

# start_server SERVICE NAME: starts a throwaway server (NAME in the message) with scripts/services.d/SERVICE,
# for a run that names none; its env lines go to $work/services/env (read them with service_env) and
# server_cleanup stops it.
own_server=
start_server() {
  echo "starting a throwaway $2 ..." >&2
  export SLUICE_SERVICES_DIR=$work/services
  mkdir -p "$SLUICE_SERVICES_DIR"
  : >"$SLUICE_SERVICES_DIR/env"
  "$src/scripts/services.d/$1" start
  own_server=$1
}

# service_env NAME: the value the throwaway server last wrote for NAME, without the single quotes that
# services.d/mariadb puts around it (services.d/postgresql writes none).
service_env() { sed -n "s/^$1=//p" "$SLUICE_SERVICES_DIR/env" | tail -n 1 | sed "s/^'\(.*\)'\$/\1/"; }

# server_cleanup: the EXIT trap: drops the tables the run wrote ($drop_tables, through the script's sql), stops
# the throwaway server if one was started, removes $work if it is temporary.
server_cleanup() {
  sql "$drop_tables" >/dev/null 2>&1 || true
  if [[ -n $own_server ]]; then "$src/scripts/services.d/$own_server" stop || true; fi
  cleanup_work
}

# pandas_setup MODULE NAME: for the pandas reference through SQLAlchemy and the driver MODULE (NAME in the
# report): $pandas_ok (yes when it can run), $versions (the software for the report's machine line) and
# $pandas_py, the reference to run (it writes to a server when given a SQLAlchemy URL).
pandas_setup() {
  pandas_ok=no
  if "$py" -c "import pandas, openpyxl, sqlalchemy, $1" 2>/dev/null; then pandas_ok=yes; fi
  versions=$("$py" -c "import sys, pandas, sqlalchemy, $1; print(f'Python {sys.version.split()[0]}, \
pandas {pandas.__version__}, SQLAlchemy {sqlalchemy.__version__}, $2 {$1.__version__.split()[0]}')" 2>/dev/null ||
    echo "pandas/SQLAlchemy/$2 unavailable")
  pandas_py=$peers/pandas_reference.py
}

table_rows() { sql "SELECT count(*) FROM $1"; }

# server_bench: for each size in $sizes, generates users_ROWS.xlsx and .csv, measures the floor, then sluice
# (and its --dry-run) from each input and pandas from the workbook, and prints the report and the targets'
# verdicts. What the calling script has set up:
#   url, pandas_url    sluice's target, and pandas' (SQLAlchemy's spelling of it)
#   sql SQL            runs SQL on the server, printing the result unadorned
#   floor N            loads the N rows of bench_sluice (as sluice loaded them) into bench_floor by the server's
#                      own bulk path, best of $repeat: sets f_s (a local of server_bench's)
#   floor_head         the floor's column in the table; floor_name: the floor in sentences ("the ... floor")
#   pandas_note        how long pandas takes, for the progress line
#   server_line        the server, appended to the machine line
#   pandas_setup done
server_bench() {
  local lines=() results=() n ext input got f_s d_s s_s s_kb p_s p_kb speedup line r n_last
  for n in "${sizes[@]}"; do
    for ext in xlsx csv; do
      input=$work/users_${n}.$ext
      if [[ ! -s $input ]]; then
        echo "generating $n rows ($ext) ..." >&2
        "$etl" gen --rows "$n" --seed "$seed" "$input" >"$work/gen.log" 2>&1 || { cat "$work/gen.log" >&2; die "gen failed"; }
      fi
    done

    # The floor's input: the rows as sluice loads them (floor exports them in its server's format).
    "$etl" "$work/users_${n}.csv" --target "$url" --table bench_sluice --progress never >"$work/sluice.log" 2>&1 ||
      { cat "$work/sluice.log" >&2; die "sluice-etl failed"; }
    floor "$n"
    got=$(table_rows bench_floor)
    [[ $got == "$n" ]] || die "$floor_name loaded $got rows of $n"

    for ext in xlsx csv; do
      input=$work/users_${n}.$ext
      echo "$n rows: sluice-etl from .$ext ..." >&2
      best "$work/dry.log" "$etl" "$input" --dry-run --progress never
      d_s=$BEST_S
      best "$work/sluice.log" "$etl" "$input" --target "$url" --table bench_sluice --progress never
      s_s=$BEST_S s_kb=$BEST_KB
      got=$(table_rows bench_sluice)
      [[ $got == "$n" ]] || die "sluice-etl loaded $got rows of $n"

      p_s=- p_kb=- speedup=-
      if [[ $ext == xlsx && $pandas_ok == yes && $pandas_max != 0 ]] && [[ -z $pandas_max || $n -le $pandas_max ]]; then
        echo "$n rows: pandas ($pandas_note) ..." >&2
        sql "DROP TABLE IF EXISTS bench_pandas"
        measure "$work/pandas.log" "$py" "$pandas_py" "$input" "$pandas_url" bench_pandas
        p_s=$RUN_S p_kb=$RUN_KB
        got=$(table_rows bench_pandas)
        [[ $got == "$n" ]] || die "pandas loaded $got rows of $n"
        speedup=$(calc '%.1f×' "$p_s / $s_s")
      fi
      lines+=("| $n | .$ext | $s_s | $(calc '%.0f' "$n / $s_s") | $(mb "$s_kb") | $d_s | $p_s | $(mb "$p_kb") | $speedup | $f_s | $(calc '%.2f×' "$s_s / $f_s") |")
      results+=("$n $ext $s_s $d_s $p_s $f_s")
    done
  done

  report_head "; $server_line; $versions"
  report_table "| rows | input | sluice s | sluice rows/s | sluice peak RSS MB | sluice --dry-run s | pandas s | pandas peak RSS MB | speed-up vs pandas | $floor_head | sluice / floor |" \
    "|---:|:--|---:|---:|---:|---:|---:|---:|---:|---:|---:|" "${lines[@]}"

  # The targets are stated for 1M rows; check them on the largest size measured.
  n_last=${sizes[-1]}
  echo
  echo "targets (at 1M rows; checked at $n_last):"
  for r in "${results[@]}"; do
    read -r n ext s_s d_s p_s f_s <<<"$r"
    [[ $n == "$n_last" ]] || continue
    if [[ $p_s != - ]]; then echo "- ≥15× pandas (.$ext): $(calc '%.1f×' "$p_s / $s_s") $(verdict "$p_s / $s_s >= 15")"; fi
    line="- ≤1.3× $floor_name (.$ext): $(calc '%.2f×' "$s_s / $f_s") $(verdict "$s_s / $f_s <= 1.3")"
    if awk -v d="$d_s" -v f="$f_s" 'BEGIN { exit !(d > f) }'; then
      line+="; reading and transforming alone (--dry-run) take $(calc '%.2f×' "$d_s / $f_s") the floor"
    fi
    echo "$line"
  done
}
