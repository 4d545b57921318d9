#!/usr/bin/env bash
# The tour, on a fresh Debian 12: installs what is needed, builds, generates a sample workbook of mock users,
# loads it into the embedded SQLite database through the reference pipeline, and shows what was loaded.
set -euo pipefail
cd "$(dirname "$0")"

SLUICE_SETUP_MINIMAL=1 ./scripts/setup
cmake -S . -B build -G Ninja -DBUILD_TESTING=OFF -DSLUICE_BENCH=OFF >/dev/null
ninja -C build sluice-etl

out=demo-out
mkdir -p "$out"
etl=./build/sluice-etl
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Generate 1,000 mock users (the reference's DATASET.xlsx shape)"
$etl gen --rows 1000 --seed 42 "$out/DATASET.xlsx"

step "Preview the transformed rows without writing (--preview 5)"
$etl "$out/DATASET.xlsx" --preview 5

step "Load into SQLite, replacing the table atomically"
$etl "$out/DATASET.xlsx" --target "sqlite:///$out/data_engineering.db"

step "What was loaded"
sqlite3 -header -column "$out/data_engineering.db" \
  "SELECT name, type FROM pragma_table_info('data_engineering');"
echo
sqlite3 -header -column "$out/data_engineering.db" "SELECT * FROM data_engineering LIMIT 8;"
echo
sqlite3 -header -column "$out/data_engineering.db" \
  "SELECT is_public_ip, COUNT(*) AS rows FROM data_engineering GROUP BY is_public_ip;"

step "A bad value is reported by cell, and the table is left as it was"
printf 'id,first_name,last_name,email,gender,ip_address\n1,Ada,Lovelace,ada@example.com,Female,999.1.2.3\n' \
  > "$out/bad.csv"
$etl "$out/bad.csv" --target "sqlite:///$out/data_engineering.db" || echo "(exit code $?)"
sqlite3 "$out/data_engineering.db" "SELECT COUNT(*) || ' rows still in data_engineering' FROM data_engineering;"

step "Same file with --on-error skip and a rejects file"
$etl "$out/bad.csv" --target "sqlite:///$out/bad.db" --on-error skip --rejects "$out/rejects.csv"
cat "$out/rejects.csv"
