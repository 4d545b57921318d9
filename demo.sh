#!/usr/bin/env bash
# The tour, on a fresh Debian 12: installs what is needed, builds, generates a sample workbook of mock users,
# loads it into the embedded SQLite database through the reference pipeline and shows what was loaded; then
# starts sluice-serve on 127.0.0.1 with the repository's models (the offline digits model, plus any ImageNet
# model pulled with `sluice-serve models pull`), classifies a few images through the reference's `POST /` and
# through `POST /v1/classify`, shows the SSRF guard and the metrics, and stops the server with SIGTERM.
set -euo pipefail
cd "$(dirname "$0")"

SLUICE_SETUP_MINIMAL=1 ./scripts/setup
cmake -S . -B build -G Ninja -DBUILD_TESTING=OFF -DSLUICE_BENCH=OFF >/dev/null
ninja -C build sluice-etl sluice-serve

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

step "sluice-serve: start on 127.0.0.1 with the model repository in models/"
serve=./build/src/serve/sluice-serve
samples=demo/digits
# A loopback image server stands in for the web. Loopback addresses are refused by the SSRF guard, so this one
# address is exempted explicitly (--allow-destination); every other inside address stays forbidden.
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$samples" >"$out/images.log" 2>&1 &
images_pid=$!
$serve --models models --port 0 --allow-destination 127.0.0.1 >"$out/access.log" 2>"$out/serve.log" &
serve_pid=$!
trap 'kill $serve_pid $images_pid 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1 300); do
  port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$out/serve.log" | grep -o '[0-9]*$' || true)
  [[ -n "$port" ]] && break
  sleep 0.1
done
[[ -n "$port" ]] || { cat "$out/serve.log"; exit 1; }
images_port=""
for _ in $(seq 1 100); do
  images_port=$(grep -o 'port [0-9]*' "$out/images.log" | grep -o '[0-9]*' || true)
  [[ -n "$images_port" ]] && break
  sleep 0.1
done
cat "$out/serve.log"
api=http://127.0.0.1:$port
echo
curl -s "$api/"; echo
curl -s "$api/v1/models" | python3 -m json.tool --compact

first=digit-7.png
step "The reference's API: POST / {\"image_url\": …, \"prediction_count\": 3}"
curl -s "$api/" -H 'Content-Type: application/json' \
  -d "{\"image_url\": \"http://127.0.0.1:$images_port/$first\", \"prediction_count\": 3}"
echo

step "POST /v1/classify with each sample image as the body (the file name holds the true digit)"
for f in "$samples"/digit-*.png; do
  printf '%-12s → ' "$(basename "$f")"
  curl -s "$api/v1/classify?top_k=1" -H 'Content-Type: image/png' --data-binary "@$f"
  echo
done

step "The same image through the ONNX twin (OpenCV DNN), chosen with \"model\""
b64=$(base64 -w0 "$samples/$first")
curl -s "$api/v1/classify" -H 'Content-Type: application/json' \
  -d "{\"image_base64\": \"$b64\", \"top_k\": 2, \"model\": \"digits_onnx\"}"
echo

step "The SSRF guard: the cloud metadata address is refused, nothing is fetched"
curl -s -w ' (HTTP %{http_code})' "$api/v1/classify" -H 'Content-Type: application/json' \
  -d '{"image_url": "http://169.254.169.254/latest/meta-data/"}'
echo

step "Metrics (excerpt) and the access log"
curl -s "$api/metrics" | grep -E '^sluice_(http_requests_total|batch_size_count|classify_duration_seconds_count)' | head -8
tail -2 "$out/access.log"

step "SIGTERM: drain and exit 0"
kill -TERM $serve_pid
wait $serve_pid && echo "sluice-serve exited with code 0"
kill $images_pid 2>/dev/null || true
