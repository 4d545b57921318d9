#!/usr/bin/python3
"""End-to-end, over raw sockets: a request head or body that does not arrive in time gets the documented
408 request_timeout (then the connection closes), not a silent close; and a second SIGTERM during the drain
forces an immediate exit (code 143) while a first one waits for the connection still reading."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from raw_http import connect, error_code, parse_responses, read_until_close  # noqa: E402
from serve_support import Server, check, model_repo  # noqa: E402

server = Server(model_repo(["tiny"]), "--public-health", "--header-timeout", "800", "--body-timeout", "800")


def answer_after(raw, wait=5):
    s = connect(server.port)
    t0 = time.time()
    s.sendall(raw)
    data, closed = read_until_close(s, wait)
    s.close()
    return [(r[0], error_code(r[2])) for r in parse_responses(data)], closed, time.time() - t0


# a body shorter than its Content-Length
got, closed, took = answer_after(b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: 100\r\n\r\n{\"image_url\":")
check(got == [(408, "request_timeout")] and closed and took < 4,
      f"a body shorter than its Content-Length: 408 after --body-timeout, then closed ({got}, {took:.1f} s)")
# a chunked body that stops
got, closed, took = answer_after(b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 b"5\r\nabc")
check(got == [(408, "request_timeout")] and closed, f"a chunked body that stops: 408 ({got})")
# a head that stops
got, closed, took = answer_after(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
check(got == [(408, "request_timeout")] and closed and took < 4, f"an unfinished head: 408, closed ({got})")
# the connection is idle, not late, between requests: no 408 for a keep-alive connection with nothing sent
s = connect(server.port)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
time.sleep(1.5)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
data, _ = read_until_close(s, 1.5)
s.close()
check([r[0] for r in parse_responses(data)] == [200, 200], "an idle keep-alive connection is not timed out by"
      " --header-timeout")

# --- SIGTERM: the first drains, a second forces -----------------------------------------------------------
slow = Server(model_repo(["tiny"]), "--public-health", "--body-timeout", "20000", "--drain-timeout", "20000")
s = connect(slow.port)
s.sendall(b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")  # still reading: in flight
time.sleep(0.3)
slow.proc.send_signal(signal.SIGTERM)
time.sleep(1.0)
check(slow.proc.poll() is None, "after a first SIGTERM the server waits for the request still arriving")
t0 = time.time()
slow.proc.send_signal(signal.SIGTERM)
try:
    code = slow.proc.wait(5)
except Exception:
    slow.proc.kill()
    code = None
check(code == 143 and time.time() - t0 < 3, f"a second SIGTERM during the drain exits at once with 143 ({code})")
check(any("a second signal while draining" in line for line in slow.stderr_lines), "and says so in the log")
s.close()
check(server.stop() == 0, "exits 0 on SIGTERM")
