#!/usr/bin/env bash
# Parity of the MySQL/MariaDB target, through the real sluice-etl:
#  - sluice-etl loads one generated workbook into SQLite and into MariaDB, and an independent script compares
#    the two tables row by row (every value, NULLs);
#  - the pandas reference (bench/peers/pandas_reference.py: its read and transform unchanged, its writer
#    pointed at MariaDB through SQLAlchemy + PyMySQL) loads the same workbook, and its table must match
#    sluice's exactly: column names and order, declared types (SHOW COLUMNS), nullability, keys, charset and
#    the text of every value;
#  - the reference's MYSQL_* variables are a target too (no --target), with the password percent-encoded;
#  - TLS through the CLI: verify-identity with the test CA works by 127.0.0.1 and is refused, with exit
#    status 5 (target) and a message that does not show the password, by an address the certificate does not name.
#
# Run by ctest with SLUICE_ETL and SLUICE_SOURCE_DIR; by hand, after scripts/services start and sourcing
# $SLUICE_SERVICES_DIR/env:  SLUICE_ETL=build/sluice-etl tests/integration/mysql_parity_test.sh [ROWS] [SEED]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=${SLUICE_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
etl=${SLUICE_ETL:-${SLUICE_BUILD_DIR:-$source_dir/build}/sluice-etl}
url=${SLUICE_TEST_MYSQL_URL:-}
rows=${1:-3000}
seed=${2:-7}
py=/usr/bin/python3

fail() { echo "mysql_parity_test: FAIL: $*" >&2; exit 1; }
# shellcheck source=db_harness.sh
source "$(dirname "${BASH_SOURCE[0]}")/db_harness.sh"
require_db_server mysql_parity_test SLUICE_TEST_MYSQL_URL
[[ -x "$etl" ]] || fail "no sluice-etl at '$etl' (set SLUICE_ETL)"
"$py" -c 'import pandas, openpyxl, sqlalchemy, pymysql' 2>/dev/null ||
  fail "$py lacks pandas, openpyxl, sqlalchemy or pymysql (run scripts/setup)"

work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-myparity-XXXXXX")
table=my_parity_$$
pandas_table=my_parity_pandas_$$
env_table=my_parity_env_$$
sql() { mariadb --no-defaults -uroot --socket="$SLUICE_TEST_MYSQL_SOCKET" -N -B sluice -e "$1"; }
cleanup() {
  sql "DROP TABLE IF EXISTS $table, $pandas_table, $env_table" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"$etl" gen --rows "$rows" --seed "$seed" "$work/X.xlsx" >/dev/null 2>&1 || fail "sluice-etl gen exited $?"
"$etl" "$work/X.xlsx" --target "sqlite:///$work/A.db" --progress never 2>/dev/null ||
  fail "sluice-etl into SQLite exited $?"
"$etl" "$work/X.xlsx" --target "$url" --table "$table" --progress never 2>"$work/etl.log" ||
  fail "sluice-etl into MariaDB exited $?: $(cat "$work/etl.log")"
grep -q "s3cr" "$work/etl.log" && fail "the password appears in sluice-etl's output: $(cat "$work/etl.log")"

# The pandas reference, writing to MariaDB. SQLAlchemy's URL for PyMySQL: the same credentials.
"$py" "$source_dir/bench/peers/pandas_reference.py" "$work/X.xlsx" \
  "${url/mysql:\/\//mysql+pymysql://}?charset=utf8mb4" "$pandas_table" >"$work/pandas.log" 2>&1 ||
  fail "the pandas reference exited $?: $(tail -n 5 "$work/pandas.log")"

"$py" - "$work/A.db" "$url" "$table" "$pandas_table" "$rows" <<'EOF' || fail "tables differ (above)"
import sqlite3
import sys
from urllib.parse import unquote, urlparse

import pymysql

a_path, url, table, pandas_table, rows = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
u = urlparse(url)
con = pymysql.connect(host=u.hostname, port=u.port, user=unquote(u.username), password=unquote(u.password),
                      database=u.path.lstrip("/"), charset="utf8mb4")
errors = []


def check(cond, msg):
    if not cond and len(errors) < 20:
        errors.append(msg)


def columns(name):
    with con.cursor() as cur:
        cur.execute("SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY, CHARACTER_SET_NAME, "
                    "COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
                    "TABLE_NAME = %s ORDER BY ORDINAL_POSITION", (name,))
        return list(cur.fetchall())


def data(name, names):
    with con.cursor() as cur:
        cur.execute("SELECT " + ", ".join(f"CAST(`{c}` AS CHAR)" for c in names) + f" FROM `{name}` ORDER BY id")
        return list(cur.fetchall())


ours, theirs = columns(table), columns(pandas_table)
names = [c[0] for c in ours]
check(ours == theirs, f"columns differ:\n  sluice {ours}\n  pandas {theirs}")
check([c[1] for c in ours] == ["bigint(20)", "text", "text", "tinyint(1)", "text", "text"],
      f"unexpected column types {[c[1] for c in ours]}")
a = data(table, names)
b = data(pandas_table, names)
check(len(a) == rows, f"sluice loaded {len(a)} rows, expected {rows}")
check(len(b) == rows, f"pandas loaded {len(b)} rows, expected {rows}")
for i, (ra, rb) in enumerate(zip(a, b)):
    check(ra == rb, f"row {i + 1}: sluice {ra} / pandas {rb}")

lite = sqlite3.connect(f"file:{a_path}?mode=ro", uri=True)
s = lite.execute("SELECT " + ", ".join(f'"{c}"' for c in names) + " FROM data_engineering ORDER BY id").fetchall()
check(len(s) == len(a), f"SQLite has {len(s)} rows, MariaDB {len(a)}")
for i, (rs, ra) in enumerate(zip(s, a)):
    as_text = tuple(None if v is None else str(int(v)) if isinstance(v, (int, bool)) else str(v) for v in rs)
    check(as_text == ra, f"row {i + 1}: SQLite {as_text} / MariaDB {ra}")

if errors:
    print("\n".join(errors))
    sys.exit(1)
print(f"mysql_parity_test: {len(a)} rows identical in SQLite, sluice's MariaDB table and pandas' MariaDB table")
EOF

# The reference's variables as the target, with a password that needs percent-encoding.
password=$("$py" -c 'import sys; from urllib.parse import unquote, urlparse; print(unquote(urlparse(sys.argv[1]).password))' "$url")
port=$("$py" -c 'import sys; from urllib.parse import urlparse; print(urlparse(sys.argv[1]).port)' "$url")
env -u DATABASE_URL MYSQL_USERNAME=sluice MYSQL_PASSWORD="$password" MYSQL_HOST=127.0.0.1 MYSQL_PORT="$port" \
  MYSQL_DATABASE=sluice "$etl" "$work/X.xlsx" --table "$env_table" --progress never 2>"$work/env.log" ||
  fail "sluice-etl with MYSQL_* variables exited $?: $(cat "$work/env.log")"
[[ $(sql "SELECT COUNT(*) FROM $env_table") == "$rows" ]] || fail "the MYSQL_* load is incomplete"
grep -q "s3cr" "$work/env.log" && fail "the password appears in sluice-etl's output"

# TLS through the CLI.
ca=$SLUICE_TEST_MYSQL_CA
"$etl" "$work/X.xlsx" --target "$url?ssl-mode=verify-identity&ssl-ca=$ca" --table "$table" --progress never \
  2>"$work/tls.log" || fail "verify-identity with the right CA exited $?: $(cat "$work/tls.log")"
mismatch=${url/127.0.0.1/$SLUICE_TEST_MYSQL_MISMATCH_HOST}
set +e
"$etl" "$work/X.xlsx" --target "$mismatch?ssl-mode=verify-identity&ssl-ca=$ca" --table "$table" --progress never \
  2>"$work/tls.log"
rc=$?
set -e
[[ $rc == 5 ]] || fail "verify-identity against a name the certificate lacks: exit $rc, expected 5 ($(cat "$work/tls.log"))"
grep -q "certificate" "$work/tls.log" || fail "the TLS refusal does not say why: $(cat "$work/tls.log")"
grep -q "s3cr" "$work/tls.log" && fail "the password appears in the TLS error: $(cat "$work/tls.log")"
echo "mysql_parity_test: MYSQL_* variables and TLS verify-identity (accepted, and refused by a wrong name) ok"
