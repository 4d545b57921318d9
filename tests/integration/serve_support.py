"""Shared helpers for sluice-serve's end-to-end tests: start the real server on 127.0.0.1, a loopback image
server, and talk HTTP with the standard library only."""
import http.client
import http.server
import json
import os
import resource
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

SERVE = os.environ.get("SLUICE_SERVE", "")
MODELS = os.environ.get("SLUICE_TEST_MODELS_DIR", "")
IMAGES = os.environ.get("SLUICE_TEST_IMAGES_DIR", "")


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print("ok   " + message)


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def model_repo(names):
    """A temporary repository holding only `names` from the generated test repository (symlinked)."""
    d = tempfile.mkdtemp(prefix="sluice-repo-")
    for n in names:
        os.symlink(os.path.join(MODELS, "repo", n), os.path.join(d, n))
    return d


class Server:
    """sluice-serve on 127.0.0.1 and a free port; stop() sends SIGTERM and returns the exit code."""

    def __init__(self, repo, *args, env=None, address="127.0.0.1"):
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.log = tempfile.NamedTemporaryFile(prefix="sluice-serve-", suffix=".log", delete=False)
        self.proc = subprocess.Popen([SERVE, "--address", address, "--port", "0", "--models", repo, *args],
                                     stdout=self.log, stderr=subprocess.PIPE, env=full_env, text=True)
        self.port = None
        self.stderr_lines = []
        deadline = time.time() + 120
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.stderr_lines.append(line)
            if "listening on" in line:
                self.port = int(json.loads(line)["message"].rsplit(":", 1)[1])
                break
        if self.port is None:
            self.proc.kill()
            fail("sluice-serve did not start: " + "".join(self.stderr_lines) + self.proc.stderr.read())
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _drain_stderr(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line)

    def request(self, method, path, body=None, headers=None, timeout=60):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            headers = {"Content-Type": "application/json", **(headers or {})}
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        data = res.read()
        conn.close()
        return res.status, dict(res.getheaders()), data

    def json(self, method, path, body=None, headers=None, timeout=60):
        status, hdrs, data = self.request(method, path, body, headers, timeout)
        try:
            return status, hdrs, json.loads(data)
        except ValueError:
            fail(f"{method} {path}: answer is not JSON: {data[:200]!r}")

    def stop(self, timeout=60):
        self.proc.terminate()
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("sluice-serve did not exit within %d s of SIGTERM" % timeout)

    def access_log(self):
        with open(self.log.name) as f:
            return [json.loads(line) for line in f if line.startswith("{")]


class ImageHandler(http.server.BaseHTTPRequestHandler):
    """Serves the generated test images and a few misbehaving routes."""
    protocol_version = "HTTP/1.1"
    hits = 0

    def log_message(self, *args):
        pass

    def do_GET(self):
        ImageHandler.hits += 1
        url = urllib.parse.urlparse(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", q["to"])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path == "/status":
            code = int(q.get("code", "404"))
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"no")
        elif url.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"\xff" * 10)
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
        elif url.path == "/bytes":
            n = int(q["n"])
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(n))
            self.end_headers()
            try:
                self.wfile.write(b"\0" * n)
            except OSError:
                pass
        else:
            path = os.path.join(IMAGES, os.path.basename(url.path))
            if not os.path.isfile(path):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = open(path, "rb").read()
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)


class ImageServer:
    def __init__(self, host="127.0.0.1"):
        self.httpd = http.server.ThreadingHTTPServer((host, 0), ImageHandler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path, host="127.0.0.1"):
        return f"http://{host}:{self.port}/{path.lstrip('/')}"


def images_manifest():
    with open(os.path.join(IMAGES, "manifest.json")) as f:
        return json.load(f)
