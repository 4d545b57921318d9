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
# shellcheck source=bench/etl/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup mybench mariadb "the mariadb client is missing (apt package mariadb-client)" 1000000 "$@"

url=${SLUICE_BENCH_MYSQL_URL:-${SLUICE_TEST_MYSQL_URL:-}}
socket=${SLUICE_BENCH_MYSQL_SOCKET:-${SLUICE_TEST_MYSQL_SOCKET:-}}
if [[ -z $url ]]; then
  start_server mariadb MariaDB
  url=$(service_env SLUICE_TEST_MYSQL_URL)
  socket=$(service_env SLUICE_TEST_MYSQL_SOCKET)
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
sql() { mariadb --defaults-file="$work/client.cnf" -N -B -e "$1"; }
drop_tables="DROP TABLE IF EXISTS bench_sluice, bench_pandas, bench_floor"
trap server_cleanup EXIT
sql "SELECT 1" >/dev/null || die "cannot reach the server"

pandas_setup pymysql PyMySQL
pandas_url="${url/mysql:\/\//mysql+pymysql://}?charset=utf8mb4"
server_line="MariaDB $(sql "SELECT VERSION()") on the same machine (loopback TCP, TLS)"
floor_head="LOAD DATA floor s" floor_name="the LOAD DATA floor" pandas_note="~100 s per million rows"

# floor N: the floor's input is the rows as sluice loaded them, in LOAD DATA's default format (written by the
# server, hence the root socket); the floor loads them into bench_floor: CREATE TABLE (the same columns) and
# LOAD DATA LOCAL INFILE.
floor() {
  echo "$1 rows: LOAD DATA LOCAL INFILE floor ..." >&2
  rm -f "$work/rows.tsv"
  mariadb --no-defaults -uroot --socket="$socket" -e \
    "SELECT * FROM \`$(sed -n 's/^database=//p' "$work/client.cnf")\`.bench_sluice INTO OUTFILE '$work/rows.tsv'" ||
    die "cannot export the floor's input (the server must run on this machine)"
  local ddl
  # shellcheck disable=SC2016 # the backquotes are MariaDB's, around the table's name
  ddl=$(sql "SHOW CREATE TABLE bench_sluice" | cut -f2 | sed 's/CREATE TABLE `bench_sluice`/CREATE TABLE bench_floor/')
  {
    echo "DROP TABLE IF EXISTS bench_floor;"
    echo "$ddl;"
    echo "LOAD DATA LOCAL INFILE '$work/rows.tsv' INTO TABLE bench_floor CHARACTER SET utf8mb4;"
  } >"$work/floor.sql"
  best "$work/floor.log" mariadb --defaults-file="$work/client.cnf" --ssl --local-infile=1 -e "source $work/floor.sql"
  f_s=$BEST_S
}

server_bench
