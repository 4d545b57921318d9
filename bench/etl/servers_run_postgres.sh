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
# shellcheck source=bench/etl/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup pgbench psql "psql is missing (apt package postgresql-client)" 1000000 "$@"

url=${SLUICE_BENCH_POSTGRES_URL:-${SLUICE_TEST_POSTGRES_URL:-}}
if [[ -z $url ]]; then
  start_server postgresql PostgreSQL
  url=$(service_env SLUICE_TEST_POSTGRES_URL)
fi
sql() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 "$url" -c "$1"; }
drop_tables="DROP TABLE IF EXISTS bench_sluice; DROP TABLE IF EXISTS bench_pandas; DROP TABLE IF EXISTS bench_floor"
trap server_cleanup EXIT
sql "SELECT 1" >/dev/null || die "cannot reach the server"

pandas_setup psycopg2 psycopg2
pandas_url=$url
server_line="PostgreSQL $(sql "SHOW server_version") on the same machine (loopback, default sslmode=prefer: TLS)"
floor_head="psql COPY floor s" floor_name="the COPY floor" pandas_note="minutes per million rows"

# floor N: the floor's input is the rows as sluice loaded them, exported as CSV; the floor loads them in one
# transaction: CREATE TABLE bench_floor (the same columns) and \copy ... WITH (FORMAT csv, FREEZE).
floor() {
  echo "$1 rows: psql COPY floor ..." >&2
  psql -X -q -v ON_ERROR_STOP=1 "$url" -c "\\copy bench_sluice TO '$work/rows.csv' WITH (FORMAT csv)"
  local ddl
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
}

server_bench
