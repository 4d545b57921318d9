#!/usr/bin/python3
"""End-to-end, over raw sockets: RFC 9112 §6 message framing. A request whose body length a proxy could
read differently from us (Transfer-Encoding not ending in exactly `chunked`, Transfer-Encoding beside
Content-Length, duplicate Content-Length, no or two Host fields) is refused and its connection closed, so
a request hidden in its body (request smuggling) is never answered."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from raw_http import error_code, exchange  # noqa: E402
from serve_support import Server, check, model_repo  # noqa: E402

server = Server(model_repo(["tiny"]), "--public-health")
port = server.port

# The smuggled request: if the server took the first request to have no body, or read its body with the
# other framing, these bytes would be parsed and answered as a second request.
SMUGGLED = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
CHUNKED_BODY = b"5\r\nhello\r\n0\r\n\r\n"


def post(headers, body):
    return (b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + headers +
            b"\r\n" + body)


# A control that proves the test would see a second answer: valid chunked framing, then a pipelined GET.
responses, _ = exchange(port, b"POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                        CHUNKED_BODY + SMUGGLED, timeout=2)
check([r[0] for r in responses] == [405, 200],
      "control: a valid chunked request and a pipelined GET get two answers (%s)" % [r[0] for r in responses])
responses, _ = exchange(port, b"POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ChUnKeD\r\n\r\n" +
                        CHUNKED_BODY + SMUGGLED, timeout=2)
check([r[0] for r in responses] == [405, 200], "the coding name is case-insensitive")

cases = [
    # (what, header lines, body, status, code)
    ("Transfer-Encoding: gzip", b"Transfer-Encoding: gzip\r\n", SMUGGLED, 400, "bad_request"),
    ("Transfer-Encoding: identity", b"Transfer-Encoding: identity\r\n", SMUGGLED, 400, "bad_request"),
    ("Transfer-Encoding: chunked, identity", b"Transfer-Encoding: chunked, identity\r\n", CHUNKED_BODY + SMUGGLED,
     400, "bad_request"),
    ("Transfer-Encoding: xchunked", b"Transfer-Encoding: xchunked\r\n", SMUGGLED, 400, "bad_request"),
    ("Transfer-Encoding: chunked;x=1", b"Transfer-Encoding: chunked;x=1\r\n", CHUNKED_BODY + SMUGGLED, 400,
     "bad_request"),
    ("Transfer-Encoding: (empty)", b"Transfer-Encoding: \r\n", SMUGGLED, 400, "bad_request"),
    ("chunked, then a second field identity", b"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
     CHUNKED_BODY + SMUGGLED, 400, "bad_request"),
    ("gzip field, then a chunked field", b"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
     CHUNKED_BODY + SMUGGLED, 501, "not_implemented"),
    ("Transfer-Encoding: gzip, chunked", b"Transfer-Encoding: gzip, chunked\r\n", CHUNKED_BODY + SMUGGLED, 501,
     "not_implemented"),
    ("Transfer-Encoding: chunked, chunked", b"Transfer-Encoding: chunked, chunked\r\n", CHUNKED_BODY + SMUGGLED,
     400, "bad_request"),
    ("Content-Length then Transfer-Encoding", b"Content-Length: 15\r\nTransfer-Encoding: chunked\r\n",
     CHUNKED_BODY + SMUGGLED, 400, "bad_request"),
    ("Transfer-Encoding then Content-Length", b"Transfer-Encoding: chunked\r\nContent-Length: 15\r\n",
     CHUNKED_BODY + SMUGGLED, 400, "bad_request"),
    ("Transfer-Encoding gzip then Content-Length", b"Transfer-Encoding: gzip\r\nContent-Length: 0\r\n",
     SMUGGLED, 400, "bad_request"),
    ("Content-Length: 2, 2", b"Content-Length: 2, 2\r\n", b"{}" + SMUGGLED, 400, "bad_request"),
    ("two Content-Length fields, equal", b"Content-Length: 2\r\nContent-Length: 2\r\n", b"{}" + SMUGGLED, 400,
     "bad_request"),
    ("two Content-Length fields, different", b"Content-Length: 2\r\nContent-Length: 0\r\n", b"{}" + SMUGGLED,
     400, "bad_request"),
    ("Content-Length: +2", b"Content-Length: +2\r\n", b"{}" + SMUGGLED, 400, "bad_request"),
    ("Content-Length: 0x2", b"Content-Length: 0x2\r\n", b"{}" + SMUGGLED, 400, "bad_request"),
    ("a space before the colon", b"Transfer-Encoding : chunked\r\n", CHUNKED_BODY + SMUGGLED, 400,
     "bad_request"),
]
for what, headers, body, status, code in cases:
    responses, closed = exchange(port, post(headers, body), timeout=3)
    got = [(r[0], error_code(r[2])) for r in responses]
    check(got == [(status, code)] and closed and responses[0][1].get("connection") == "close",
          f"{what}: one answer {status} {code}, connection closed, the smuggled request unanswered ({got})")

head_cases = [
    ("HTTP/1.0 with Transfer-Encoding",
     b"POST /v1/classify HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n" + CHUNKED_BODY + SMUGGLED, 400),
    ("HTTP/1.1 without Host", b"GET /healthz HTTP/1.1\r\n\r\n" + SMUGGLED, 400),
    ("two Host fields", b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" + SMUGGLED, 400),
    ("a bare LF line ending", b"GET /healthz HTTP/1.1\nHost: x\n\n" + SMUGGLED, 400),
    ("an unknown HTTP version", b"GET /healthz HTTP/2.7\r\nHost: x\r\n\r\n" + SMUGGLED, 400),
]
for what, raw, status in head_cases:
    responses, closed = exchange(port, raw, timeout=3)
    got = [(r[0], error_code(r[2])) for r in responses]
    check(got == [(status, "bad_request")] and closed, f"{what}: one answer {status}, connection closed ({got})")

# HTTP/1.0 without Host is still fine.
responses, _ = exchange(port, b"GET /healthz HTTP/1.0\r\n\r\n", timeout=3)
check([r[0] for r in responses] == [200], "HTTP/1.0 without Host is answered")

# A refused request whose (large) body is still being sent gets its answer, not a connection reset.
import socket  # noqa: E402
from raw_http import connect, parse_responses, read_until_close  # noqa: E402
s = connect(port)
s.sendall(post(b"Transfer-Encoding: gzip\r\n", b""))
try:
    for _ in range(64):
        s.sendall(b"x" * 8192)
except OSError:
    pass
data, closed = read_until_close(s, 5)
s.close()
got = [r[0] for r in parse_responses(data)]
check(got == [400], f"a refused request still sending its body reads its 400 ({got})")

status, _, _ = server.request("GET", "/healthz")
check(status == 200 and server.proc.poll() is None, "the server is alive and answers after every attack")
check(server.stop() == 0, "exits 0 on SIGTERM")
