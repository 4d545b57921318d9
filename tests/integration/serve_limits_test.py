#!/usr/bin/python3
"""End-to-end: what keeps sluice-serve safe in production. The SSRF guard (no --allow-private-urls), API keys,
request size limits, slow-loris cut-off, and 1,000 idle keep-alive connections."""
import hashlib
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_support import SERVE, ImageServer, ImageHandler, Server, check, model_repo, raise_fd_limit  # noqa: E402

raise_fd_limit()
images = ImageServer()
repo = model_repo(["tiny"])

# --- SSRF guard ----------------------------------------------------------------------------------------
# Settings come from flags or, as in a container, from SLUICE_* variables.
server = Server(repo, "--header-timeout", "1000", "--max-header-bytes", "4096",
                env={"SLUICE_MAX_BODY_BYTES": "100000", "SLUICE_ALLOW_DESTINATIONS": "127.0.0.3"})
p = images.port
forbidden = [f"http://127.0.0.1:{p}/photo.jpg", f"http://[::1]:{p}/photo.jpg", "http://10.0.0.1/x.jpg",
             "http://169.254.169.254/latest/meta-data/", f"http://0.0.0.0:{p}/photo.jpg",
             f"http://localhost:{p}/photo.jpg", f"http://[::ffff:127.0.0.1]:{p}/photo.jpg",
             "http://192.168.1.1/x.jpg", "http://[fd00::1]/x.jpg", "http://[fe80::1]/x.jpg",
             f"http://2130706433:{p}/photo.jpg", f"http://0x7f.1:{p}/photo.jpg"]
hits_before = ImageHandler.hits
for url in forbidden:
    t0 = time.time()
    status, _, doc = server.json("POST", "/v1/classify", {"image_url": url})
    check(status == 403 and doc["error"]["code"] == "forbidden_destination" and time.time() - t0 < 5,
          f"403 for {url}: {doc['error']['message']}")
check(ImageHandler.hits == hits_before, "no forbidden request reached the loopback image server")
status, _, doc = server.json("POST", "/", {"image_url": forbidden[0]})
check(status == 403, "the compatible endpoint is guarded too")

# A destination allowed by --allow-destination (an operator's internal image host) that redirects inside.
images_on_3 = ImageServer(host="127.0.0.3")
status, _, doc = server.json("POST", "/v1/classify", {"image_url": images_on_3.url("photo.jpg", host="127.0.0.3")})
check(status == 200, "--allow-destination lets an explicitly allowed address through")
hits_before = ImageHandler.hits
redirect = images_on_3.url("redirect?to=" + f"http://127.0.0.1:{p}/photo.jpg", host="127.0.0.3")
status, _, doc = server.json("POST", "/v1/classify", {"image_url": redirect})
check(status == 403 and ImageHandler.hits == hits_before + 1, "a redirect to a private address is refused: " +
      doc["error"]["message"])

# --- limits --------------------------------------------------------------------------------------------
status, _, doc = server.json("POST", "/v1/classify", b"\xff" * 200000, {"Content-Type": "image/jpeg"})
check(status == 413 and doc["error"]["code"] == "payload_too_large", "body over SLUICE_MAX_BODY_BYTES: 413")
status, _, doc = server.json("GET", "/healthz", headers={"X-Big": "a" * 8000})
check(status == 413, "request head over --max-header-bytes: 413")

# slow loris: a request head trickling in is cut off after --header-timeout
s = socket.create_connection(("127.0.0.1", server.port))
t0 = time.time()
s.sendall(b"GET /healthz HTTP/1.1\r\n")
closed = False
for _ in range(40):
    try:
        s.sendall(b"X-a: b\r\n")
    except OSError:
        closed = True
        break
    s.settimeout(0.1)
    try:
        data = s.recv(4096)
        if data == b"" or b"408" in data:
            closed = True
            break
    except socket.timeout:
        pass
check(closed and time.time() - t0 < 3.5, "a slow-loris client is cut off after --header-timeout (%.1f s)" % (time.time() - t0))
s.close()

# 1,000 idle keep-alive connections, and the server still answers at once
idle = []
for i in range(1000):
    c = socket.create_connection(("127.0.0.1", server.port))
    if i % 2 == 0:  # half of them have been used once and are now idle keep-alive connections
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    idle.append(c)
for c in idle[::2]:
    c.settimeout(10)
    check_data = c.recv(4096)
    if not check_data.startswith(b"HTTP/1.1 200"):
        check(False, "an idle connection's first request was answered")
t0 = time.time()
status, _, doc = server.json("POST", "/v1/classify", {"image_url": images_on_3.url("photo.jpg", host="127.0.0.3")})
check(status == 200, "with 1,000 idle connections open, a classification is answered (%.0f ms)" % ((time.time() - t0) * 1000))
status, _, body = server.request("GET", "/metrics")
open_line = [l for l in body.decode().splitlines() if l.startswith("sluice_http_open_connections")]
check(open_line and float(open_line[0].split()[-1]) >= 1000, "metrics count the open connections: " + open_line[0])
for c in idle:
    c.close()
check(server.stop() == 0, "exit code 0 after SIGTERM with connections open")

# --- API keys ------------------------------------------------------------------------------------------
key = "s3cret-key-for-tests"
digest = hashlib.sha256(key.encode()).hexdigest()
keys_file = os.path.join(repo, "..", "keys-%d.txt" % os.getpid())
with open(keys_file, "w") as f:
    f.write("# API keys for the test\n\n" + digest + "\n")
server = Server(repo, "--api-keys-file", keys_file, "--public-health")
photo = images_on_3.url("photo.jpg", host="127.0.0.3")
status, hdrs, doc = server.json("POST", "/v1/classify", {"image_url": photo})
check(status == 401 and hdrs.get("WWW-Authenticate") == "Bearer", "no key: 401 with WWW-Authenticate")
status, _, doc = server.json("POST", "/v1/classify", {"image_url": photo}, {"Authorization": "Bearer wrong"})
check(status == 401 and doc["error"]["code"] == "unauthenticated", "wrong key: 401")
status, _, doc = server.json("POST", "/", {"image_url": photo}, {"Authorization": "Bearer " + key})
check(status == 403, "right key: the request goes on (and meets the SSRF guard: 403 for loopback)")
status, _, doc = server.json("GET", "/v1/models", headers={"Authorization": "bearer " + key})
check(status == 200, "the Bearer scheme is case-insensitive")
status, _, doc = server.json("GET", "/healthz")
check(status == 200, "--public-health leaves /healthz open")
status, _, _ = server.request("GET", "/metrics")
check(status == 200, "--public-health leaves /metrics open")
server.stop()
server = Server(repo, "--api-keys", digest, env={"SLUICE_API_KEYS": ""})
status, _, _ = server.request("GET", "/healthz")
check(status == 401, "without --public-health, /healthz needs a key too")
status, _, _ = server.request("GET", "/healthz", headers={"Authorization": "Bearer " + key})
check(status == 200, "keys given by --api-keys work")
server.stop()

# Started on a non-loopback address without keys, the server refuses to start.
proc = subprocess.run([SERVE, "--address", "0.0.0.0", "--port", "0", "--models", repo], capture_output=True, text=True,
                      timeout=120)
check(proc.returncode == 2 and "--insecure-no-auth" in proc.stderr, "0.0.0.0 without keys: refuses to start, exit 2")
proc = subprocess.run([SERVE, "--port", "0", "--models", repo, "--api-keys-file", "/nonexistent/keys"],
                      capture_output=True, text=True, timeout=120)
check(proc.returncode == 2 and "/nonexistent/keys" in proc.stderr, "a missing keys file is named, exit 2")
os.remove(keys_file)
print("serve_limits_test: all checks passed")
