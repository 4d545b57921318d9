#!/usr/bin/python3
"""End-to-end parity with PyTorch: for every generated model (the ImageAI architectures and the tiny CNN, as
TorchScript on LibTorch and as ONNX on OpenCV DNN), sluice-serve's probabilities for real images equal
PyTorch's on torchvision's preprocessing of the same image: top-5 identical, max |Δp| < 1e-4."""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_support import IMAGES, MODELS, Server, check, images_manifest  # noqa: E402

torch.set_num_threads(2)
manifest = images_manifest()
repo = os.path.join(MODELS, "repo")
server = Server(repo, "--no-access-log")
status, _, models = server.json("GET", "/v1/models")
check(status == 200 and len(models["models"]) == len(os.listdir(repo)) and not models["unloadable"],
      "every generated model loads: " + ", ".join(m["name"] for m in models["models"]))

worst = {}
for m in models["models"]:
    cfg = json.load(open(os.path.join(repo, m["name"], "config.json")))
    ts_dir = m["name"][:-len("_onnx")] if m["name"].endswith("_onnx") else m["name"]
    ts_cfg = json.load(open(os.path.join(repo, ts_dir, "config.json")))
    reference_model = torch.jit.load(os.path.join(repo, ts_dir, ts_cfg["file"])).eval()
    inp = cfg["input"]
    spec = f"r{inp['resize']}_c{inp['crop']['width']}" if inp["crop"]["width"] == inp["crop"]["height"] else None
    for image in manifest["images"]:
        if spec not in image.get("preprocess", {}) or image["file"] not in ("photo.jpg", "exif6.jpg", "alpha.png"):
            continue
        pre = np.fromfile(os.path.join(IMAGES, image["preprocess"][spec]), dtype="<f4")
        x = torch.from_numpy(pre.reshape(1, 3, inp["crop"]["height"], inp["crop"]["width"]))
        with torch.no_grad():
            expected = torch.softmax(reference_model(x), dim=1)[0].numpy()
        data = open(os.path.join(IMAGES, image["file"]), "rb").read()
        status, _, doc = server.json("POST", f"/v1/classify?top_k={len(expected)}&model={m['name']}", data,
                                     {"Content-Type": "application/octet-stream"})
        check(status == 200, f"{m['name']} classifies {image['file']}")
        got = np.zeros(len(expected))
        for p in doc["predictions"]:
            got[p["index"]] = p["probability"]
        diff = float(np.abs(got - expected).max())
        top_expected = list(np.argsort(-expected, kind="stable")[:5])
        top_got = [p["index"] for p in doc["predictions"][:5]]
        worst[m["name"]] = max(worst.get(m["name"], 0.0), diff)
        check(top_got == top_expected and diff < 1e-4,
              f"{m['name']} on {image['file']}: top-5 {top_got} identical, max |Δp| = {diff:.2e} < 1e-4")
check(server.stop() == 0, "exit 0")
print("worst max |Δp| per model: " + ", ".join(f"{k} {v:.1e}" for k, v in sorted(worst.items())))
print("serve_parity_test: all checks passed")
