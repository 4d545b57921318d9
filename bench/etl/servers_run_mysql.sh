#!/usr/bin/env bash
# The MySQL/MariaDB benchmark: sluice-etl into MariaDB beside the pandas reference and beside the floor,
# measured in one run on the same generated workbooks, printed as one Markdown table headed by the date and
# the machine. (bench/etl/servers_run.sh runs this and the PostgreSQL one.)
#
#   bench/etl/servers_run_mysql.sh [ROWS...]          (default: 1000000)
#
# For each size it generates users_ROWS.xlsx and users_ROWS.csv once (`sluice-etl gen`, seed 42, the same rows)
# and measures:
#  - sluice: `sluice-etl X.xlsx --target mysql://...` (replace: staging table, one streaming LOAD DATA LOCAL
#    INFILE, RENAME TABLE swap) end to end: wall seconds, rows/s, peak RSS; and the same from the CSV, whose
#    parsing costs far less than the workbook's, so that its line shows what the target itself adds;
#  - sluice --dry-run: reading and transforming alone, nothing written;
#  - pandas: bench/peers/pandas_reference.py's read and transform, unchanged, with its writer pointed at
#    MariaDB (DataFrame.to_sql through SQLAlchemy + PyMySQL, if_exists="replace"), imports included;
#  - the LOAD DATA floor: the rows sluice loaded, exported beforehand in LOAD DATA's own text format, loaded by
#    the mariadb client: CREATE TABLE (the same columns) and LOAD DATA LOCAL INFILE, over the same TCP
#    connection settings as sluice (TLS on, as sluice's default ssl-mode=preferred negotiates): what the
#    server's own bulk path costs for this output.
# Wall seconds are the best of SLUICE_BENCH_REPEAT runs (default 3) for sluice and the floor, one run for pandas.
#
# Environment:
#   SLUICE_BENCH_MYSQL_URL        the server (default $SLUICE_TEST_MYSQL_URL; when neither is set, a throwaway
#                                 server is started with scripts/services.d/mariadb and stopped at the end)
#   SLUICE_BENCH_MYSQL_SOCKET     a root socket of that server, for exporting the floor's input (default
#                                 $SLUICE_TEST_MYSQL_SOCKET)
#   SLUICE_BUILD_DIR, SLUICE_ETL  as in bench/etl/run.sh
#   SLUICE_BENCH_PANDAS_MAX_ROWS  skip pandas above this many rows; 0 skips it always (~100 s per 1M rows)
#   SLUICE_BENCH_REPEAT           runs per measurement, best kept (default 3)
#   SLUICE_BENCH_DIR              keep workbooks here and reuse those already generated (default: a temporary
#                                 directory, removed at the end)
# Needs: mariadb (client), GNU time; for pandas: /usr/bin/python3 with pandas, openpyxl, sqlalchemy, pymysql
# (python3-pandas python3-openpyxl python3-sqlalchemy python3-pymysql).
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

die() { echo "bench/etl/servers_run_mysql.sh: $*" >&2; exit 1; }
[[ -x $etl ]] || die "no sluice-etl at '$etl' (build it, or set SLUICE_BUILD_DIR / SLUICE_ETL)"
[[ -x /usr/bin/time ]] || die "GNU time is missing (apt package 'time')"
command -v mariadb >/dev/null || die "the mariadb client is missing (apt package mariadb-client)"
for n in "${sizes[@]}"; do [[ $n =~ ^[1-9][0-9]*$ ]] || die "'$n' is not a row count"; done

if [[ -n ${SLUICE_BENCH_DIR:-} ]]; then
  work=$SLUICE_BENCH_DIR
  mkdir -p "$work"
  cleanup_work() { :; }
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-mybench-XXXXXX")
  cleanup_work() { rm -rf "$work"; }
fi
work=$(cd "$work" && pwd)

url=${SLUICE_BENCH_MYSQL_URL:-${SLUICE_TEST_MYSQL_URL:-}}
socket=${SLUICE_BENCH_MYSQL_SOCKET:-${SLUICE_TEST_MYSQL_SOCKET:-}}
own_server=no
if [[ -z $url ]]; then
  echo "starting a throwaway MariaDB ..." >&2
  export SLUICE_SERVICES_DIR=$work/services
  mkdir -p "$SLUICE_SERVICES_DIR"
  : >"$SLUICE_SERVICES_DIR/env"
  "$src/scripts/services.d/mariadb" start
  own_server=yes
  url=$(sed -n "s/^SLUICE_TEST_MYSQL_URL='\(.*\)'$/\1/p" "$SLUICE_SERVICES_DIR/env" | tail -n 1)
  socket=$(sed -n "s/^SLUICE_TEST_MYSQL_SOCKET='\(.*\)'$/\1/p" "$SLUICE_SERVICES_DIR/env" | tail -n 1)
fi
[[ -n $socket ]] || die "no root socket for the server (set SLUICE_BENCH_MYSQL_SOCKET)"

# The client's options from the URL (user, password, host, port, database), into an option file so that the
# password is not on a command line.
"$py" - "$url" >"$work/client.cnf" <<'EOF'
import sys
from urllib.parse import unquote, urlparse
u = urlparse(sys.argv[1])
print("[client]")
print(f"user={unquote(u.username or '')}")
print(f"password=\"{unquote(u.password or '')}\"")
print(f"host={u.hostname}")
print(f"port={u.port or 3306}")
print(f"database={unquote(u.path.lstrip('/'))}")
EOF
chmod 600 "$work/client.cnf"
client() { mariadb --defaults-file="$work/client.cnf" "$@"; }
sql() { client -N -B -e "$1"; }
cleanup() {
  sql "DROP TABLE IF EXISTS bench_sluice, bench_pandas, bench_floor" >/dev/null 2>&1 || true
  if [[ $own_server == yes ]]; then "$src/scripts/services.d/mariadb" stop || true; fi
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
    echo "bench/etl/servers_run_mysql.sh: failed: $*" >&2
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
count_rows() { sql "SELECT COUNT(*) FROM $1"; }

pandas_ok=no
if "$py" -c 'import pandas, openpyxl, sqlalchemy, pymysql' 2>/dev/null; then pandas_ok=yes; fi
# The reference's read and transform as they are; only its writer is pointed at the server.
cat >"$work/pandas_mysql.py" <<'EOF'
import sys
peers, xlsx, url = sys.argv[1:4]
sys.path.insert(0, peers)
import pandas_reference as ref
from sqlalchemy import create_engine

def write_mysql(df, target):
    engine = create_engine(target)
    try:
        df.to_sql("bench_pandas", engine, if_exists="replace", index=False)
    finally:
        engine.dispose()
    return "sqlalchemy+pymysql"

ref.write = write_mysql
sys.exit(ref.main([ref.__file__, xlsx, url]))
EOF
pandas_url="${url/mysql:\/\//mysql+pymysql://}?charset=utf8mb4"

server=$(sql "SELECT VERSION()")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mem_gb=$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
versions=$("$py" -c 'import sys, pandas, sqlalchemy, pymysql; print(f"Python {sys.version.split()[0]}, pandas {pandas.__version__}, SQLAlchemy {sqlalchemy.__version__}, PyMySQL {pymysql.__version__}")' 2>/dev/null || echo "pandas/SQLAlchemy/PyMySQL unavailable")

declare -a lines results
for n in "${sizes[@]}"; do
  for ext in xlsx csv; do
    input=$work/users_${n}.$ext
    if [[ ! -s $input ]]; then
      echo "generating $n rows ($ext) ..." >&2
      "$etl" gen --rows "$n" --seed "$seed" "$input" >"$work/gen.log" 2>&1 || { cat "$work/gen.log" >&2; die "gen failed"; }
    fi
  done

  # The floor's input: the rows as sluice loads them, in LOAD DATA's default format (written by the server).
  "$etl" "$work/users_${n}.csv" --target "$url" --table bench_sluice --progress never >"$work/sluice.log" 2>&1 ||
    { cat "$work/sluice.log" >&2; die "sluice-etl failed"; }
  echo "$n rows: LOAD DATA LOCAL INFILE floor ..." >&2
  rm -f "$work/rows.tsv"
  mariadb --no-defaults -uroot --socket="$socket" -e \
    "SELECT * FROM \`$(sed -n 's/^database=//p' "$work/client.cnf")\`.bench_sluice INTO OUTFILE '$work/rows.tsv'" ||
    die "cannot export the floor's input (the server must run on this machine)"
  ddl=$(sql "SHOW CREATE TABLE bench_sluice" | cut -f2 | sed 's/CREATE TABLE `bench_sluice`/CREATE TABLE bench_floor/')
  {
    echo "DROP TABLE IF EXISTS bench_floor;"
    echo "$ddl;"
    echo "LOAD DATA LOCAL INFILE '$work/rows.tsv' INTO TABLE bench_floor CHARACTER SET utf8mb4;"
  } >"$work/floor.sql"
  best "$work/floor.log" mariadb --defaults-file="$work/client.cnf" --ssl --local-infile=1 -e "source $work/floor.sql"
  f_s=$BEST_S
  got=$(count_rows bench_floor)
  [[ $got == "$n" ]] || die "the LOAD DATA floor loaded $got rows of $n"

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
      echo "$n rows: pandas (~100 s per million rows) ..." >&2
      sql "DROP TABLE IF EXISTS bench_pandas"
      measure "$work/pandas.log" "$py" "$work/pandas_mysql.py" "$peers" "$input" "$pandas_url"
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
echo "machine: $(uname -sm), nproc $(nproc), $cpu, ${mem_gb} GB RAM; MariaDB $server on the same machine (loopback TCP, TLS); $versions"
echo
echo "| rows | input | sluice s | sluice rows/s | sluice peak RSS MB | sluice --dry-run s | pandas s | pandas peak RSS MB | speed-up vs pandas | LOAD DATA floor s | sluice / floor |"
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
  line="- ≤1.3× the LOAD DATA floor (.$ext): $(calc '%.2f×' "$s_s / $f_s") $(verdict "$s_s / $f_s <= 1.3")"
  if awk -v d="$d_s" -v f="$f_s" 'BEGIN { exit !(d > f) }'; then
    line+="; reading and transforming alone (--dry-run) take $(calc '%.2f×' "$d_s / $f_s") the floor"
  fi
  echo "$line"
done
