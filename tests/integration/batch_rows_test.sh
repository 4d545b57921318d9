#!/usr/bin/env bash
# Issue 10, class 6: the table does not depend on --batch-rows. The same files (workbooks from xlsxwriter,
# openpyxl, LibreOffice and `sluice-etl gen`, and CSVs whose kinds change down a column, across the 8192-row
# type window) are loaded with batch sizes 1, 7 and the default; the SQLite dumps must be identical, and a
# value that contradicts its column's type after the window fails the same way, naming the cell. Also checks
# that pandas.read_sql_table reads back the TIME column written for times of day (class 3).
set -uo pipefail
etl=$(realpath "${SLUICE_ETL:?path of the built sluice-etl}")
data=$(realpath "${SLUICE_SOURCE_DIR:?}")/tests/data/xlsx
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
pass=0
fail() {
  echo "FAIL $*"
  failures=$((failures + 1))
}
printf 'step = []\n' >pass.toml

"$etl" gen --rows 10000 --seed 5 users.xlsx 2>/dev/null
{
  echo "id,code,flag,mixed"
  for ((i = 1; i <= 9000; i++)); do
    if ((i % 1000 == 0)); then echo "$i,X$i,True,text $i"; else echo "$i,0$i,false,$i"; fi
  done
  echo "9001,A1,true,2.5"
} >kinds.csv
cp "$data/xlsxwriter_mixed.xlsx" "$data/libreoffice_types.xlsx" "$data/openpyxl_wide_rows.xlsx" \
  "$data/openpyxl_times.xlsx" .

for f in users.xlsx kinds.csv xlsxwriter_mixed.xlsx libreoffice_types.xlsx openpyxl_wide_rows.xlsx \
  openpyxl_times.xlsx; do
  reference=""
  for b in 1 7 8192; do
    rm -f "b$b.db"
    if ! out=$("$etl" "$f" --pipeline pass.toml --batch-rows "$b" --target "sqlite:///b$b.db" --progress never 2>&1); then
      fail "$f --batch-rows $b: $out"
      continue
    fi
    dump=$(sqlite3 "b$b.db" .dump)
    if [[ -z "$reference" ]]; then
      reference=$dump
    elif [[ "$dump" != "$reference" ]]; then
      fail "$f: --batch-rows $b gives another table than --batch-rows 1"
      diff <(echo "$reference") <(echo "$dump") | head -5
    else
      pass=$((pass + 1))
    fi
  done
done

# The CSV's text column keeps its leading zeros, and its boolean column is one type (class 5).
rm -f k.db
"$etl" kinds.csv --pipeline pass.toml --target sqlite:///k.db --progress never 2>/dev/null
got=$(sqlite3 k.db "SELECT code, flag, mixed FROM data_engineering WHERE id IN (7, 1000, 9001) ORDER BY id" | tr '\n' ' ')
if [[ "$got" != "07|0|7 X1000|1|text 1000 A1|1|2.5 " ]]; then fail "kinds.csv values: '$got'"; else pass=$((pass + 1)); fi
schema=$(sqlite3 k.db .schema)
if [[ "$schema" != *'"id" BIGINT, "code" TEXT, "flag" BOOLEAN, "mixed" TEXT'* ]]; then
  fail "kinds.csv schema: $schema"
else
  pass=$((pass + 1))
fi

# A value after the type window that its column cannot take fails, naming the cell, whatever the batch size.
{
  echo "n"
  for ((i = 1; i <= 9000; i++)); do echo "$i"; done
  echo "n/a"
} >late.csv
for b in 1 7 8192; do
  out=$("$etl" late.csv --pipeline pass.toml --batch-rows "$b" --target sqlite:///late.db --progress never 2>&1)
  rc=$?
  want="sluice-etl: late.csv:9002 (column 'n'): text 'n/a' in the integer column 'n', whose type was decided by its first 8192 rows"
  if [[ $rc != 4 || "$out" != "$want"* ]]; then fail "late.csv --batch-rows $b: exit $rc: $out"; else pass=$((pass + 1)); fi
done

# pandas reads the TIME column of times of day back as datetime.time.
rm -f t.db
"$etl" openpyxl_times.xlsx --pipeline pass.toml --target sqlite:///t.db --progress never 2>/dev/null
got=$(/usr/bin/python3 -c "
import pandas as pd, sqlalchemy as sa
df = pd.read_sql_table('data_engineering', sa.create_engine('sqlite:///t.db'), columns=['alarm'])
print([t.isoformat() for t in df.alarm])" 2>&1)
if [[ "$got" != "['07:30:00', '23:59:59.500000', '00:00:00']" ]]; then fail "read_sql_table TIME: $got"; else pass=$((pass + 1)); fi

echo "batch_rows_test: $pass passed, $failures failed"
((failures == 0))
