#!/usr/bin/env bash
# The server-target benchmarks, one after the other: sluice-etl into MariaDB and into PostgreSQL, each beside
# the pandas reference and beside its server's own bulk-load floor, each printing its Markdown table.
#
#   bench/etl/servers_run.sh [ROWS...]          (default: 1000000)
#
# Each half uses the test server named by the environment (SLUICE_TEST_MYSQL_URL / SLUICE_TEST_POSTGRES_URL,
# as scripts/services start writes them) or starts a throwaway one. SLUICE_BENCH_PANDAS_MAX_ROWS=0 skips
# pandas (minutes per million rows and server). Other settings: see the two scripts.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# ---- MariaDB / MySQL ---------------------------------------------------------------------------------------
echo "## MariaDB"
"$here/servers_run_mysql.sh" "$@"

# ---- PostgreSQL (bench/etl/servers_run_postgres.sh) -----------------------------------------------------------
if [[ -x $here/servers_run_postgres.sh ]]; then
  echo
  echo "## PostgreSQL"
  "$here/servers_run_postgres.sh" "$@"
fi
