#!/usr/bin/env bash
# Parity of the PostgreSQL target: sluice-etl loads one generated workbook into SQLite and into PostgreSQL, and
# an independent script compares the two tables row by row (ids, every value, NULLs), after checking that the
# PostgreSQL columns are declared as pandas declares them there (bigint, text, text, boolean, text, text).
# When /usr/bin/python3 has SQLAlchemy and psycopg2, the pandas reference (bench/peers/pandas_reference.py,
# its read and transform unchanged, its writer pointed at PostgreSQL) loads the same workbook too, and its
# table must match sluice's exactly: declared types and the text of every value.
#
# Run by ctest with SLUICE_ETL and SLUICE_SOURCE_DIR; by hand:
#   SLUICE_ETL=build/sluice-etl SLUICE_TEST_POSTGRES_URL=postgresql://... tests/integration/postgres_parity_test.sh [ROWS] [SEED]
# Skips, with a line saying so, when SLUICE_TEST_POSTGRES_URL is not set (scripts/services start sets it).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=${SLUICE_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
etl=${SLUICE_ETL:-${SLUICE_BUILD_DIR:-$source_dir/build}/sluice-etl}
url=${SLUICE_TEST_POSTGRES_URL:-}
rows=${1:-3000}
seed=${2:-7}
py=/usr/bin/python3

fail() { echo "postgres_parity_test: FAIL: $*" >&2; exit 1; }
# shellcheck source=db_harness.sh
source "$(dirname "${BASH_SOURCE[0]}")/db_harness.sh"
require_db_server postgres_parity_test SLUICE_TEST_POSTGRES_URL
[[ -x "$etl" ]] || fail "no sluice-etl at '$etl' (set SLUICE_ETL)"
command -v psql >/dev/null || fail "psql is missing"

work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-pgparity-XXXXXX")
table=pg_parity_$$
pandas_table=pg_parity_pandas_$$
cleanup() {
  psql -X -q "$url" -c "DROP TABLE IF EXISTS $table; DROP TABLE IF EXISTS $pandas_table" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"$etl" gen --rows "$rows" --seed "$seed" "$work/X.xlsx" >/dev/null 2>&1 || fail "sluice-etl gen exited $?"
"$etl" "$work/X.xlsx" --target "sqlite:///$work/A.db" --progress never 2>/dev/null || fail "sluice-etl into SQLite exited $?"
"$etl" "$work/X.xlsx" --target "$url" --table "$table" --progress never || fail "sluice-etl into PostgreSQL exited $?"

pandas=no
if "$py" -c 'import pandas, openpyxl, sqlalchemy, psycopg2' 2>/dev/null; then
  pandas=yes
  "$py" "$source_dir/bench/peers/pandas_reference.py" "$work/X.xlsx" "$url" "$pandas_table" \
    >"$work/pandas.log" 2>&1 ||
    { cat "$work/pandas.log" >&2; fail "the pandas reference into PostgreSQL failed"; }
fi

dump() {  # dump TABLE FILE: the table in COPY text format, ordered by id, and its declared columns
  psql -X -q -v ON_ERROR_STOP=1 "$url" -c "\\copy (SELECT * FROM $1 ORDER BY id) TO '$2'" || fail "cannot dump $1"
  psql -X -q -At -F '|' -v ON_ERROR_STOP=1 "$url" -c "SELECT column_name, data_type FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = '$1' ORDER BY ordinal_position" >"$2.columns"
}
dump "$table" "$work/pg.txt"
[[ $pandas == yes ]] && dump "$pandas_table" "$work/pandas.txt"

"$py" - "$work/A.db" "$work/pg.txt" "$rows" "$pandas" "$work/pandas.txt" <<'EOF'
import sqlite3
import sys

a_path, pg_path, rows, pandas, pandas_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
COLUMNS = ["id", "gender", "ip_address", "is_public_ip", "full_name", "obfuscated_email"]
PG_TYPES = ["bigint", "text", "text", "boolean", "text", "text"]  # what pandas + SQLAlchemy declare
ESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", "v": "\v"}
errors = []


def unescape(field):
    if field == "\\N":
        return None
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and i + 1 < len(field):
            out.append(ESCAPES.get(field[i + 1], field[i + 1]))
            i += 2
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def load_copy(path):
    with open(path, encoding="utf-8") as f:
        data = [[unescape(v) for v in line.rstrip("\n").split("\t")] for line in f]
    with open(path + ".columns", encoding="utf-8") as f:
        columns = [line.rstrip("\n").split("|") for line in f if line.strip()]
    return [c[0] for c in columns], [c[1] for c in columns], data


names, types, pg_rows = load_copy(pg_path)
if names != COLUMNS:
    errors.append(f"PostgreSQL columns {names}, expected {COLUMNS}")
if types != PG_TYPES:
    errors.append(f"PostgreSQL types {types}, expected what pandas declares: {PG_TYPES}")

con = sqlite3.connect(f"file:{a_path}?mode=ro", uri=True)
cols = ", ".join(f'"{c}"' for c in COLUMNS)
sqlite_rows = con.execute(f"SELECT {cols} FROM data_engineering ORDER BY id").fetchall()
con.close()


def as_pg_text(value, column):
    """A SQLite value as PostgreSQL's text output would show it."""
    if value is None:
        return None
    if column == "is_public_ip":
        return {0: "f", 1: "t"}[value]
    return str(value)


if len(pg_rows) != rows or len(sqlite_rows) != rows:
    errors.append(f"row counts: PostgreSQL {len(pg_rows)}, SQLite {len(sqlite_rows)}, generated {rows}")
mismatches = 0
for i, (s, p) in enumerate(zip(sqlite_rows, pg_rows)):
    want = [as_pg_text(v, c) for v, c in zip(s, COLUMNS)]
    if want != p:
        mismatches += 1
        if mismatches <= 10:
            errors.append(f"row {i + 1}: SQLite {want!r}, PostgreSQL {p!r}")
if mismatches > 10:
    errors.append(f"... {mismatches} differing rows in all")

# The comparison proves little unless the data holds the hard cases.
if not any(":" in r[2] for r in pg_rows):
    errors.append("no IPv6 row in the generated data")
if {r[3] for r in pg_rows} != {"t", "f"}:
    errors.append("is_public_ip is not both true and false")
if not any(not r[4].isascii() for r in pg_rows):
    errors.append("no non-ASCII full_name in the generated data")

if pandas == "yes":
    p_names, p_types, p_rows = load_copy(pandas_path)
    if (p_names, p_types) != (names, types):
        errors.append(f"pandas declared {list(zip(p_names, p_types))}, sluice {list(zip(names, types))}")
    if p_rows != pg_rows:
        diff = [i for i, (a, b) in enumerate(zip(p_rows, pg_rows)) if a != b]
        errors.append(f"pandas and sluice differ in {len(diff) + abs(len(p_rows) - len(pg_rows))} rows, first: "
                      f"{p_rows[diff[0]] if diff else len(p_rows)!r} vs {pg_rows[diff[0]] if diff else len(pg_rows)!r}")
else:
    print("postgres_parity_test: note: /usr/bin/python3 lacks sqlalchemy or psycopg2 "
          "(python3-sqlalchemy, python3-psycopg2): compared with SQLite only")

if errors:
    print("postgres_parity_test: FAIL", file=sys.stderr)
    for e in errors:
        print("  " + e, file=sys.stderr)
    sys.exit(1)
peer = " and the pandas reference's" if pandas == "yes" else ""
print(f"postgres_parity_test: OK: {len(pg_rows)} rows x {len(COLUMNS)} columns identical to SQLite's{peer}, "
      f"types {types}")
EOF
