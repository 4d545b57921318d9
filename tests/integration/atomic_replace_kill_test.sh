#!/usr/bin/env bash
# kill -9 of sluice-etl at random points of a replace: the previous table must be intact every time, no
# staging table may survive, and the next run must succeed.
set -uo pipefail
etl=$(realpath "${SLUICE_ETL:?path of the built sluice-etl}")
rounds=${SLUICE_KILL_ROUNDS:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

$etl gen --rows 2000 --seed 1 small.xlsx 2>/dev/null
$etl gen --rows 200000 --seed 2 big.xlsx 2>/dev/null
$etl small.xlsx --target sqlite:///t.db --progress never 2>/dev/null || { echo "FAIL: initial load"; exit 1; }
want=$(sqlite3 t.db "SELECT * FROM data_engineering ORDER BY id" | md5sum)
# How long a full run takes, so the kills land anywhere inside it.
start=$(date +%s%N)
$etl big.xlsx --target sqlite:///probe.db --progress never 2>/dev/null
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))

failures=0
killed=0
for ((i = 1; i <= rounds; i++)); do
  delay_ms=$(( RANDOM % (full_ms > 20 ? full_ms : 20) ))
  $etl big.xlsx --target sqlite:///t.db --progress never 2>/dev/null &
  pid=$!
  sleep "$(printf '0.%03d' "$delay_ms")" 2>/dev/null || sleep 0
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null
  got=$(sqlite3 t.db "SELECT * FROM data_engineering ORDER BY id" 2>&1 | md5sum)
  count=$(sqlite3 t.db "SELECT count(*) FROM data_engineering")
  if [[ "$got" != "$want" ]]; then
    # A run that finished before the kill replaced the table legitimately: it must then be complete.
    if [[ "$count" == 200000 ]]; then
      $etl small.xlsx --target sqlite:///t.db --progress never 2>/dev/null
      continue
    fi
    echo "FAIL round $i (kill after ${delay_ms} ms): table changed, $count rows"
    failures=$((failures + 1))
  fi
done
staging=$(sqlite3 t.db "SELECT count(*) FROM sqlite_master WHERE name LIKE '%staging%'")
[[ $staging == 0 ]] || { echo "FAIL: $staging staging tables survived"; failures=$((failures + 1)); }
$etl small.xlsx --target sqlite:///t.db --progress never 2>/dev/null || { echo "FAIL: run after kills"; failures=$((failures + 1)); }
echo "atomic_replace_kill_test: $rounds rounds, $killed killed mid-run (full run ${full_ms} ms), $failures failed"
[[ $failures == 0 ]]
