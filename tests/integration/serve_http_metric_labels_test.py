#!/usr/bin/python3
"""End-to-end: Prometheus label values come from closed sets. 2,000 made-up methods (some long) and 2,000
made-up paths leave GET /metrics about the size it was: unknown methods count as method="other", unknown
paths as route="other", and no label holds client text."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from raw_http import connect, parse_responses, read_until_close  # noqa: E402
from serve_support import Server, check, model_repo  # noqa: E402

server = Server(model_repo(["tiny"]), "--public-health", "--no-access-log")


def metrics():
    status, _, body = server.request("GET", "/metrics")
    return body.decode()


def pipelined(requests):
    """Sends requests on one keep-alive connection; returns the statuses answered."""
    s = connect(server.port)
    s.sendall(b"".join(requests) + b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data, _ = read_until_close(s, 30)
    s.close()
    return [r[0] for r in parse_responses(data)]


for _ in range(3):  # every route/method/status this test will produce, once, so the baseline has them
    pipelined([b"FOO /healthz HTTP/1.1\r\nHost: x\r\n\r\n", b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"])
metrics()  # GET /metrics is itself counted, after its answer
before = metrics()
statuses = []
for batch in range(20):
    reqs = []
    for i in range(100):
        n = batch * 100 + i
        method = b"M%dX" % n if n % 10 else b"LONG" + b"Q" * 4000 + b"%d" % n
        reqs.append(method + b" /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        reqs.append(b"GET /made/up/%d?q=%d HTTP/1.1\r\nHost: x\r\n\r\n" % (n, n))
    statuses += pipelined(reqs)
after = metrics()
check(len(statuses) == 20 * 201, f"every made-up request was answered ({len(statuses)})")
check(set(statuses) <= {405, 404, 200}, f"unknown methods 405, unknown paths 404 ({sorted(set(statuses))})")
print(f"/metrics: {len(before)} bytes before, {len(after)} bytes after 2,000 made-up methods and paths")
check(len(after) < len(before) + 512, "/metrics did not grow with client-chosen methods or paths")
check('method="other"' in after and 'route="other"' in after, "they are counted as method/route \"other\"")
check("M17X" not in after and "made/up" not in after and "QQQQ" not in after, "no label holds client text")
check(server.stop() == 0, "exits 0 on SIGTERM")
