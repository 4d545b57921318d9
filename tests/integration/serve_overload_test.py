#!/usr/bin/python3
"""End-to-end: sluice-serve under more load than it can take. A full queue answers 503 + Retry-After at once
(nothing hangs), a request past --request-timeout answers 504, concurrent requests share forward passes
(dynamic batching), and SIGTERM drains: in-flight requests finish, then exit 0."""
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_support import IMAGES, ImageServer, Server, check, model_repo  # noqa: E402

images = ImageServer()
repo = model_repo(["inception_v3"])  # the slowest model: a forward pass takes long enough to pile up requests
photo = open(os.path.join(IMAGES, "photo.jpg"), "rb").read()


def fire(server, n, results, path="/v1/classify", timeout=120):
    def one(i):
        t0 = time.time()
        try:
            status, hdrs, data = server.request("POST", path, photo, {"Content-Type": "image/jpeg"}, timeout=timeout)
            results[i] = (status, hdrs, json.loads(data), time.time() - t0, time.time())
        except Exception as e:  # noqa: BLE001 - a hang or a reset is what this test looks for
            results[i] = (None, {}, {"exception": repr(e)}, time.time() - t0, time.time())
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    return threads


# --- a full queue: 503 + Retry-After, answered at once --------------------------------------------------
server = Server(repo, "--max-batch", "2", "--max-queue", "2", "--workers", "16", "--no-access-log")
results = [None] * 24
for t in fire(server, 24, results):
    t.join(180)
statuses = [r[0] for r in results]
check(None not in statuses, "all 24 concurrent requests were answered (no hang, no reset)")
overloaded = [r for r in results if r[0] == 503]
ok = [r for r in results if r[0] == 200]
check(len(overloaded) > 0 and len(ok) > 0, f"{len(ok)} answered 200 and {len(overloaded)} answered 503")
check(all(r[1].get("Retry-After") == "1" and r[2]["error"]["code"] == "overloaded" for r in overloaded),
      "every 503 carries Retry-After and the code overloaded")
slowest_ok = max(r[3] for r in ok)
check(all(r[3] < slowest_ok for r in overloaded), "503s come back before the slowest success (they do not wait)")
check(max(r[2].get("batch_size", 1) for r in ok) == 2, "concurrent requests were batched (batch of 2 seen)")
status, _, body = server.request("GET", "/metrics")
text = body.decode()
check('status="503"' in text, "503s are counted in the metrics")
check(server.stop() == 0, "exit 0")

# --- deadlines: 504 ---------------------------------------------------------------------------------------
server = Server(repo, "--max-batch", "1", "--max-queue", "64", "--request-timeout", "400", "--no-access-log",
                "--allow-private-urls")
results = [None] * 16
for t in fire(server, 16, results):
    t.join(180)
late = [r for r in results if r[0] == 504]
check(len(late) > 0 and all(r[2]["error"]["code"] == "deadline_exceeded" for r in late),
      f"{len(late)} of 16 queued requests passed --request-timeout 400 ms and answered 504")
check(all(r[3] < 5 for r in late), "a 504 comes at the deadline, not after the queue drains")
t0 = time.time()
status, _, doc = server.json("POST", "/v1/classify", {"image_url": images.url("slow")})
check(status == 504 and time.time() - t0 < 3, "a slow image server meets the request deadline: 504 " + doc["error"]["code"])
check(server.stop() == 0, "exit 0")

# --- SIGTERM drains -----------------------------------------------------------------------------------
server = Server(repo, "--max-batch", "1", "--no-access-log", "--drain-timeout", "60000")
results = [None] * 8
threads = fire(server, 8, results)
time.sleep(0.3)  # all eight are in the server now: one in the model, the others queued
term_at = time.time()
server.proc.terminate()
time.sleep(0.2)
refused = False
try:
    socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
except OSError:
    refused = True
check(refused, "after SIGTERM the server accepts no new connections")
for t in threads:
    t.join(180)
check([r[0] for r in results] == [200] * 8, "every in-flight request finished with 200 during the drain: %s" %
      [r[0] or r[2] for r in results])
finished_after = sum(1 for r in results if r[4] > term_at)
check(finished_after > 0, f"{finished_after} of them were answered after SIGTERM arrived")
check(server.proc.wait(60) == 0, "then the server exited 0")
print("serve_overload_test: all checks passed")
