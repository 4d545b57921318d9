#!/usr/bin/python3
"""End-to-end, over raw sockets: large request bodies are parsed off the HTTP event loop. Two clients post
three ~24 MB JSON bodies each (a 12-million-element top_k array, slow to parse) while a third asks /healthz
every 50 ms; /healthz must keep answering within a generous 1 s (it took ~3 s when bodies were parsed on
the event loop)."""
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_support import Server, check, model_repo  # noqa: E402


def exchange(port, request, timeout=120):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(request)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return int(data[9:12]) if data.startswith(b"HTTP/1.1 ") else None


body = b'{"image_url": "http://127.0.0.1/x.jpg", "top_k": [' + b"1," * 12_000_000 + b"1]}"
big = (f"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
health = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"

server = Server(model_repo(["tiny"]), "--no-access-log")
t0 = time.time()
status = exchange(server.port, big)
alone = time.time() - t0
check(status == 400, f"a {len(body) // (1024 * 1024)} MB body with a 12M-element top_k: 400 in {alone:.2f} s")

statuses = []
done = threading.Event()


def poster():
    for _ in range(3):
        statuses.append(exchange(server.port, big))


latencies = []


def prober():
    while not done.is_set():
        t = time.time()
        ok = exchange(server.port, health, timeout=30) == 200
        latencies.append((time.time() - t) if ok else float("inf"))
        time.sleep(0.05)


posters = [threading.Thread(target=poster) for _ in range(2)]
probe = threading.Thread(target=prober)
probe.start()
for p in posters:
    p.start()
for p in posters:
    p.join()
done.set()
probe.join()
worst = max(latencies)
print(f"/healthz during 6 big parses: {len(latencies)} probes, median "
      f"{sorted(latencies)[len(latencies) // 2] * 1000:.1f} ms, worst {worst * 1000:.1f} ms")
check(statuses == [400] * 6, "every big body was answered 400")
check(worst < 1.0, f"/healthz answered within 1 s throughout (worst {worst * 1000:.0f} ms)")
check(server.stop() == 0, "SIGTERM: exit 0")
