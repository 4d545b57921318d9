#!/usr/bin/python3
"""End-to-end: `sluice-serve models list|pull|verify|remove` as an operator runs them, against a loopback
mirror (`--from`, `--catalog`) serving the generated tiny test models: a good pull in both formats, a
conversion step, a corrupted download, a truncated one resumed, a server that ignores Range, no network,
hand-copied weights, and a pulled model then served by `sluice-serve --models DIR`."""
import hashlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_support import MODELS, SERVE, Server, check  # noqa: E402

TINY = os.path.join(MODELS, "repo", "tiny")
TINY_ONNX = os.path.join(MODELS, "repo", "tiny_onnx")
PT = open(os.path.join(TINY, "model.pt"), "rb").read()
ONNX = open(os.path.join(TINY_ONNX, "model.onnx"), "rb").read()
LABELS = [line for line in open(os.path.join(TINY, "labels.txt")).read().splitlines() if line]
INPUT = json.load(open(os.path.join(TINY, "config.json")))["input"]
CHECKPOINT_NAME = "tiny-" + hashlib.sha256(PT).hexdigest()[:10] + ".pth"  # named as torchvision's are


def sha(data):
    return hashlib.sha256(data).hexdigest()


class Mirror(http.server.BaseHTTPRequestHandler):
    """Serves files by path; per-path behaviour in `modes`: "cut" (first answer stops half-way), "ignore-range"
    (always 200), otherwise Range is honoured."""
    protocol_version = "HTTP/1.1"
    files = {}
    modes = {}
    ranges = []  # (path, Range header) of every request

    def log_message(self, *args):
        pass

    def do_GET(self):
        Mirror.ranges.append((self.path, self.headers.get("Range")))
        data = Mirror.files.get(self.path)
        if data is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        mode = Mirror.modes.get(self.path, "")
        start = 0
        rng = self.headers.get("Range")
        if rng and mode != "ignore-range":
            start = int(rng[len("bytes="):-1])
        if start >= len(data) and start > 0:
            self.send_response(416)
            self.send_header("Content-Range", "bytes */%d" % len(data))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        self.send_header("Content-Length", str(len(data) - start))
        self.send_header("Connection", "close")
        self.end_headers()
        if mode == "cut":
            Mirror.modes[self.path] = ""  # only the first answer is cut short
            self.wfile.write(data[start:start + len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data[start:])


httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mirror)
httpd.daemon_threads = True
threading.Thread(target=httpd.serve_forever, daemon=True).start()
BASE = "http://127.0.0.1:%d" % httpd.server_address[1]

work = tempfile.mkdtemp(prefix="sluice-models-cli-")
catalog_path = os.path.join(work, "catalog.json")


def entry(name, onnx_path=None, onnx_data=ONNX, ts_path=None, ts_data=PT, convert=False):
    sources = {}
    if onnx_path:
        sources["onnx"] = {"url": BASE + onnx_path, "sha256": sha(onnx_data), "size": len(onnx_data), "input": INPUT}
    if ts_path:
        sources["torchscript"] = {"url": BASE + ts_path, "input": INPUT,
                                  "sha256": "from_file_name" if convert else sha(ts_data)}
        if convert:
            sources["torchscript"]["convert"] = "tiny"
    return {"name": name, "description": "test model", "labels": LABELS, "sources": sources}


json.dump({"models": [
    entry("tiny", onnx_path="/zoo/model.onnx", ts_path="/hub/model.pt"),
    entry("corrupt", onnx_path="/zoo/corrupt.onnx"),
    entry("cut", onnx_path="/zoo/cut.onnx"),
    entry("norange", onnx_path="/zoo/norange.onnx"),
    entry("converted", ts_path="/hub/" + CHECKPOINT_NAME, convert=True),
]}, open(catalog_path, "w"))
Mirror.files = {"/zoo/model.onnx": ONNX, "/hub/model.pt": PT, "/zoo/corrupt.onnx": ONNX[:100] + b"X" + ONNX[101:],
                "/zoo/cut.onnx": ONNX, "/zoo/norange.onnx": ONNX, "/hub/" + CHECKPOINT_NAME: PT}
Mirror.modes = {"/zoo/cut.onnx": "cut", "/zoo/norange.onnx": "ignore-range"}


def models(*args, repo=None):
    cmd = [SERVE, "models", *args]
    if repo is not None:
        cmd += ["--models", repo]
    if args and args[0] in ("list", "pull"):
        cmd += ["--catalog", catalog_path]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def error_lines(stderr):
    return [line for line in stderr.splitlines() if line.startswith("error:")]


# --- the built-in catalog ------------------------------------------------------------------------------
p = subprocess.run([SERVE, "models", "list", "--models", os.path.join(work, "none")], capture_output=True,
                   text=True, timeout=60)
check(p.returncode == 0 and all(n in p.stdout for n in ["mobilenet_v2", "resnet50", "inception_v3", "densenet121",
                                                          "squeezenet1_1", "shufflenet_v2_x1_0"]),
      "list shows the built-in catalog's six models without a repository or a network")

# --- pull, list, verify ---------------------------------------------------------------------------------
repo = os.path.join(work, "repo")
rc, out, err = models("pull", "tiny", repo=repo)
check(rc == 0 and "installed tiny_onnx" in out, "pull installs the default format (ONNX) as tiny_onnx")
check(open(os.path.join(repo, "tiny_onnx", "model.onnx"), "rb").read() == ONNX, "the pulled file is the mirror's")
check("downloaded model.onnx:" in err and "\r" not in err, "off a terminal: one summary line, no progress bar")
config = json.load(open(os.path.join(repo, "tiny_onnx", "config.json")))
check(config["sha256"] == sha(ONNX) and config["format"] == "onnx" and config["input"] == INPUT,
      "config.json carries the checksum and the catalog's preprocessing")
check(open(os.path.join(repo, "tiny_onnx", "labels.txt")).read().splitlines() == LABELS, "labels.txt is written")

rc, out, err = models("pull", "tiny", "--format", "torchscript", repo=repo)
check(rc == 0 and os.path.isfile(os.path.join(repo, "tiny", "model.pt")), "pull --format torchscript installs tiny")
rc, out, err = models("pull", "tiny", repo=repo)
check(rc == 0 and "already installed" in out, "pulling an installed, verified model again downloads nothing")

converter = os.path.join(work, "export_model.py")
open(converter, "w").write("import os, shutil, sys\na = dict(zip(sys.argv[1::2], sys.argv[2::2]))\n"
                           "os.makedirs(a['--out'])\nshutil.copy(a['--weights'], a['--out'] + '/model.pt')\n")
rc, out, err = models("pull", "converted", "--export-script", os.path.join(work, "missing.py"), repo=repo)
check(rc == 4 and "convert it by hand" in err and len(error_lines(err)) == 1,
      "without tools/export_model.py a checkpoint pull says how to convert by hand (exit 4)")
rc, out, err = models("pull", "converted", "--export-script", converter, repo=repo)
check(rc == 0 and "converting " + CHECKPOINT_NAME in err and os.path.isfile(os.path.join(repo, "converted", "model.pt")),
      "a checkpoint verified by its name's sha256 prefix is converted and installed")

rc, out, err = models("list", repo=repo)
check(rc == 0 and all(f"{n} " in out for n in ["tiny", "tiny_onnx", "converted"]) and "MISMATCH" not in out,
      "list shows the installed models, verified")
rc, out, err = models("verify", repo=repo)
check(rc == 0 and "3 models verified" in out, "verify passes on a freshly pulled repository")

with open(os.path.join(repo, "tiny", "model.pt"), "ab") as f:
    f.write(b"tampered")
rc, out, err = models("verify", repo=repo)
check(rc == 1 and "MISMATCH  tiny: model.pt: sha256 is" in out, "verify exits 1 and names the file that changed")
rc, out, err = models("pull", "tiny", "--format", "torchscript", repo=repo)
check(rc == 0 and "installed tiny" in out, "pull replaces a model whose weights no longer verify")
check(models("verify", repo=repo)[0] == 0, "verify passes again")

# --- served ---------------------------------------------------------------------------------------------
server = Server(repo)
status, _, doc = server.json("GET", "/v1/models")
check(status == 200 and [m["name"] for m in doc["models"]] == ["converted", "tiny", "tiny_onnx"],
      "sluice-serve --models DIR serves the pulled models")
check({m["name"]: m["sha256"] for m in doc["models"]}["tiny_onnx"] == sha(ONNX), "with the pulled file's sha256")
check(server.stop() == 0, "the server stops cleanly")

# --- failures -------------------------------------------------------------------------------------------
rc, out, err = models("pull", "corrupt", repo=repo)
check(rc == 1 and "checksum mismatch: corrupt.onnx" in err and "the file was deleted" in err,
      "a corrupted download is refused and deleted (exit 1)")
check(not os.path.exists(os.path.join(repo, "corrupt_onnx")) and
      not [f for f in os.listdir(os.path.join(repo, ".downloads")) if f.startswith("corrupt.onnx")],
      "nothing of the corrupted download is left")

rc, out, err = models("pull", "cut", repo=repo)
check(rc == 3 and "broke after" in err and "next pull resumes" in err, "a truncated download fails (exit 3), kept")
check(os.path.getsize(os.path.join(repo, ".downloads", "cut.onnx.partial")) == len(ONNX) // 2, "half of it is kept")
rc, out, err = models("list", repo=repo)
check("cut.onnx" in out and "Partial downloads" in out, "list mentions the partial download")
rc, out, err = models("pull", "cut", repo=repo)
check(rc == 0 and ("/zoo/cut.onnx", "bytes=%d-" % (len(ONNX) // 2)) in Mirror.ranges and "resumed at" in err,
      "the next pull resumes it with a Range request")
check(open(os.path.join(repo, "cut_onnx", "model.onnx"), "rb").read() == ONNX, "and the resumed file is whole")

os.makedirs(os.path.join(repo, ".downloads"), exist_ok=True)
open(os.path.join(repo, ".downloads", "norange.onnx.partial"), "wb").write(b"junk" * 100)
rc, out, err = models("pull", "norange", repo=repo)
check(rc == 0 and "restarted from the beginning" in err and
      open(os.path.join(repo, "norange_onnx", "model.onnx"), "rb").read() == ONNX,
      "a server that ignores Range: the download restarts from byte 0")

s = socket.socket()
s.bind(("127.0.0.1", 0))
dead = s.getsockname()[1]
s.close()
offline = os.path.join(work, "offline")
rc, out, err = models("pull", "tiny", "--from", "http://127.0.0.1:%d/zoo/" % dead, repo=offline)
target = os.path.join(offline, "tiny_onnx", "model.onnx")
errors = error_lines(err)
check(rc == 3 and len(errors) == 1 and errors[0].startswith("error: cannot reach 127.0.0.1: ") and
      f"copy the file by hand to {target} and run `sluice-serve models verify`" in errors[0],
      "no network: one clear line saying where to copy the file (exit 3)")
check(len(err.splitlines()) <= 2, "and no stack of errors")
rc, out, err = models("verify", repo=offline)
check(rc == 1 and "MISSING" in out, "verify reports the weights still missing")
shutil.copy(os.path.join(TINY_ONNX, "model.onnx"), target)
rc, out, err = models("verify", repo=offline)
check(rc == 0 and "1 model verified" in out, "after copying the file by hand, verify passes")

# --- remove and usage errors ----------------------------------------------------------------------------
rc, out, err = models("remove", "tiny", repo=repo)
check(rc == 0 and not os.path.exists(os.path.join(repo, "tiny")) and os.path.isdir(os.path.join(repo, "tiny_onnx")),
      "remove deletes one model")
rc, out, err = models("remove", "tiny", repo=repo)
check(rc == 2 and "no model tiny" in err, "removing a model that is not there exits 2")
rc, out, err = models("pull", "vgg16", repo=repo)
check(rc == 2 and "no model 'vgg16' in the catalog" in err, "an unknown model exits 2 and lists the catalog")
rc, out, err = models("pull", "converted", "--format", "onnx", repo=repo)
check(rc == 2 and "has no onnx source" in err, "a format the catalog lacks exits 2")
bad = os.path.join(work, "bad.json")
open(bad, "w").write('{"models": [{"name": "x"}]}')
p = subprocess.run([SERVE, "models", "pull", "x", "--catalog", bad, "--models", repo], capture_output=True, text=True)
check(p.returncode == 2 and bad + ": models[0].labels" in p.stderr, "a bad --catalog file exits 2 naming the field")

shutil.rmtree(work, ignore_errors=True)
print("all models CLI checks passed")
