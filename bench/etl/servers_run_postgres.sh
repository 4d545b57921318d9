#!/usr/bin/env bash
# The PostgreSQL benchmark: sluice-etl into PostgreSQL beside the pandas reference and beside the floor, measured
# in one run on the same generated workbooks, printed as one Markdown table headed by the date and the machine.
#
#   bench/etl/servers_run_postgres.sh [ROWS...]          (default: 1000000)
#
# For each size it generates users_ROWS.xlsx and users_ROWS.csv once (`sluice-etl gen`, seed 42, the same rows)
# and measures:
#  - sluice: `sluice-etl X.xlsx --target postgresql://...` (replace: staging table, COPY, swap) end to end:
#    wall seconds, rows/s, peak RSS; and the same from the CSV, whose parsing costs far less than the
#    workbook's, so that its line shows what the target itself adds;
#  - sluice --dry-run: reading and transforming alone, nothing written; when this alone is slower than the
#    floor, the workbook's parsing, not the target, sets sluice's time;
#  - pandas: bench/peers/pandas_reference.py's read and transform, unchanged, with its writer pointed at
#    PostgreSQL (DataFrame.to_sql through SQLAlchemy + psycopg2, if_exists="replace"), imports included;
#  - the COPY floor: the rows sluice loaded, exported beforehand as CSV, loaded by psql in one transaction:
#    CREATE TABLE (the same columns) and `\copy ... FROM 'rows.csv' WITH (FORMAT csv, FREEZE)`: what the server's
#    own bulk path costs for this output, with the same advantages sluice's load has (a table created in the
#    same transaction, frozen rows).
# Wall seconds are the best of SLUICE_BENCH_REPEAT runs (default 3) for sluice and the floor, one run for pandas.
#
# Environment:
#   SLUICE_BENCH_POSTGRES_URL     the server (default $SLUICE_TEST_POSTGRES_URL; when neither is set, a throwaway
#                                 server is started with scripts/services.d/postgresql and stopped at the end)
#   SLUICE_BUILD_DIR, SLUICE_ETL  as in bench/etl/run.sh
#   SLUICE_BENCH_PANDAS_MAX_ROWS  skip pandas above this many rows; 0 skips it always (it takes minutes per 1M)
#   SLUICE_BENCH_REPEAT           runs per measurement, best kept (default 3)
#   SLUICE_BENCH_DIR              keep workbooks here and reuse those already generated (default: a temporary
#                                 directory, removed at the end)
# Needs: psql, GNU time; for pandas: /usr/bin/python3 with pandas, openpyxl, sqlalchemy, psycopg2
# (python3-pandas python3-openpyxl python3-sqlalchemy python3-psycopg2).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${SLUICE_BUILD_DIR:-./build}
etl=${SLUICE_ETL:-$build/sluice-etl}
peers=$src/bench/peers
py=/usr/bin/python3
pandas_max=${SLUICE_BENCH_PANDAS_MAX_ROWS:-}
repeat=${SLUICE_BENCH_REPEAT:-3}
seed=42
sizes=("$@")
((${#sizes[@]})) || sizes=(1000000)

die() { echo "bench/etl/servers_run_postgres.sh: $*" >&2; exit 1; }
[[ -x $etl ]] || die "no sluice-etl at '$etl' (build it, or set SLUICE_BUILD_DIR / SLUICE_ETL)"
[[ -x /usr/bin/time ]] || die "GNU time is missing (apt package 'time')"
command -v psql >/dev/null || die "psql is missing (apt package postgresql-client)"
for n in "${sizes[@]}"; do [[ $n =~ ^[1-9][0-9]*$ ]] || die "'$n' is not a row count"; done

if [[ -n ${SLUICE_BENCH_DIR:-} ]]; then
  work=$SLUICE_BENCH_DIR
  mkdir -p "$work"
  cleanup_work() { :; }
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-pgbench-XXXXXX")
  cleanup_work() { rm -rf "$work"; }
fi
work=$(cd "$work" && pwd)

url=${SLUICE_BENCH_POSTGRES_URL:-${SLUICE_TEST_POSTGRES_URL:-}}
own_server=no
if [[ -z $url ]]; then
  echo "starting a throwaway PostgreSQL ..." >&2
  export SLUICE_SERVICES_DIR=$work/services
  mkdir -p "$SLUICE_SERVICES_DIR"
  : >"$SLUICE_SERVICES_DIR/env"
  "$src/scripts/services.d/postgresql" start
  own_server=yes
  url=$(sed -n 's/^SLUICE_TEST_POSTGRES_URL=//p' "$SLUICE_SERVICES_DIR/env")
fi
sql() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 "$url" -c "$1"; }
cleanup() {
  sql "DROP TABLE IF EXISTS bench_sluice; DROP TABLE IF EXISTS bench_pandas; DROP TABLE IF EXISTS bench_floor" \
    >/dev/null 2>&1 || true
  if [[ $own_server == yes ]]; then "$src/scripts/services.d/postgresql" stop || true; fi
  cleanup_work
}
trap cleanup EXIT
sql "SELECT 1" >/dev/null || die "cannot reach the server"

# measure LOG CMD...: runs CMD once under GNU time, output to LOG; sets RUN_S (wall seconds) and RUN_KB (peak
# RSS). Fails, showing the log's tail, when CMD does.
measure() {
  local log=$1 t0 t1 ns
  shift
  t0=$(date +%s%N)
  if ! /usr/bin/time -f '%M' -o "$work/time.out" "$@" >"$log" 2>&1; then
    echo "bench/etl/servers_run_postgres.sh: failed: $*" >&2
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
count_rows() { sql "SELECT count(*) FROM $1"; }

pandas_ok=no
if "$py" -c 'import pandas, openpyxl, sqlalchemy, psycopg2' 2>/dev/null; then pandas_ok=yes; fi
# The reference's read and transform as they are; only its writer is pointed at the server.
cat >"$work/pandas_postgres.py" <<'EOF'
import sys
peers, xlsx, url = sys.argv[1:4]
sys.path.insert(0, peers)
import pandas_reference as ref
from sqlalchemy import create_engine

def write_postgres(df, target):
    engine = create_engine(target)
    try:
        df.to_sql("bench_pandas", engine, if_exists="replace", index=False)
    finally:
        engine.dispose()
    return "sqlalchemy+psycopg2"

ref.write = write_postgres
sys.exit(ref.main([ref.__file__, xlsx, url]))
EOF

server=$(sql "SHOW server_version")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mem_gb=$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
versions=$("$py" -c 'import sys, pandas, sqlalchemy, psycopg2; print(f"Python {sys.version.split()[0]}, pandas {pandas.__version__}, SQLAlchemy {sqlalchemy.__version__}, psycopg2 {psycopg2.__version__.split()[0]}")' 2>/dev/null || echo "pandas/SQLAlchemy/psycopg2 unavailable")

declare -a lines results
for n in "${sizes[@]}"; do
  for ext in xlsx csv; do
    input=$work/users_${n}.$ext
    if [[ ! -s $input ]]; then
      echo "generating $n rows ($ext) ..." >&2
      "$etl" gen --rows "$n" --seed "$seed" "$input" >"$work/gen.log" 2>&1 || { cat "$work/gen.log" >&2; die "gen failed"; }
    fi
  done

  # The floor's input: the rows as sluice loads them, exported as CSV.
  "$etl" "$work/users_${n}.csv" --target "$url" --table bench_sluice --progress never >"$work/sluice.log" 2>&1 ||
    { cat "$work/sluice.log" >&2; die "sluice-etl failed"; }
  echo "$n rows: psql COPY floor ..." >&2
  psql -X -q -v ON_ERROR_STOP=1 "$url" -c "\\copy bench_sluice TO '$work/rows.csv' WITH (FORMAT csv)"
  ddl=$(sql "SELECT string_agg(quote_ident(column_name) || ' ' || upper(data_type), ', ' ORDER BY ordinal_position)
    FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'bench_sluice'")
  {
    echo "SET client_min_messages = warning;"
    echo "DROP TABLE IF EXISTS bench_floor;"
    echo "CREATE TABLE bench_floor ($ddl);"
    echo "\\copy bench_floor FROM '$work/rows.csv' WITH (FORMAT csv, FREEZE)"
  } >"$work/floor.sql"
  best "$work/floor.log" psql -X -q -1 -v ON_ERROR_STOP=1 "$url" -f "$work/floor.sql"
  f_s=$BEST_S
  got=$(count_rows bench_floor)
  [[ $got == "$n" ]] || die "the COPY floor loaded $got rows of $n"

  for ext in xlsx csv; do
    input=$work/users_${n}.$ext
    echo "$n rows: sluice-etl from .$ext ..." >&2
    best "$work/dry.log" "$etl" "$input" --dry-run --progress never
    d_s=$BEST_S
    best "$work/sluice.log" "$etl" "$input" --target "$url" --table bench_sluice --progress never
    s_s=$BEST_S s_kb=$BEST_KB
    got=$(count_rows bench_sluice)
    [[ $got == "$n" ]] || die "sluice-etl loaded $got rows of $n"

    p_s=- p_kb=- speedup=-
    if [[ $ext == xlsx && $pandas_ok == yes && $pandas_max != 0 ]] && [[ -z $pandas_max || $n -le $pandas_max ]]; then
      echo "$n rows: pandas (minutes per million rows) ..." >&2
      sql "DROP TABLE IF EXISTS bench_pandas"
      measure "$work/pandas.log" "$py" "$work/pandas_postgres.py" "$peers" "$input" "$url"
      p_s=$RUN_S p_kb=$RUN_KB
      got=$(count_rows bench_pandas)
      [[ $got == "$n" ]] || die "pandas loaded $got rows of $n"
      speedup=$(calc '%.1f×' "$p_s / $s_s")
    fi
    lines+=("| $n | .$ext | $s_s | $(calc '%.0f' "$n / $s_s") | $(mb "$s_kb") | $d_s | $p_s | $(mb "$p_kb") | $speedup | $f_s | $(calc '%.2f×' "$s_s / $f_s") |")
    results+=("$n $ext $s_s $d_s $p_s $f_s")
  done
done

echo
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(uname -sm), nproc $(nproc), $cpu, ${mem_gb} GB RAM; PostgreSQL $server on the same machine (loopback, default sslmode=prefer: TLS); $versions"
echo
echo "| rows | input | sluice s | sluice rows/s | sluice peak RSS MB | sluice --dry-run s | pandas s | pandas peak RSS MB | speed-up vs pandas | psql COPY floor s | sluice / floor |"
echo "|---:|:--|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${lines[@]}"

# The targets are stated for 1M rows; check them on the largest size measured.
verdict() { awk "BEGIN { exit !($1) }" && echo "met" || echo "MISSED"; }
n_last=${sizes[-1]}
echo
echo "targets (at 1M rows; checked at $n_last):"
for r in "${results[@]}"; do
  read -r n ext s_s d_s p_s f_s <<<"$r"
  [[ $n == "$n_last" ]] || continue
  if [[ $p_s != - ]]; then echo "- ≥15× pandas (.$ext): $(calc '%.1f×' "$p_s / $s_s") $(verdict "$p_s / $s_s >= 15")"; fi
  line="- ≤1.3× the COPY floor (.$ext): $(calc '%.2f×' "$s_s / $f_s") $(verdict "$s_s / $f_s <= 1.3")"
  if awk -v d="$d_s" -v f="$f_s" 'BEGIN { exit !(d > f) }'; then
    line+="; reading and transforming alone (--dry-run) take $(calc '%.2f×' "$d_s / $f_s") the floor"
  fi
  echo "$line"
done
