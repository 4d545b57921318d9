#!/usr/bin/python3
"""End-to-end: at its file-descriptor limit sluice-serve backs off instead of spinning. Started under a low
RLIMIT_NOFILE (soft = hard, so it cannot raise it), flooded with connections beyond it: it uses little CPU
(a resource check: utime+stime over 2 s of wall time), still answers on a keep-alive connection it already
had, logs the shortage once, counts it in sluice_accept_errors_total{reason="fd_limit"}, and accepts again
once the flood is closed."""
import os
import re
import socket
import stat
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_support  # noqa: E402
from raw_http import connect, cpu_seconds, parse_responses  # noqa: E402
from serve_support import Server, check, model_repo, raise_fd_limit  # noqa: E402

raise_fd_limit()
LIMIT = 128
wrapper = os.path.join(tempfile.mkdtemp(prefix="sluice-fd-"), "serve-low-nofile")
with open(wrapper, "w") as f:
    f.write(f'#!/bin/sh\nexec prlimit --nofile={LIMIT}:{LIMIT} -- "{serve_support.SERVE}" "$@"\n')
os.chmod(wrapper, stat.S_IRWXU)
serve_support.SERVE = wrapper
server = Server(model_repo(["tiny"]), "--public-health", "--no-access-log")
pid = server.proc.pid
open_fds = len(os.listdir(f"/proc/{pid}/fd"))
print(f"sluice-serve holds {open_fds} descriptors at rest under a limit of {LIMIT}")


def get_on(sock, path):
    sock.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    sock.settimeout(5)
    data = b""
    while not parse_responses(data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return parse_responses(data)


keeper = connect(server.port)
check([r[0] for r in get_on(keeper, b"/healthz")] == [200], "a keep-alive connection answers before the flood")

hogs = []
for _ in range(LIMIT + 40):  # the kernel completes the handshakes the server can no longer accept
    try:
        hogs.append(socket.create_connection(("127.0.0.1", server.port), timeout=2))
    except OSError:
        break
time.sleep(0.5)
check(len(os.listdir(f"/proc/{pid}/fd")) >= LIMIT - 2, "the server reached its descriptor limit")

cpu0, t0 = cpu_seconds(pid), time.time()
time.sleep(2.0)
cpu, wall = cpu_seconds(pid) - cpu0, time.time() - t0
print(f"CPU while at the fd limit: {cpu:.3f} s over {wall:.2f} s of wall time")
check(cpu < 0.5, "the accept loop backs off at the fd limit (%.3f s CPU in %.1f s)" % (cpu, wall))
check([r[0] for r in get_on(keeper, b"/healthz")] == [200], "the existing keep-alive connection still answers")
body = get_on(keeper, b"/metrics")[0][2].decode()
m = re.search(r'sluice_accept_errors_total\{reason="fd_limit"\} (\S+)', body)
check(m and float(m.group(1)) > 0, "sluice_accept_errors_total{reason=\"fd_limit\"} counts it (%s)" %
      (m.group(1) if m else None))
cpu0 = cpu_seconds(pid)
time.sleep(1.0)
check(cpu_seconds(pid) - cpu0 < 0.25, "still idle a second later")

for h in hogs:
    h.close()
deadline = time.time() + 10
answered = False
while time.time() < deadline and not answered:
    try:
        s = connect(server.port, timeout=2)
        answered = [r[0] for r in get_on(s, b"/healthz")] == [200]
        s.close()
    except OSError:
        time.sleep(0.2)
check(answered, "after the flood closes, a new connection is accepted and answered")
keeper.close()
check(server.stop() == 0, "exits 0 on SIGTERM")
warnings = [line for line in server.stderr_lines if "cannot accept connections" in line]
check(len(warnings) == 1, f"the shortage is logged once ({len(warnings)} lines)")
check(any("accepting connections again" in line for line in server.stderr_lines), "and the recovery once")
