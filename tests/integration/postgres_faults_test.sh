#!/usr/bin/env bash
# Fault injection into `sluice-etl --target postgresql://...` replacing a table, at random points of the run:
#  - the server ends the loading backend (pg_terminate_backend from a second session), and
#  - the ETL process is killed (kill -9),
# SLUICE_PG_FAULT_ROUNDS times each (default 20). Every time, the previous table must be exactly as it was
# (md5 of its sorted rows) unless the run had already committed (then the new table must be complete), no
# staging table may be visible, and a failed run must say so without showing the password. After all rounds,
# a normal run must succeed and leave no staging table.
#
# Needs SLUICE_ETL (the built binary), SLUICE_TEST_POSTGRES_URL (scripts/services start) and psql; skips, with
# a line saying so, when the server is not configured.
set -uo pipefail

etl=${SLUICE_ETL:?built sluice-etl}
url=${SLUICE_TEST_POSTGRES_URL:-}
rounds=${SLUICE_PG_FAULT_ROUNDS:-20}
big_rows=${SLUICE_PG_FAULT_ROWS:-300000}
# shellcheck source=db_harness.sh
source "$(dirname "${BASH_SOURCE[0]}")/db_harness.sh"
require_db_server postgres_faults_test SLUICE_TEST_POSTGRES_URL
command -v psql >/dev/null || { echo "postgres_faults_test: FAIL: psql is missing"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-pgfault-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

table=pg_faults_$$
app=sluice-fault-$$
target="$url?application_name=$app"
password=$(/usr/bin/python3 -c 'import sys, urllib.parse as u; print(u.unquote(u.urlsplit(sys.argv[1]).password or ""))' "$url")
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$url" -c "$1"; }
checksum() { sql "SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM $table t" 2>&1; }
count() { sql "SELECT count(*) FROM $table" 2>&1; }
staging() { sql "SELECT count(*) FROM pg_class WHERE relname LIKE '\\_sluice\\_staging\\_%' AND relname LIKE '%$table'"; }
load() { "$etl" "$1" --target "$target" --table "$table" --progress never --retries 0; }
# The ETL itself in the background (not a subshell around it), so that $! is its pid.
load_in_background() { "$etl" big.xlsx --target "$target" --table "$table" --progress never --retries 0 2>err.txt & }

"$etl" gen --rows 2000 --seed 1 small.xlsx >/dev/null 2>&1 || { echo "FAIL: gen small"; exit 1; }
"$etl" gen --rows "$big_rows" --seed 2 big.xlsx >/dev/null 2>&1 || { echo "FAIL: gen big"; exit 1; }
load small.xlsx 2>err.txt || { echo "FAIL: initial load: $(cat err.txt)"; exit 1; }
want=$(checksum)
[[ $(count) == 2000 ]] || { echo "FAIL: initial load has $(count) rows"; exit 1; }

# How long a full run takes, so that the faults land anywhere inside it.
start=$(date +%s%N)
load big.xlsx 2>/dev/null || { echo "FAIL: probe load"; exit 1; }
full_ms=$((($(date +%s%N) - start) / 1000000))
want_big=$(checksum)
load small.xlsx 2>/dev/null

failures=0
# check_round KIND ROUND DELAY RC: the table is the previous one (or, if the run succeeded, the new one, whole)
check_round() {
  local kind=$1 round=$2 delay=$3 rc=$4 got rows
  got=$(checksum)
  rows=$(count)
  if [[ $rc == 0 ]]; then
    # The run committed before the fault: the new table must then be complete. Put the small one back.
    if [[ $rows != "$big_rows" ]]; then
      echo "FAIL $kind round $round (after ${delay} ms): run succeeded but the table has $rows rows"
      failures=$((failures + 1))
    fi
    finished=$((finished + 1))
    load small.xlsx 2>/dev/null
    return
  fi
  if [[ $got == "$want_big" ]]; then
    # The fault landed after COMMIT but before the process ended: the new table, whole, is a correct outcome.
    finished=$((finished + 1))
    load small.xlsx 2>/dev/null
    return
  fi
  interrupted=$((interrupted + 1))
  if [[ $got != "$want" ]]; then
    echo "FAIL $kind round $round (after ${delay} ms): table changed, now $rows rows"
    failures=$((failures + 1))
  fi
  if [[ $(staging) != 0 ]]; then
    echo "FAIL $kind round $round: a staging table is visible"
    failures=$((failures + 1))
  fi
  if [[ -n $password ]] && grep -qF -- "$password" err.txt; then
    echo "FAIL $kind round $round: the password appears in the error"
    failures=$((failures + 1))
  fi
}

# Up to 85% of a full run: the fault is sent by another process, which takes a few tens of ms to act.
random_delay_ms() { echo $((RANDOM * 32768 + RANDOM)) | awk -v m="$full_ms" '{ m = int(m * 0.85); print $1 % (m > 20 ? m : 20) }'; }
pause() { sleep "$(awk -v ms="$1" 'BEGIN { printf "%.3f", ms / 1000 }')"; }

# 1. The server terminates the loading backend.
finished=0 interrupted=0
for ((i = 1; i <= rounds; i++)); do
  delay=$(random_delay_ms)
  load_in_background
  pid=$!
  pause "$delay"
  sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '$app'" >/dev/null
  wait "$pid" 2>/dev/null
  rc=$?
  if [[ $rc != 0 ]] && ! grep -q "^sluice-etl: postgresql://.*\(terminating connection\|connection\)" err.txt; then
    echo "FAIL terminate round $i: unclear error: $(cat err.txt)"
    failures=$((failures + 1))
  fi
  if [[ $rc != 0 ]]; then sed -E 's/[0-9]+/N/g' err.txt >>messages.txt; fi
  check_round terminate "$i" "$delay" "$rc"
done
echo "postgres_faults_test: what the terminated runs said:"
sort messages.txt 2>/dev/null | uniq -c | sed 's/^/  /'
echo "postgres_faults_test: pg_terminate_backend: $rounds rounds, $interrupted interrupted mid-run, $finished had finished (full run ${full_ms} ms)"
terminate_interrupted=$interrupted

# 2. The ETL is killed.
finished=0 interrupted=0
for ((i = 1; i <= rounds; i++)); do
  delay=$(random_delay_ms)
  load_in_background
  pid=$!
  pause "$delay"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  check_round kill "$i" "$delay" "$?"
done
echo "postgres_faults_test: kill -9: $rounds rounds, $interrupted interrupted mid-run, $finished had finished"

load small.xlsx 2>err.txt || { echo "FAIL: run after the faults: $(cat err.txt)"; failures=$((failures + 1)); }
[[ $(checksum) == "$want" ]] || { echo "FAIL: the last run did not load the small workbook"; failures=$((failures + 1)); }
[[ $(staging) == 0 ]] || { echo "FAIL: a staging table survived"; failures=$((failures + 1)); }
# Faults that never land mid-run would prove nothing.
if ((rounds >= 5 && (terminate_interrupted == 0 || interrupted == 0))); then
  echo "FAIL: no fault landed mid-run (terminate: $terminate_interrupted, kill: $interrupted)"
  failures=$((failures + 1))
fi
sql "DROP TABLE IF EXISTS $table"
echo "postgres_faults_test: $failures failed"
[[ $failures == 0 ]]
