#!/usr/bin/env bash
# Parity with the reference: sluice-etl and the pandas peer (bench/peers/pandas_reference.py) load the same
# generated workbook into SQLite, and an independent script compares the two `data_engineering` tables: the
# tables present, column names and order, declared types, row count and every value with its storage class,
# row by row in insertion order. The workbook holds IPv6 rows, non-ASCII names and special-purpose IPs, so
# parity covers them (the peer classifies IPv6 where the reference would crash; see the peer).
#
# Run by ctest with SLUICE_ETL (the built binary) and SLUICE_SOURCE_DIR; by hand:
#   SLUICE_ETL=build/sluice-etl tests/integration/parity_pandas_test.sh [ROWS] [SEED]
# Needs /usr/bin/python3 with pandas and openpyxl (scripts/setup). Exits non-zero on any difference.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=${SLUICE_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
etl=${SLUICE_ETL:-${SLUICE_BUILD_DIR:-$source_dir/build}/sluice-etl}
rows=${1:-2000}
seed=${2:-7}
py=/usr/bin/python3

fail() { echo "parity_pandas_test: FAIL: $*" >&2; exit 1; }
[[ -x "$etl" ]] || fail "no sluice-etl at '$etl' (set SLUICE_ETL)"
"$py" -c 'import pandas, openpyxl' 2>/dev/null || fail "$py lacks pandas/openpyxl (run scripts/setup)"

work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-parity-XXXXXX")
trap 'rm -rf "$work"' EXIT

"$etl" gen --rows "$rows" --seed "$seed" "$work/X.xlsx" || fail "sluice-etl gen exited $?"
"$etl" "$work/X.xlsx" --target "sqlite:///$work/A.db" || fail "sluice-etl exited $?"
"$py" "$source_dir/bench/peers/pandas_reference.py" "$work/X.xlsx" "$work/B.db" ||
  fail "pandas peer exited $?"

"$py" - "$work/A.db" "$work/B.db" "$rows" <<'EOF'
import sqlite3
import sys

a_path, b_path, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
TABLE = "data_engineering"
COLUMNS = ["id", "gender", "ip_address", "is_public_ip", "full_name", "obfuscated_email"]
# What pandas declares through SQLAlchemy's SQLite dialect (the reference), and through a bare sqlite3
# connection (the peer's fallback when python3-sqlalchemy is missing).
SQLALCHEMY_TYPES = ["BIGINT", "TEXT", "TEXT", "BOOLEAN", "TEXT", "TEXT"]
SQLITE3_TYPES = ["INTEGER", "TEXT", "TEXT", "INTEGER", "TEXT", "TEXT"]

errors = []


def check(cond, msg):
    if not cond:
        errors.append(msg)
    return cond


def load(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    tables = sorted(r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
    info = con.execute(f"PRAGMA table_info({TABLE})").fetchall()
    cols = ", ".join(f'typeof("{c}"), "{c}"' for c in COLUMNS)
    data = con.execute(f"SELECT {cols} FROM {TABLE} ORDER BY rowid").fetchall() if info else []
    con.close()
    return tables, [r[1] for r in info], [r[2].upper() for r in info], data


a_tables, a_names, a_types, a_rows = load(a_path)
b_tables, b_names, b_types, b_rows = load(b_path)

check(a_tables == b_tables, f"tables: sluice has {a_tables}, pandas has {b_tables}")
check(b_names == COLUMNS, f"pandas columns {b_names}, expected {COLUMNS} (peer broken?)")
check(a_names == b_names, f"columns: sluice has {a_names}, pandas has {b_names}")
check(a_types == SQLALCHEMY_TYPES, f"declared types: sluice has {a_types}, pandas+SQLAlchemy declares "
      f"{SQLALCHEMY_TYPES}")
if b_types == SQLITE3_TYPES:
    print("parity_pandas_test: note: the peer ran without SQLAlchemy (install python3-sqlalchemy); sluice's "
          "declared types were checked against the SQLAlchemy spec only")
else:
    check(b_types == a_types, f"declared types: sluice has {a_types}, pandas has {b_types}")

check(len(b_rows) == rows, f"pandas wrote {len(b_rows)} rows, expected {rows}")
check(len(a_rows) == len(b_rows), f"row count: sluice {len(a_rows)}, pandas {len(b_rows)}")
mismatches = 0
for i, (ra, rb) in enumerate(zip(a_rows, b_rows)):
    for c, name in enumerate(COLUMNS):
        va, vb = ra[2 * c:2 * c + 2], rb[2 * c:2 * c + 2]
        if va != vb:
            mismatches += 1
            if mismatches <= 10:
                errors.append(f"row {i + 1} (pandas id {rb[1]}), column {name}: sluice {va[1]!r} ({va[0]}), "
                              f"pandas {vb[1]!r} ({vb[0]})")
if mismatches > 10:
    errors.append(f"... {mismatches} differing cells in all")

# The comparison proves little unless the data holds the hard cases.
ips = [r[5] for r in b_rows]
check(any(":" in ip for ip in ips), "no IPv6 row in the generated data")
check({r[7] for r in b_rows} == {0, 1}, "is_public_ip is not both true and false in the generated data")
check(any(not r[9].isascii() for r in b_rows), "no non-ASCII full_name in the generated data")

if errors:
    print("parity_pandas_test: FAIL", file=sys.stderr)
    for e in errors:
        print("  " + e, file=sys.stderr)
    sys.exit(1)
print(f"parity_pandas_test: OK: {len(a_rows)} rows x {len(COLUMNS)} columns identical, types {a_types}")
EOF
