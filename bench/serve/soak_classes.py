#!/usr/bin/python3
"""Bounded soak of sluice-serve (issue 11, item 4): a clean phase of good classifications, then a mixed phase of
good classifications interleaved with the hostile request classes of issue 11, at one concurrency, on loopback.
Prints one line per window (RSS, fds, good requests and errors, bad requests by status class, p99 of the good
ones), then a summary with PASS/FAIL against the goals; exits 1 on FAIL. Standard library only, raw sockets.

  soak_classes.py --serve BIN --models REPO [--duration 600] [--clean 30] [--concurrency 32] [--window 30]
"""
import argparse
import base64
import http.client
import http.server
import json
import os
import random
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib


def png(width, height, fill):
    """An 8-bit grayscale PNG; rows are filter 0 + `fill` bytes, so a 40 MP one compresses to a few dozen KB."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    comp = zlib.compressobj(9)
    row = b"\0" + fill * width
    raw = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def digit_png():
    """A 28x28 light-on-dark '1'-ish stroke: a small, valid image the digits model classifies."""
    rows = []
    for y in range(28):
        rows.append(b"\0" + bytes(255 if 12 <= x <= 15 and 4 <= y <= 23 else 0 for x in range(28)))
    raw = zlib.compress(b"".join(rows))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def huge_tile_tiff():
    """A 64x64 little-endian TIFF whose single tile claims 65536x65536 pixels: a few hundred bytes."""
    entries = [(256, 4, 1, 64), (257, 4, 1, 64), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
               (277, 3, 1, 1), (322, 4, 1, 65536), (323, 4, 1, 65536), (324, 4, 1, 200), (325, 4, 1, 64)]
    ifd = struct.pack("<H", len(entries))
    for tag, typ, count, value in entries:
        ifd += struct.pack("<HHI", tag, typ, count) + (struct.pack("<HH", value, 0) if typ == 3
                                                        else struct.pack("<I", value))
    ifd += b"\0\0\0\0"
    data = b"II*\0" + struct.pack("<I", 8) + ifd
    return data + b"\0" * (264 - len(data))


GOOD_PNG = digit_png()
BIG_PNG = png(8000, 5000, b"\x80")  # 40 megapixels
TIFF = huge_tile_tiff()


class ImageHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(GOOD_PNG)))
        self.end_headers()
        self.wfile.write(GOOD_PNG)


def read_status(sock, timeout=30):
    """The status code of the first answer on `sock`, or None if it closed or timed out without one."""
    sock.settimeout(timeout)
    buf = b""
    try:
        while b"\r\n" not in buf:
            data = sock.recv(65536)
            if not data:
                break
            buf += data
    except OSError:
        pass
    try:
        return int(buf.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def raw(port, payload, timeout=30):
    """Sends `payload` (bytes, or a list of parts) on a fresh connection and returns the answer's status."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            for part in payload if isinstance(payload, list) else [payload]:
                s.sendall(part)
        except OSError:
            pass  # the server may refuse and close before it has read everything: its answer still counts
        return read_status(s, timeout)


def post(path, body, ctype="application/json", extra=""):
    return (f"POST {path} HTTP/1.1\r\nHost: soak\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
            f"{extra}\r\n").encode() + body


class Soak:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.phase = "clean"
        self.stop = threading.Event()
        self.reset_window()
        self.clean_lat = []
        self.mixed_lat = []
        self.totals = {"good": 0, "good_err": 0}
        self.bad_totals = {}

    def reset_window(self):
        self.win_lat, self.win_good, self.win_err, self.win_bad = [], 0, 0, {}

    # --- the server ---------------------------------------------------------------------------------------
    def start(self):
        self.img = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ImageHandler)
        self.img.daemon_threads = True
        threading.Thread(target=self.img.serve_forever, daemon=True).start()
        self.image_url = f"http://127.0.0.1:{self.img.server_address[1]}/digit.png"
        self.log = tempfile.NamedTemporaryFile(prefix="sluice-soak-", suffix=".log", delete=False)
        cmd = [self.args.serve, "--address", "127.0.0.1", "--port", "0", "--models", self.args.models,
               "--allow-private-urls", "--no-access-log", *self.args.server_arg]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 120
        self.port = None
        while time.time() < deadline and self.port is None:
            line = self.proc.stderr.readline()
            if not line:
                break
            if "listening on" in line:
                self.port = int(json.loads(line)["message"].rsplit(":", 1)[1])
        if self.port is None:
            sys.exit("soak: sluice-serve did not start (log: %s)" % self.log.name)
        threading.Thread(target=lambda: [None for _ in self.proc.stderr], daemon=True).start()

    def rss_kb(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def fds(self):
        try:
            return len(os.listdir(f"/proc/{self.proc.pid}/fd"))
        except OSError:
            return 0

    # --- good traffic -------------------------------------------------------------------------------------
    def good(self, conn, i):
        """One good request on the keep-alive connection `conn` (a list holding it); alternates the shapes."""
        if i % 2:
            path, body, headers = "/v1/classify?top_k=3", GOOD_PNG, {"Content-Type": "image/png"}
        else:
            path = "/"
            body = json.dumps({"image_url": self.image_url, "prediction_count": 5})
            headers = {"Content-Type": "application/json"}
        t0 = time.monotonic()
        ok = False
        try:
            if conn[0] is None:
                conn[0] = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            conn[0].request("POST", path, body=body, headers=headers)
            res = conn[0].getresponse()
            res.read()
            ok = 200 <= res.status < 300
            if res.getheader("Connection", "").lower() == "close":
                conn[0].close()
                conn[0] = None
        except (OSError, http.client.HTTPException):
            if conn[0] is not None:
                conn[0].close()
            conn[0] = None
        dt = time.monotonic() - t0
        with self.lock:
            self.win_good += 1
            self.totals["good"] += 1
            if not ok:
                self.win_err += 1
                self.totals["good_err"] += 1
            self.win_lat.append(dt)
            (self.clean_lat if self.phase == "clean" else self.mixed_lat).append(dt)

    # --- bad traffic --------------------------------------------------------------------------------------
    def bad_requests(self):
        p = self.port
        url = self.image_url
        b64 = base64.b64encode(GOOD_PNG).decode()
        deep = b'{"image_url": "' + url.encode() + b'", "prediction_count": ' + b"[" * 100000 + b"]" * 100000 + b"}"
        return [
            ("deep_json", lambda: raw(p, post("/", deep))),
            ("nul_json", lambda: raw(p, post("/", b'{"image_url": "http://127.0.0.1/a\x00b.png"}'))),
            ("url_u0000", lambda: raw(p, post("/", json.dumps({"image_url": url.replace("/digit", "\\u0000.x/digit")})
                                               .replace("\\\\u0000", "\\u0000").encode()))),
            ("model_1mb", lambda: raw(p, post("/v1/classify", json.dumps(
                {"image_base64": b64, "model": "m" * (1 << 20)}).encode()))),
            ("te_gzip", lambda: raw(p, b"POST /v1/classify HTTP/1.1\r\nHost: soak\r\nContent-Type: image/png\r\n"
                                    b"Transfer-Encoding: gzip\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")),
            ("te_chunked_identity", lambda: raw(p, b"POST /v1/classify HTTP/1.1\r\nHost: soak\r\n"
                                                b"Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n")),
            ("cl_and_te", lambda: raw(p, b"POST / HTTP/1.1\r\nHost: soak\r\nContent-Type: application/json\r\n"
                                      b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                                      b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")),
            ("chunk_ext_8mb", lambda: raw(p, [b"POST /v1/classify HTTP/1.1\r\nHost: soak\r\nContent-Type: image/png\r\n"
                                              b"Transfer-Encoding: chunked\r\n\r\n4;x="] +
                                          [b"a" * 65536] * 128 + [b"\r\nabcd\r\n0\r\n\r\n"])),
            ("short_body", self.short_body),
            ("made_up_method", lambda: raw(p, f"FROB{random.randrange(1 << 30)} /v1/classify HTTP/1.1\r\n"
                                           f"Host: soak\r\n\r\n".encode())),
            ("png_40mp", lambda: raw(p, post("/v1/classify", BIG_PNG, "image/png"), 60)),
            ("tiff_huge_tile", lambda: raw(p, post("/v1/classify", TIFF, "image/tiff"))),
        ]

    def short_body(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            s.sendall(b"POST /v1/classify HTTP/1.1\r\nHost: soak\r\nContent-Type: image/png\r\n"
                      b"Content-Length: 100000\r\n\r\n" + GOOD_PNG)
            return read_status(s, 1.0)  # then close: the server must let go of it

    def count_bad(self, name, status):
        cls = "none" if status is None else f"{status // 100}xx"
        with self.lock:
            self.win_bad[cls] = self.win_bad.get(cls, 0) + 1
            key = (name, cls)
            self.bad_totals[key] = self.bad_totals.get(key, 0) + 1

    # --- load ---------------------------------------------------------------------------------------------
    def worker(self, wid):
        conn = [None]
        bad = self.bad_requests()
        i = wid
        while not self.stop.is_set():
            i += 1
            # In the mixed phase one request in --bad-every is hostile, cycling through the classes.
            every = self.args.bad_every
            if self.phase == "mixed" and i % every == 0:
                name, fn = bad[(i // every + wid) % len(bad)]
                try:
                    status = fn()
                except OSError:
                    status = None
                self.count_bad(name, status)
            else:
                self.good(conn, i)

    def slow_loris(self):
        """Eight connections that trickle a request head one byte a second, reopened when the server cuts them."""
        socks = []
        while not self.stop.is_set():
            if self.phase == "mixed":
                while len(socks) < 8:
                    try:
                        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: soak\r\nX-Slow: ")
                        socks.append(s)
                    except OSError:
                        break
                for s in list(socks):
                    try:
                        s.sendall(b"a")
                    except OSError:
                        s.close()
                        socks.remove(s)
                        self.count_bad("slow_loris_cut", 408)
            time.sleep(1)
        for s in socks:
            s.close()

    def idle_keepalive(self):
        """Fifty keep-alive connections that ask /healthz once and then sit idle; reopened when closed."""
        socks = []
        while not self.stop.is_set():
            if self.phase == "mixed":
                while len(socks) < 50:
                    try:
                        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: soak\r\n\r\n")
                        read_status(s, 5)
                        s.setblocking(False)
                        socks.append(s)
                    except OSError:
                        break
                for s in list(socks):
                    try:
                        if s.recv(4096) == b"":
                            raise OSError
                    except BlockingIOError:
                        pass
                    except OSError:
                        s.close()
                        socks.remove(s)
            time.sleep(2)
        for s in socks:
            s.close()

    def report(self, t0, label):
        with self.lock:
            lat, good, err, bad = sorted(self.win_lat), self.win_good, self.win_err, dict(self.win_bad)
            self.reset_window()
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1e3 if lat else float("nan")
        bads = " ".join(f"{k}={bad[k]}" for k in sorted(bad)) or "-"
        rss = self.rss_kb()
        print(f"[{label}] t={time.monotonic() - t0:6.0f}s rss={rss / 1024:.1f}MiB fds={self.fds()} good={good} "
              f"good_err={err} bad: {bads} p99_good={p99:.1f}ms", flush=True)
        return rss


def p99(values):
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * 0.99))] * 1e3 if v else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--serve", required=True)
    ap.add_argument("--models", required=True)
    ap.add_argument("--duration", type=int, default=600)
    ap.add_argument("--clean", type=int, default=30)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--window", type=int, default=30)
    ap.add_argument("--bad-every", type=int, default=32)
    ap.add_argument("--server-arg", action="append", default=[])
    args = ap.parse_args()

    soak = Soak(args)
    soak.start()
    print(f"soak: sluice-serve pid {soak.proc.pid} on 127.0.0.1:{soak.port}; concurrency {args.concurrency}; "
          f"clean {args.clean} s, mixed {args.duration} s, 1 request in {args.bad_every} hostile; "
          f"{os.cpu_count()} cores, load {os.getloadavg()}",
          flush=True)
    fd_start = soak.fds()
    threads = [threading.Thread(target=soak.worker, args=(w,), daemon=True) for w in range(args.concurrency)]
    threads += [threading.Thread(target=soak.slow_loris, daemon=True),
                threading.Thread(target=soak.idle_keepalive, daemon=True)]
    for t in threads:
        t.start()
    t0 = time.monotonic()
    time.sleep(args.clean)
    soak.report(t0, "clean")
    with soak.lock:
        soak.phase = "mixed"
    t1 = time.monotonic()
    rss_warm = rss_end = rss_peak = 0
    n = 0
    while time.monotonic() - t1 < args.duration and soak.proc.poll() is None:
        time.sleep(min(args.window, args.duration - (time.monotonic() - t1)))
        rss = soak.report(t1, "mixed")
        n += 1
        rss_peak = max(rss_peak, rss)
        if n == 1:
            rss_warm = rss  # warm-up: the first window of mixed traffic
        rss_end = rss
    soak.stop.set()
    for t in threads:
        t.join(90)
    time.sleep(2)
    alive = soak.proc.poll() is None
    fd_end = soak.fds()
    rss_after = soak.rss_kb()
    code = None
    if alive:
        soak.proc.terminate()
        try:
            code = soak.proc.wait(60)
        except subprocess.TimeoutExpired:
            soak.proc.kill()
            code = "killed after 60 s"
    else:
        code = soak.proc.returncode

    drift = (rss_end - rss_warm) / rss_warm * 100 if rss_warm else float("nan")
    p_clean, p_mixed = p99(soak.clean_lat), p99(soak.mixed_lat)
    ratio = p_mixed / p_clean if p_clean else float("nan")
    crashes = 0 if alive and code == 0 else 1
    print("\n== soak summary ==")
    print(f"RSS after warm-up {rss_warm / 1024:.1f} MiB, at the end {rss_end / 1024:.1f} MiB: drift {drift:+.1f}% "
          f"(peak {rss_peak / 1024:.1f} MiB; 2 s after the load stopped {rss_after / 1024:.1f} MiB)")
    print(f"crashes: {crashes} (alive at the end: {alive}; exit code after SIGTERM: {code})")
    print(f"fds: start {fd_start}, end {fd_end} (2 s after the load stopped)")
    print(f"good requests: {soak.totals['good']}, errors (non-2xx or no answer): {soak.totals['good_err']}")
    print(f"p99 good: clean {p_clean:.1f} ms ({len(soak.clean_lat)} requests), mixed {p_mixed:.1f} ms "
          f"({len(soak.mixed_lat)} requests): ratio {ratio:.2f}")
    print("bad requests by class and status class:")
    for (name, cls) in sorted(soak.bad_totals):
        print(f"  {name:22s} {cls}: {soak.bad_totals[(name, cls)]}")
    goals = [("RSS drift < 10% after warm-up", drift < 10), ("0 crashes", crashes == 0),
             ("p99 good within 2x of clean", ratio <= 2)]
    for name, ok in goals:
        print(f"{'PASS' if ok else 'FAIL'}: {name}")
    verdict = all(ok for _, ok in goals)
    print("soak: " + ("PASS" if verdict else "FAIL"))
    sys.exit(0 if verdict else 1)


if __name__ == "__main__":
    main()
