#!/usr/bin/python3
"""A bounded soak of sluice-serve (issue 11): mixed good and hostile traffic at a fixed concurrency.

First a clean run (good requests only, the same concurrency) gives the reference p99; then DURATION seconds
of good classifications interleaved with the hostile classes (request smuggling shapes, an endless chunk
extension, made-up methods and paths, too many header fields, a body shorter than its Content-Length, a
slow-loris head, deep JSON, a NUL byte in JSON). Every 30 s it prints RSS, open descriptors, good requests
done, their p99 over the interval, good-request errors and hostile requests sent. The summary gives RSS drift
after warm-up, crashes, and p99 of good requests against the clean run. Loopback only."""
import argparse
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "integration"))
from raw_http import parse_responses, vm_rss_kib  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("duration", type=float, nargs="?", default=600)
p.add_argument("--concurrency", type=int, default=32)
p.add_argument("--bad-every", type=int, default=4, help="one hostile request per N requests")
p.add_argument("--clean-seconds", type=float, default=None)
p.add_argument("--interval", type=float, default=30)
p.add_argument("--serve", default=os.environ.get("SLUICE_SERVE_BIN", "build/src/serve/sluice-serve"))
p.add_argument("--models", default=os.environ.get("SLUICE_SOAK_MODELS", "build/test-models/repo"))
p.add_argument("--model", default="tiny")
p.add_argument("--image", default=os.environ.get("SLUICE_SOAK_IMAGE", "build/test-images/photo.jpg"))
p.add_argument("--skip", default=os.environ.get("SLUICE_SOAK_SKIP", ""), help="comma-separated hostile kinds")
args = p.parse_args()

image = open(args.image, "rb").read()
GOOD = (b"POST /v1/classify?model=%s HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n"
        % (args.model.encode(), len(image)) + image)
H = b"Host: x\r\n"
BAD = {
    "te_identity": b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"
                   b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "te_gzip": b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc",
    "cl_dup": b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 2, 2\r\n\r\n{}",
    "chunk_ext": b"POST /v1/classify HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n1;e=" + b"x" * 2_000_000,
    "made_up": None,  # a fresh method and path each time
    "fields": b"GET /healthz HTTP/1.1\r\n" + H + b"".join(b"X-%d: v\r\n" % i for i in range(150)) + b"\r\n",
    "short_body": b"POST /v1/classify HTTP/1.1\r\n" + H + b"Content-Type: application/json\r\nContent-Length: 90\r\n\r\n{",
    "slow_head": b"GET /healthz HTTP/1.1\r\n" + H,
    "deep_json": b"POST / HTTP/1.1\r\n" + H + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n",
    "nul_json": b"POST /v1/classify HTTP/1.1\r\n" + H + b"Content-Type: application/json\r\nContent-Length: 22\r\n\r\n"
                b"{\"image_url\":\"a\x00b\"} ",
}
deep = b'{"image_url":"http://example.com/a.png","prediction_count":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
BAD["deep_json"] = BAD["deep_json"] % len(deep) + deep
for k in filter(None, args.skip.split(",")):
    BAD.pop(k, None)
bad_kinds = sorted(BAD)

proc = subprocess.Popen([args.serve, "--port", "0", "--models", args.models, "--no-access-log", "--public-health",
                         "--body-timeout", "2000", "--header-timeout", "2000", "--max-queue", "256"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
port = None
for line in proc.stderr:
    if "listening on" in line:
        port = int(json.loads(line)["message"].rsplit(":", 1)[1])
        break
if port is None:
    sys.exit("sluice-serve did not start")
threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()

lock = threading.Lock()
stats = {"good": [], "good_errors": 0, "bad": 0, "bad_unanswered": 0}
stop = threading.Event()
mode = {"bad": False}


def read_response(sock, timeout):
    sock.settimeout(timeout)
    data = b""
    while True:
        r = parse_responses(data)
        if r:
            return r[0]
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk


def good(conn):
    t0 = time.perf_counter()
    try:
        if conn[0] is None:
            conn[0] = socket.create_connection(("127.0.0.1", port), timeout=30)
        conn[0].sendall(GOOD)
        r = read_response(conn[0], 30)
        ok = r is not None and r[0] == 200
    except OSError:
        ok = False
    ms = (time.perf_counter() - t0) * 1000
    if not ok and conn[0] is not None:
        conn[0].close()
        conn[0] = None
    with lock:
        if ok:
            stats["good"].append(ms)
        else:
            stats["good_errors"] += 1


def bad(rng):
    kind = rng.choice(bad_kinds)
    raw = BAD[kind]
    if raw is None:
        raw = b"M%dQ /made/up/%d HTTP/1.1\r\nHost: x\r\n\r\n" % (rng.randrange(10**9), rng.randrange(10**9))
    answered = False
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            try:
                s.sendall(raw)
            except OSError:
                pass
            answered = read_response(s, 5) is not None
    except OSError:
        pass
    with lock:
        stats["bad"] += 1
        stats["bad_unanswered"] += 0 if answered or kind == "chunk_ext" else 1


def worker(i):
    rng = random.Random(i)
    conn = [None]
    n = 0
    while not stop.is_set():
        n += 1
        if mode["bad"] and n % args.bad_every == 0:
            bad(rng)
        else:
            good(conn)


def p99(values):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * 0.99))]


def fds():
    try:
        return len(os.listdir(f"/proc/{proc.pid}/fd"))
    except OSError:
        return -1


threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(args.concurrency)]
clean_seconds = args.clean_seconds or max(20.0, min(60.0, args.duration / 10))
print(f"sluice-serve pid {proc.pid}, port {port}, model {args.model}, concurrency {args.concurrency}; "
      f"clean run {clean_seconds:.0f} s, then {args.duration:.0f} s with 1 hostile request in {args.bad_every} "
      f"({', '.join(bad_kinds)})", flush=True)
for t in threads:
    t.start()
time.sleep(clean_seconds)
with lock:
    clean = stats["good"]
    clean_errors = stats["good_errors"]
    stats["good"], stats["good_errors"] = [], 0
clean_p99 = p99(clean)
print(f"clean: {len(clean)} good in {clean_seconds:.0f} s ({len(clean) / clean_seconds:.0f}/s), p99 {clean_p99:.1f} ms, "
      f"errors {clean_errors}, RSS {vm_rss_kib(proc.pid) / 1024:.1f} MiB, fds {fds()}", flush=True)

mode["bad"] = True
t0 = time.time()
all_good, total_errors, total_bad, total_unanswered = [], 0, 0, 0
samples = []
print("     t_s  rss_mib  fds   good  p99_ms  good_errors  hostile  hostile_unanswered", flush=True)
while time.time() - t0 < args.duration and proc.poll() is None:
    time.sleep(min(args.interval, max(0.1, args.duration - (time.time() - t0))))
    with lock:
        window, stats["good"] = stats["good"], []
        errs, stats["good_errors"] = stats["good_errors"], 0
        nbad, stats["bad"] = stats["bad"], 0
        unans, stats["bad_unanswered"] = stats["bad_unanswered"], 0
    all_good += window
    total_errors += errs
    total_bad += nbad
    total_unanswered += unans
    rss = vm_rss_kib(proc.pid) / 1024 if proc.poll() is None else float("nan")
    samples.append(rss)
    print(f"{time.time() - t0:8.0f} {rss:8.1f} {fds():4d} {len(window):6d} {p99(window):7.1f} {errs:12d} {nbad:8d} "
          f"{unans:19d}", flush=True)
stop.set()
crashed = proc.poll() is not None
warm = samples[1] if len(samples) > 2 else samples[0]
drift = (samples[-1] - warm) / warm * 100 if samples and warm == warm else float("nan")
ratio = p99(all_good) / clean_p99 if clean else float("nan")
print(f"summary: crashes {1 if crashed else 0} (exit {proc.returncode}); RSS {warm:.1f} MiB after warm-up -> "
      f"{samples[-1]:.1f} MiB, drift {drift:+.1f}% (goal < 10%); good {len(all_good)}, p99 {p99(all_good):.1f} ms "
      f"vs clean {clean_p99:.1f} ms = {ratio:.2f}x (goal <= 2x); good-request errors {total_errors}; hostile {total_bad} "
      f"(unanswered, not counting the chunk-extension reset: {total_unanswered}); fds at the end {fds()}", flush=True)
if not crashed:
    proc.terminate()
    proc.wait(30)
ok = not crashed and drift < 10 and ratio <= 2 and total_errors == 0
sys.exit(0 if ok else 1)
