#!/usr/bin/env bash
# The sluice-serve benchmark (issue 4, "Benchmark"): sluice beside the Flask + PyTorch peer that mimics the
# reference, and beside the engine's own limit, measured in one run on the same models and image, printed as
# Markdown headed by the date and the machine.
#
#   bench/serve/run.sh [MODEL...]          (default: mobilenet_v2 inception_v3)
#
# For each model, in this order:
#  - the floor: $BUILD/bench/engine_floor (bench/serve/engine_floor.cpp): LoadedModel::infer alone at batch
#    1..16 with the server's inference threads, and decode + preprocess of the image alone on one thread; the
#    ceiling is 1 / (t_infer per image at the best batch + t_decode);
#  - four servers, one at a time, each warmed up at the highest concurrency, then driven by wrk over loopback at
#    each concurrency with POST / {"image_url": <loopback image server>/photo.jpg, "prediction_count": 5}:
#      sluice            sluice-serve --threads 2 (plus SLUICE_BENCH_SLUICE_ARGS)
#      flask             bench/peers/flask_reference.py on Flask's development server (threaded, as `flask run`),
#                        torch threads = cores: the reference as it ran
#      gunicorn          the same app under gunicorn, 2 sync workers, 1 torch thread each: the peer tuned
#      gunicorn-untuned  2 workers x 2 torch threads (the default): more compute threads than cores
# Each cell reports requests/s (2xx responses only), p50 and p99 latency, errors (responses >= 400 plus socket
# errors, wrk's count) and the server's CPU milliseconds per request (its whole process tree); sluice cells also
# report, from its /metrics, the mean batch size and the mean fetch / decode / queue / inference milliseconds.
# The image server (python3 -m http.server on 127.0.0.1) costs CPU on the same cores for every server alike; its
# CPU ms per request is shown too, and so is the CPU busy outside both (wrk, and anything else running on the
# machine: on a shared machine, a cell with a large figure there is not to be trusted). Everything listens on
# 127.0.0.1 only and is killed on exit.
#
# Environment:
#   SLUICE_BUILD_DIR              build tree with sluice-serve and bench/engine_floor (default ./build)
#   SLUICE_SERVE_BIN              the sluice-serve binary (default $SLUICE_BUILD_DIR/src/serve/sluice-serve)
#   SLUICE_BENCH_MODELS           a model repository (default $SLUICE_BUILD_DIR/test-models/repo, made with
#                                 tools/make_test_models.py when missing: ~2 minutes)
#   SLUICE_BENCH_IMAGES           directory holding photo.jpg (default $SLUICE_BUILD_DIR/test-images, made with
#                                 tools/make_test_images.py when missing)
#   SLUICE_BENCH_DURATION         seconds per cell (default 15); SLUICE_BENCH_WARMUP: seconds of warm-up (5)
#   SLUICE_BENCH_CONCURRENCY      default "1 4 16"
#   SLUICE_BENCH_SERVERS          default "sluice flask gunicorn gunicorn-untuned"
#   SLUICE_BENCH_SLUICE_ARGS      extra sluice-serve flags (default "--max-batch 8 --max-queue-delay-us 2000")
#   SLUICE_BENCH_THREADS          sluice's --threads and engine_floor's --threads (default 2)
#   SLUICE_BENCH_FLOOR_SECONDS    engine_floor seconds per batch size (default 3)
#   SLUICE_BENCH_QUIET_WAIT       longest wait for an idle machine before each measurement, s (default 10; 0: none)
# About 10 minutes with the defaults on an idle machine. On a shared one, other sessions' work lands in the
# "other CPU %" columns; bench/serve/RESULTS.md says how the recorded run was given precedence.
# Needs: wrk, gunicorn, curl, GNU time, /usr/bin/python3 with flask, torch, torchvision, pillow.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${SLUICE_BUILD_DIR:-./build}" && pwd)
serve_bin=${SLUICE_SERVE_BIN:-$build/src/serve/sluice-serve}
floor_bin=$build/bench/engine_floor
repo=${SLUICE_BENCH_MODELS:-$build/test-models/repo}
images=${SLUICE_BENCH_IMAGES:-$build/test-images}
duration=${SLUICE_BENCH_DURATION:-15}
warmup=${SLUICE_BENCH_WARMUP:-5}
read -ra concurrency <<<"${SLUICE_BENCH_CONCURRENCY:-1 4 16}"
read -ra servers <<<"${SLUICE_BENCH_SERVERS:-sluice flask gunicorn gunicorn-untuned}"
read -ra sluice_args <<<"${SLUICE_BENCH_SLUICE_ARGS:---max-batch 8 --max-queue-delay-us 2000}"
threads=${SLUICE_BENCH_THREADS:-2}
floor_seconds=${SLUICE_BENCH_FLOOR_SECONDS:-3}
quiet_max=${SLUICE_BENCH_QUIET_WAIT:-10}
models=("$@")
((${#models[@]})) || models=(mobilenet_v2 inception_v3)
py=/usr/bin/python3
lua=$src/bench/serve/post_reference.lua
top_c=${concurrency[-1]}
hz=$(getconf CLK_TCK)

die() { echo "bench/serve/run.sh: $*" >&2; exit 1; }
note() { echo "[$(date +%H:%M:%S)] $*" >&2; }

[[ -x $serve_bin ]] || die "no sluice-serve at '$serve_bin' (build it, or set SLUICE_BUILD_DIR / SLUICE_SERVE_BIN)"
[[ -x $floor_bin ]] || die "no engine_floor at '$floor_bin' (ninja engine_floor, with -DSLUICE_BENCH=ON)"
[[ -x /usr/bin/time ]] || die "GNU time is missing (apt package 'time')"
for tool in wrk gunicorn curl; do command -v $tool >/dev/null || die "$tool is missing"; done
if [[ ! -d $repo ]]; then
  note "making test models in $build/test-models (~2 min) ..."
  $py "$src/tools/make_test_models.py" "$build/test-models" >/dev/null
fi
if [[ ! -f $images/photo.jpg ]]; then $py "$src/tools/make_test_images.py" "$images" >/dev/null; fi
for m in "${models[@]}"; do [[ -f $repo/$m/config.json ]] || die "no model '$m' in $repo"; done

work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-serve-bench-XXXXXX")
pids=()
# Job control: every background job (each server) gets its own process group, so that one kill of the group
# ends it and its children (gunicorn's workers) together. Unlike setsid this keeps them in this session, so
# that on a shared machine with autogroup scheduling they share one CPU share with wrk and engine_floor.
set -m
stop() {
  local pid=$1 i
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${pids[@]}"; do stop "$pid"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start() { # start LOG CMD...: runs CMD in the background in its own process group; sets PID
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  PID=$!
  pids+=("$PID")
}

free_port() { $py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# cpu_ticks PID: user + system clock ticks of the process group PID leads (the server and its children,
# gunicorn's workers included).
cpu_ticks() {
  local total=0 p stat
  local -a fields
  for p in $(pgrep -g "$1"); do
    stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    read -ra fields <<<"${stat##*) }"
    total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}

busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

# quiet: before a measurement, waits (at most SLUICE_BENCH_QUIET_WAIT s) until the whole machine has used less
# than 10% of a core for 2 s in a row: the leftovers of the previous cell, or someone's build, would
# otherwise be measured too.
quiet() {
  local waited=0 calm=0 a b
  while ((calm < 2 && waited < quiet_max)); do
    a=$(busy_ticks)
    sleep 1
    b=$(busy_ticks)
    if (((b - a) * 10 < hz)); then calm=$((calm + 1)); else calm=0; fi
    waited=$((waited + 1))
  done
  ((calm >= 2 || quiet_max == 0)) || note "the machine is still busy after ${quiet_max} s; measuring anyway"
}

wait_ready() { # wait_ready URL PID LOG SECONDS
  local i
  for ((i = 0; i < $4 * 10; i++)); do
    curl -sf -o /dev/null --max-time 2 "$1" && return 0
    kill -0 "$2" 2>/dev/null || { tail -n 20 "$3" >&2; die "server exited while starting ($3)"; }
    sleep 0.1
  done
  tail -n 20 "$3" >&2
  die "server not ready after $4 s"
}

# metric_sum NAME FILE: the sum of every series of NAME (all label sets) in a Prometheus text file.
metric_sum() {
  awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $NF } END { printf "%.6f\n", s + 0 }' "$2"
}

# Image server: serves photo.jpg for every request of every cell.
img_port=$(free_port)
start "$work/images.log" "$py" -m http.server "$img_port" --bind 127.0.0.1 --directory "$images"
img_pid=$PID
wait_ready "http://127.0.0.1:$img_port/photo.jpg" "$img_pid" "$work/images.log" 10
export BENCH_IMAGE_URL="http://127.0.0.1:$img_port/photo.jpg"

# settle WRK_OUTPUT: when wrk stops, the requests it leaves in flight still run in the server; wait about as
# long as they take (the p99 wrk saw, capped at 15 s), so they do not count against the next cell.
settle() {
  local p99_us
  p99_us=$(grep -oE 'p99_us=[0-9]+' "$1" | cut -d= -f2) || true
  sleep "$(awk -v v="${p99_us:-0}" 'BEGIN { s = v / 1e6 * 1.2 + 0.5; printf "%.2f", (s > 15 ? 15 : s) }')"
}

# run_cell NAME C PORT PID: one wrk run; appends a row to $rows (and sluice's extras to $diag).
run_cell() {
  local name=$1 c=$2 port=$3 pid=$4 out=$work/wrk.out t cpu0 icpu0 cpu1 icpu1 all0 all1
  local line p50 p99 errs ok rps cpu_ms img_ms other
  t=$((c < 2 ? 1 : 2))
  quiet
  if [[ $name == sluice ]]; then curl -sf "http://127.0.0.1:$port/metrics" >"$work/m0" || true; fi
  cpu0=$(cpu_ticks "$pid")
  icpu0=$(cpu_ticks "$img_pid")
  all0=$(busy_ticks)
  wrk -t"$t" -c"$c" -d"${duration}s" --timeout 60s -s "$lua" "http://127.0.0.1:$port/" >"$out" 2>&1 ||
    { cat "$out" >&2; die "wrk failed against $name"; }
  cpu1=$(cpu_ticks "$pid")
  icpu1=$(cpu_ticks "$img_pid")
  all1=$(busy_ticks)
  line=$(grep '^bench:' "$out") || { cat "$out" >&2; die "wrk printed no summary"; }
  settle "$out"
  local requests status p50_us p99_us
  field() { grep -oE "(^| )$1=[0-9]+" <<<"$line" | cut -d= -f2; }
  requests=$(field requests) status=$(field status) p50_us=$(field p50_us) p99_us=$(field p99_us)
  errs=$(($(field connect) + $(field read) + $(field write) + status + $(field timeout)))
  ok=$((requests - status))
  rps=$(awk -v n="$ok" -v d="$(field duration_us)" 'BEGIN { printf "%.2f", n / (d / 1e6) }')
  p50=$(awk -v v="$p50_us" 'BEGIN { printf "%.0f", v / 1e3 }')
  p99=$(awk -v v="$p99_us" 'BEGIN { printf "%.0f", v / 1e3 }')
  if ((requests == 0)); then p50="none done" p99="none done"; fi
  cpu_ms=$(awk -v t=$((cpu1 - cpu0)) -v n="$requests" -v hz="$hz" 'BEGIN { printf "%.0f", n ? t / hz * 1e3 / n : 0 }')
  img_ms=$(awk -v t=$((icpu1 - icpu0)) -v n="$requests" -v hz="$hz" 'BEGIN { printf "%.1f", n ? t / hz * 1e3 / n : 0 }')
  # Busy CPU outside the server and the image server (wrk, and whatever else runs on the machine), in % of one
  # core: a large figure means the cell shared the cores with something else.
  other=$(awk -v a=$((all1 - all0 - (cpu1 - cpu0) - (icpu1 - icpu0))) -v hz="$hz" -v d="$duration" \
    'BEGIN { printf "%.0f", a / hz / d * 100 }')
  if [[ $name == sluice ]] && curl -sf "http://127.0.0.1:$port/metrics" >"$work/m1"; then
    local what parts=()
    for what in batch_size fetch_duration_seconds decode_duration_seconds queue_duration_seconds \
      inference_duration_seconds; do
      local s0 s1 n0 n1
      s0=$(metric_sum "sluice_${what}_sum" "$work/m0") s1=$(metric_sum "sluice_${what}_sum" "$work/m1")
      n0=$(metric_sum "sluice_${what}_count" "$work/m0") n1=$(metric_sum "sluice_${what}_count" "$work/m1")
      parts+=("$(awk -v a="$s0" -v b="$s1" -v x="$n0" -v y="$n1" -v w="$what" 'BEGIN {
        n = y - x; v = n > 0 ? (b - a) / n : 0; if (w != "batch_size") v *= 1e3; printf "%.1f", v }')")
    done
    diag+=("| $model | $c | ${parts[0]} | ${parts[1]} | ${parts[2]} | ${parts[3]} | ${parts[4]} | $cpu_ms |")
    if ((c == top_c)); then s_rps=$rps s_p50=$p50_us s_p99=$p99_us; fi
  fi
  [[ $name != sluice ]] || sluice_errs=$((sluice_errs + errs))
  rows+=("| $model | $name | $c | $rps | $p50 | $p99 | $errs | $cpu_ms | $img_ms | $other |")
  note "$model $name c$c: $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $errs"
}

# start_server NAME MODEL_REPO MODEL: sets PORT and PID of a ready server.
start_server() {
  local name=$1 one=$2 model=$3 log=$work/$1-$3.log
  PORT=$(free_port)
  case $name in
    sluice)
      start "$log" "$serve_bin" --address 127.0.0.1 --port "$PORT" --models "$one" --allow-private-urls \
        --threads "$threads" --no-access-log "${sluice_args[@]}" ;;
    flask)
      start "$log" "$py" "$src/bench/peers/flask_reference.py" --models "$one" --model "$model" --port "$PORT" ;;
    gunicorn | gunicorn-untuned)
      local tt=1
      [[ $name == gunicorn ]] || tt=$(nproc)
      start "$log" gunicorn -w 2 -b "127.0.0.1:$PORT" --timeout 120 --chdir "$src/bench/peers" \
        "flask_reference:make_app(models=\"$one\", model=\"$model\", torch_threads=$tt)" ;;
    *) die "unknown server '$name'" ;;
  esac
  wait_ready "http://127.0.0.1:$PORT/" "$PID" "$log" 180
  local answer
  answer=$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d "{\"image_url\": \"$BENCH_IMAGE_URL\", \"prediction_count\": 5}" "http://127.0.0.1:$PORT/") ||
    die "$name: POST / failed"
  grep -q '"predictions"' <<<"$answer" || die "$name: unexpected answer: $answer"
}

rows=() diag=() floors=() verdicts=()
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)
for model in "${models[@]}"; do
  # A repository of this model alone, so that each server loads one model and it is the default.
  one=$work/repo-$model
  mkdir -p "$one"
  ln -s "$(cd "$repo/$model" && pwd)" "$one/$model"

  note "$model: engine floor ..."
  quiet
  f_all0=$(busy_ticks) f_t0=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$work/floor.time" \
    "$floor_bin" "$one/$model" "$images/photo.jpg" --threads "$threads" --seconds "$floor_seconds" \
    >"$work/floor-$model.out" 2>&1 || { cat "$work/floor-$model.out" >&2; die "engine_floor failed"; }
  f_other=$(awk -v a=$(($(busy_ticks) - f_all0)) -v hz="$hz" -v ns=$(($(date +%s%N) - f_t0)) \
    '{ printf "%.0f", (a / hz - $1 - $2) / (ns / 1e9) * 100 }' "$work/floor.time")
  cat "$work/floor-$model.out" >&2
  value() { sed -n "s/^$1=//p" "$work/floor-$model.out"; }
  best_batch=$(value best_batch) best_ips=$(value best_batch_ips) infer_ms=$(value infer_ms_per_image)
  decode_ms=$(value decode_ms) ceiling=$(value ceiling_rps)

  s_rps=0 s_p50=0 s_p99=0 sluice_errs=0
  for name in "${servers[@]}"; do
    note "$model: starting $name ..."
    start_server "$name" "$one" "$model"
    pid=$PID
    wrk -t2 -c"$top_c" -d"${warmup}s" --timeout 60s -s "$lua" "http://127.0.0.1:$PORT/" >"$work/warmup.out" 2>&1 ||
      true
    settle "$work/warmup.out"
    for c in "${concurrency[@]}"; do run_cell "$name" "$c" "$PORT" "$pid"; done
    stop "$pid"
  done

  floors+=("| $model | $best_batch | $best_ips | $infer_ms | $decode_ms | $ceiling | $f_other |")
  if [[ " ${servers[*]} " == *" sluice "* ]]; then
    verdicts+=("$(awk -v m="$model" -v c="$top_c" -v r="$s_rps" -v ceil="$ceiling" -v p50="$s_p50" \
      -v p99="$s_p99" -v e="$sluice_errs" 'BEGIN {
        pct = ceil > 0 ? 100 * r / ceil : 0; ratio = p50 > 0 ? p99 / p50 : 0
        printf "| %s | %s | %.2f | %.2f | %.0f%% (%s) | %.2f (%s) | %d (%s) |", m, c, r, ceil,
          pct, pct >= 90 ? "met" : "missed", ratio, ratio <= 3 ? "met" : "missed", e, e == 0 ? "met" : "missed" }')")
  fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

machine=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)
echo "## sluice-serve benchmark"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $machine, $(nproc) cores; $(free -g | awk '/^Mem:/ {print $2}') GiB;" \
  "load average before $load_before, after $load_after; $(($(date +%s) - started)) s in all."
echo "wrk on loopback, ${duration} s per cell after a ${warmup} s warm-up at c$top_c; POST / with the reference's JSON," \
  "image_url = photo.jpg ($(stat -c %s "$images/photo.jpg") bytes) from a loopback python3 http.server."
echo "sluice: --threads $threads ${sluice_args[*]}; flask: dev server, torch threads = $(nproc);" \
  "gunicorn: 2 workers x 1 torch thread; gunicorn-untuned: 2 workers x $(nproc) torch threads."
echo
echo "| model | server | conc. | req/s | p50 ms | p99 ms | errors | server CPU ms/req | image server CPU ms/req" \
  "| other CPU % |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "Engine floor (engine_floor, $threads inference threads, no HTTP) and the ceiling 1 / (t_infer + t_decode):"
echo
echo "| model | best batch | images/s at best batch | t_infer ms/image | t_decode ms (1 thread) | ceiling req/s" \
  "| other CPU % |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${floors[@]}"
if ((${#verdicts[@]})); then
  echo
  echo "Targets for sluice (reported, not asserted): >= 90% of the ceiling at the top concurrency," \
    "p99 <= 3x p50 there, zero errors in all its cells:"
  echo
  echo "| model | conc. | sluice req/s | ceiling req/s | % of ceiling | p99/p50 | errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${verdicts[@]}"
  echo
  echo "sluice from its /metrics, per request (means over each cell):"
  echo
  echo "| model | conc. | batch size | fetch ms | decode ms | queue ms | inference ms (per batch) | server CPU ms/req |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${diag[@]}"
fi
