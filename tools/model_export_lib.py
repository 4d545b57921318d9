"""Shared by tools/export_model.py and tools/train_demo_model.py: writing a sluice-serve model directory
(docs/model-repository.md), exporting TorchScript and OpenCV-4.6-compatible ONNX, torchvision's reference
preprocessing of an image, and checking an exported model inside the real sluice-serve.

Needs Debian's python3-torch, python3-torchvision, python3-onnx, python3-pil and python3-numpy.
"""
import contextlib
import hashlib
import http.client
import io
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time

import numpy as np
import onnx
import torch
from PIL import Image
from torchvision.transforms import functional as F

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
ONNX_OPSET = 10  # Clip takes min/max as attributes up to opset 10; OpenCV 4.6 rejects the input form.
PARITY_LIMIT = 1e-4  # max |Δp| between PyTorch and an exported model, the tests' figure


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save_torchscript(model, example, path):
    """Traces and freezes (weights become constants, as sluice-serve's LibTorch backend expects)."""
    with torch.no_grad():
        frozen = torch.jit.freeze(torch.jit.trace(model.eval(), example).eval())
    frozen.save(path)
    return frozen


def drop_identities(proto):
    """Rewires consumers of Identity nodes (the exporter adds them for shared constants; OpenCV 4.6 refuses
    some of them) to their source. Returns how many were dropped."""
    graph = proto.graph
    outputs = {o.name for o in graph.output}
    rename = {}
    keep = []
    for node in graph.node:
        if node.op_type == "Identity" and node.output[0] not in outputs:
            rename[node.output[0]] = node.input[0]
        else:
            keep.append(node)
    if not rename:
        return 0

    def resolve(name):
        while name in rename:
            name = rename[name]
        return name

    for node in keep:
        for i, name in enumerate(node.input):
            node.input[i] = resolve(name)
    del graph.node[:]
    graph.node.extend(keep)
    return len(rename)


def export_onnx(model, example, path):
    """ONNX with a dynamic batch axis that OpenCV 4.6's importer accepts; raises ValueError if the graph
    still holds something it rejects. Returns the number of Identity nodes removed."""
    with torch.no_grad():
        torch.onnx.export(model.eval(), example, path, opset_version=ONNX_OPSET, input_names=["input"],
                          output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                          do_constant_folding=True)
    proto = onnx.load(path)
    dropped = drop_identities(proto)
    onnx.checker.check_model(proto)
    problems = [f"{n.op_type} node {n.name or '?'}" for n in proto.graph.node
                if n.op_type == "Identity" or (n.op_type == "Clip" and len(n.input) > 1)]
    if problems:
        raise ValueError(f"{path}: OpenCV 4.6 would reject {', '.join(problems[:3])}")
    onnx.save(proto, path)
    return dropped


def make_config(name, version, fmt, weights_file, sha, crop, mean, std, resize=None, resize_mode="shorter_side",
                default=False):
    return {
        "name": name,
        "version": version,
        "format": fmt,
        "file": weights_file,
        "sha256": sha,
        "input": {
            "resize_mode": resize_mode,
            **({"resize": resize} if resize_mode == "shorter_side" else {}),
            "crop": {"width": crop[0], "height": crop[1]},
            "mean": list(mean),
            "std": list(std),
            "channel_order": "RGB",
        },
        "output": "logits",
        "labels": "labels.txt",
        "default": default,
    }


def write_model_dir(directory, config, labels):
    """config.json and labels.txt beside the weights file that `config["file"]` names."""
    if any(not label.strip() or "\n" in label for label in labels):
        raise ValueError("labels must be non-empty single lines")
    with open(os.path.join(directory, "labels.txt"), "w", encoding="utf-8") as f:
        f.write("".join(label + "\n" for label in labels))
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")


def preprocess(image, config):
    """torchvision's Resize → CenterCrop → ToTensor → Normalize on the uint8 tensor path (antialias=True),
    which is what sluice-serve reproduces for `config["input"]`. `image` is a PIL image or encoded bytes."""
    if isinstance(image, (bytes, bytearray)):
        image = Image.open(io.BytesIO(image))
    x = F.pil_to_tensor(image.convert("RGB"))
    spec = config["input"]
    crop = [spec["crop"]["height"], spec["crop"]["width"]]
    if spec.get("resize_mode", "shorter_side") == "stretch":
        x = F.resize(x, crop, antialias=True)
    else:
        x = F.resize(x, spec["resize"], antialias=True)
    x = F.center_crop(x, crop)
    x = F.convert_image_dtype(x, torch.float)
    return F.normalize(x, spec.get("mean", IMAGENET_MEAN), spec.get("std", IMAGENET_STD))


def sample_png(width=400, height=300, seed=1):
    """A deterministic photograph-like image: smooth colour fields plus a little noise, not square, so
    resizing and cropping are both exercised."""
    rng = np.random.RandomState(seed)
    coarse = torch.from_numpy(rng.rand(1, 3, 6, 8).astype(np.float32))
    smooth = torch.nn.functional.interpolate(coarse, size=(height, width), mode="bicubic", align_corners=False)
    pixels = (smooth[0].permute(1, 2, 0).numpy() + rng.normal(0, 0.04, (height, width, 3))).clip(0, 1)
    buf = io.BytesIO()
    Image.fromarray((pixels * 255).round().astype(np.uint8), "RGB").save(buf, format="PNG")
    return buf.getvalue()


def compare(expected, got):
    """(max |Δp|, top-5 identical) for two probability vectors."""
    expected = np.asarray(expected, dtype=np.float64)
    got = np.asarray(got, dtype=np.float64)
    top = min(5, len(expected))
    same = list(np.argsort(-expected, kind="stable")[:top]) == list(np.argsort(-got, kind="stable")[:top])
    return float(np.abs(expected - got).max()), same


def find_server(explicit=None):
    """The sluice-serve binary to check exports with: --server, then $SLUICE_SERVE, then PATH."""
    for candidate in (explicit, os.environ.get("SLUICE_SERVE"), shutil.which("sluice-serve")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


class ServedRepository:
    """sluice-serve on 127.0.0.1 serving a temporary repository of links {name: model directory} (link
    names matter: the server skips directories whose names start with '.')."""

    def __init__(self, server, model_dirs, start_timeout=180):
        self._repo = tempfile.mkdtemp(prefix="sluice-check-")
        for name, d in model_dirs.items():
            os.symlink(os.path.abspath(d), os.path.join(self._repo, name))
        self._proc = subprocess.Popen([server, "--address", "127.0.0.1", "--port", "0", "--models", self._repo,
                                       "--no-access-log"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      text=True)
        self.log = []
        self.port = None
        deadline = time.time() + start_timeout
        while time.time() < deadline:
            line = self._proc.stderr.readline()
            if not line:
                break
            self.log.append(line)
            if "listening on" in line:
                self.port = int(json.loads(line)["message"].rsplit(":", 1)[1])
                break
        if self.port is None:
            self.close()
            raise RuntimeError("sluice-serve did not start:\n" + "".join(self.log))
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self._proc.stderr:
            self.log.append(line)

    def models(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("GET", "/v1/models")
        doc = json.loads(conn.getresponse().read())
        conn.close()
        return doc

    def probabilities(self, model, image, classes, content_type="image/png"):
        """The model's full probability vector for one encoded image, indexed by class."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.request("POST", f"/v1/classify?top_k={classes}&model={model}", body=image,
                     headers={"Content-Type": content_type})
        res = conn.getresponse()
        body = res.read()
        conn.close()
        if res.status != 200:
            raise RuntimeError(f"{model}: HTTP {res.status}: {body[:300]!r}")
        got = np.zeros(classes)
        for p in json.loads(body)["predictions"]:
            got[p["index"]] = p["probability"]
        return got

    def close(self):
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(60)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        shutil.rmtree(self._repo, ignore_errors=True)
        return self._proc.returncode


@contextlib.contextmanager
def served(server, model_dirs):
    repo = ServedRepository(server, model_dirs)
    try:
        yield repo
    finally:
        repo.close()
