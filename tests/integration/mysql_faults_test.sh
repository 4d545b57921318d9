#!/usr/bin/env bash
# Fault injection into MySQL/MariaDB loads by the real sluice-etl, at random points of a replace:
#  - kill -9 of sluice-etl;
#  - KILL of its server connection from a second session (and the run must then fail with a clear error that
#    does not show the password);
# SLUICE_MYSQL_KILL_ROUNDS times each (default 20). After every round the previous table must be intact (its
# sorted dump unchanged), and after the next complete run no staging or old table of it may survive.
#
# Run by ctest with SLUICE_ETL; by hand:
#   SLUICE_ETL=build/sluice-etl tests/integration/mysql_faults_test.sh   (after scripts/services start and
#   sourcing $SLUICE_SERVICES_DIR/env)
set -uo pipefail

etl=${SLUICE_ETL:?the built sluice-etl}
url=${SLUICE_TEST_MYSQL_URL:-}
rounds=${SLUICE_MYSQL_KILL_ROUNDS:-20}
# shellcheck source=db_harness.sh
source "$(dirname "${BASH_SOURCE[0]}")/db_harness.sh"
require_db_server mysql_faults_test SLUICE_TEST_MYSQL_URL
sql() { mariadb --no-defaults -uroot --socket="$SLUICE_TEST_MYSQL_SOCKET" -N -B sluice -e "$1"; }
table=faults_$$
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-mysqlfaults-XXXXXX")
cleanup() {
  sql "DROP TABLE IF EXISTS \`$table\`" 2>/dev/null
  for t in $(sql "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'sluice' AND TABLE_NAME LIKE '!_sluice!_%$table!_%' ESCAPE '!'" 2>/dev/null); do
    sql "DROP TABLE IF EXISTS \`$t\`" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1

load() { "$etl" "$1" --target "$url" --table "$table" --progress never; }
# In the background, sluice-etl itself (not a subshell running it) must get the signal.
load_bg() { "$etl" "$1" --target "$url" --table "$table" --progress never 2>"$2" & }
dump() { sql "SELECT * FROM \`$table\` ORDER BY id" | md5sum; }
work_tables() {
  sql "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'sluice' AND
       (TABLE_NAME LIKE '!_sluice!_staging!_${table//_/!_}!_%' ESCAPE '!' OR
        TABLE_NAME LIKE '!_sluice!_old!_${table//_/!_}!_%' ESCAPE '!')"
}
ms() { echo $(($(date +%s%N) / 1000000)); }

"$etl" gen --rows 2000 --seed 1 small.xlsx 2>/dev/null || { echo "FAIL: gen"; exit 1; }
"$etl" gen --rows 100000 --seed 2 big.xlsx 2>/dev/null || { echo "FAIL: gen"; exit 1; }
load small.xlsx 2>/dev/null || { echo "FAIL: initial load"; exit 1; }
want=$(dump)
sql "SELECT * FROM \`$table\` ORDER BY id" >"$work/want.txt"
start=$(ms)
load big.xlsx 2>/dev/null || { echo "FAIL: a full load"; exit 1; }
full_ms=$(($(ms) - start))
load small.xlsx 2>/dev/null

failures=0
check_round() {  # $1: what was done
  local count
  count=$(sql "SELECT COUNT(*) FROM \`$table\`")
  if [[ $(dump) != "$want" ]]; then
    # A run that finished before the kill replaced the table legitimately: it must then be whole.
    if [[ $count == 100000 ]]; then
      load small.xlsx 2>/dev/null
      return 1
    fi
    echo "FAIL: $1: the table changed ($count rows; first differences below)"
    diff <(sql "SELECT * FROM \`$table\` ORDER BY id") "$work/want.txt" | head -n 6
    failures=$((failures + 1))
  fi
  return 0
}

# kill -9 of the process
killed=0
for ((i = 1; i <= rounds; i++)); do
  delay=$((RANDOM % (full_ms > 20 ? full_ms : 20)))
  load_bg big.xlsx /dev/null
  pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
  wait "$pid" 2>/dev/null
  check_round "kill -9 after $delay ms (round $i)"
done

# KILL of the server connection from a second session
conn_killed=0
for ((i = 1; i <= rounds; i++)); do
  delay=$((RANDOM % (full_ms > 20 ? full_ms : 20)))
  load_bg big.xlsx "$work/err"
  pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  id=$(sql "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'sluice' AND INFO LIKE '%$table%' LIMIT 1")
  [[ -n $id ]] && sql "KILL $id" 2>/dev/null
  wait "$pid"
  rc=$?
  if [[ -n $id ]] && check_round "KILL of the connection after $delay ms (round $i)"; then
    if ((rc == 0)); then
      : # the statement had already returned: KILL hit an idle moment, the run completed normally
    else
      conn_killed=$((conn_killed + 1))
      if ! grep -q "sluice:\*\*\*@" "$work/err" || grep -q "s3cr" "$work/err"; then
        echo "FAIL: round $i: unclear error or password shown: $(cat "$work/err")"
        failures=$((failures + 1))
      fi
    fi
  elif [[ -z $id ]]; then
    check_round "no load to KILL after $delay ms (round $i)"
  fi
done

load small.xlsx 2>"$work/err" || { echo "FAIL: the run after the kills: $(cat "$work/err")"; failures=$((failures + 1)); }
[[ $(dump) == "$want" ]] || { echo "FAIL: the run after the kills loaded something else"; failures=$((failures + 1)); }
left=$(work_tables)
[[ $left == 0 ]] || { echo "FAIL: $left staging/old tables survived the next run"; failures=$((failures + 1)); }
echo "mysql_faults_test: full load ${full_ms} ms; $rounds rounds each: $killed killed by kill -9," \
  "$conn_killed failed by KILL of the connection; $failures failures"
[[ $failures == 0 ]]
