#!/usr/bin/python3
"""End-to-end, over raw sockets: every part of the request head and of the chunked framing is bounded. An
endless chunk extension is refused after a bounded number of bytes with RSS flat, chunk extensions over
all chunks are capped, too many header fields get 431, a too-long target 414, a too-large head 413, and
trailer fields never reach the application."""
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from raw_http import connect, error_code, exchange, parse_responses, read_until_close, vm_rss_kib  # noqa: E402
from serve_support import Server, check, model_repo  # noqa: E402

server = Server(model_repo(["tiny"]), "--public-health", "--no-access-log")
port = server.port
pid = server.proc.pid
CHUNKED_POST = b"POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"

# --- one endless chunk extension: the attack that took +1 GB RSS ------------------------------------------
status, _, _ = server.request("GET", "/healthz")
rss_before = vm_rss_kib(pid)
ATTACK_BYTES = 400 * 1024 * 1024
s = connect(port, timeout=30)
s.sendall(CHUNKED_POST + b"\r\n1;ext=")
sent = 0
peak = rss_before
filler = b"a" * (1024 * 1024)
t0 = time.time()
stop = threading.Event()


def watch_rss():
    global peak
    while not stop.is_set():
        peak = max(peak, vm_rss_kib(pid))
        time.sleep(0.02)


watcher = threading.Thread(target=watch_rss)
watcher.start()
try:
    while sent < ATTACK_BYTES:
        s.sendall(filler)
        sent += len(filler)
except OSError:
    pass
elapsed = time.time() - t0
data, _ = read_until_close(s, 3)
s.close()
stop.set()
watcher.join()
rss_after = vm_rss_kib(pid)
print(f"chunk-extension attack: sent {sent / 2**20:.1f} MiB of a {ATTACK_BYTES / 2**20:.0f} MiB extension in "
      f"{elapsed:.2f} s; VmRSS before {rss_before} KiB, peak {peak} KiB, after {rss_after} KiB")
check(sent < ATTACK_BYTES, "the server stopped reading an endless chunk extension (refused at %.1f MiB)" %
      (sent / 2**20))
check(peak - rss_before < 32 * 1024, "RSS stayed bounded during the attack (+%d KiB peak)" % (peak - rss_before))
got = [r[0] for r in parse_responses(data)]
check(got in ([400], []), f"the answer, when it arrives before the reset, is 400 ({got})")

# the same line, slowly enough that the answer is read: 400 bad_request naming the limit
responses, closed = exchange(port, CHUNKED_POST + b"\r\n1;ext=" + b"a" * 200_000, timeout=3)
check([(r[0], error_code(r[2])) for r in responses] == [(400, "bad_request")] and closed,
      "a chunk-size line longer than the read buffer: 400, closed")

# many chunks, each with an extension under the buffer but together over the 4 KiB budget
body = b"".join(b"1;e=" + b"b" * 1000 + b"\r\nx\r\n" for _ in range(10)) + b"0\r\n\r\n"
responses, closed = exchange(port, CHUNKED_POST + b"\r\n" + body, timeout=3)
check([(r[0], error_code(r[2])) for r in responses] == [(400, "bad_request")] and closed and
      b"chunk extensions exceed" in responses[0][2], "chunk extensions over all chunks are capped: 400")
small = b"1;a=b\r\nx\r\n0;c=d\r\n\r\n"
responses, _ = exchange(port, CHUNKED_POST + b"\r\n" + small, timeout=2)
check([r[0] for r in responses] == [405], "small chunk extensions are accepted (and ignored)")

# a trailer too long for the buffer
responses, closed = exchange(port, CHUNKED_POST + b"\r\n0\r\nX-T: " + b"t" * 200_000 + b"\r\n\r\n", timeout=3)
check([r[0] for r in responses] == [400] and closed, "a trailer longer than the read buffer: 400, closed")

# trailer fields never reach the application: X-Request-Id in a trailer is not echoed
responses, _ = exchange(port, CHUNKED_POST + b"X-Request-Id: fromhead1\r\n\r\n0\r\n\r\n", timeout=2)
check(responses and responses[0][1].get("x-request-id") == "fromhead1", "control: X-Request-Id is echoed")
responses, _ = exchange(port, CHUNKED_POST + b"\r\n0\r\nX-Request-Id: fromtrailer1\r\n\r\n", timeout=2)
check(responses and responses[0][1].get("x-request-id") != "fromtrailer1", "trailer fields are dropped")

# --- the head --------------------------------------------------------------------------------------------
fields = b"".join(b"X-%d: v\r\n" % i for i in range(100))
responses, closed = exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + fields + b"\r\n", timeout=3)
check([(r[0], error_code(r[2])) for r in responses] == [(431, "header_fields_too_large")] and closed,
      "101 header fields: 431, closed")
fields = b"".join(b"X-%d: v\r\n" % i for i in range(99))
responses, _ = exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + fields + b"\r\n", timeout=2)
check([r[0] for r in responses] == [200], "100 header fields are accepted")
responses, closed = exchange(port, b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", timeout=3)
check([(r[0], error_code(r[2])) for r in responses] == [(414, "uri_too_long")] and closed,
      "a 9000-byte request target: 414, closed")
responses, closed = exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX: " + b"h" * 20000 + b"\r\n\r\n",
                             timeout=3)
check([(r[0], error_code(r[2])) for r in responses] == [(413, "payload_too_large")] and closed,
      "a 20 KB head (over --max-header-bytes 16 KiB): 413, closed")
# an endless request line is cut at the head limit too, with RSS flat
rss_before = vm_rss_kib(pid)
s = connect(port)
sent = 0
try:
    s.sendall(b"GET /")
    while sent < 64 * 2**20:
        s.sendall(b"a" * 65536)
        sent += 65536
except OSError:
    pass
s.close()
check(sent < 64 * 2**20 and vm_rss_kib(pid) - rss_before < 32 * 1024,
      "an endless request line is refused after %d KiB" % (sent // 1024))

status, _, _ = server.request("GET", "/healthz")
check(status == 200 and server.proc.poll() is None, "the server is alive and answers after every attack")
check(server.stop() == 0, "exits 0 on SIGTERM")
