#!/usr/bin/python3
"""The committed demo model (models/digits, TorchScript, and models/digits_onnx, ONNX) re-evaluated through
the real sluice-serve on the held-out split that tools/train_demo_model.py set aside, regenerated as the same
PNGs: top-1 accuracy at least 97% for each file, so the shipped model cannot silently rot."""
import atexit
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("SLUICE_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(SOURCE, "tools"))
from serve_support import SERVE, Server, check, fail  # noqa: E402
import train_demo_model  # noqa: E402

MODELS = ("digits", "digits_onnx")
if not SERVE:
    fail("SLUICE_SERVE is not set")

# Only the demo model: models/ may also hold models that `sluice-serve models pull` fetched.
repo = tempfile.mkdtemp(prefix="sluice-digits-")
atexit.register(shutil.rmtree, repo, True)
for name in MODELS:
    os.symlink(os.path.join(SOURCE, "models", name), os.path.join(repo, name))
server = Server(repo, "--no-access-log")
status, _, doc = server.json("GET", "/v1/models")
check(status == 200 and sorted(m["name"] for m in doc["models"]) == list(MODELS) and not doc["unloadable"],
      "sluice-serve loads the committed digits models (their sha256 verified): " + str(doc.get("unloadable")))

images = train_demo_model.held_out_pngs()
check(len(images) == 2 * 359, f"{len(images)} held-out PNGs (359 digits, light on dark and dark on light)")
for name in MODELS:
    hits = {"light": 0, "dark": 0}
    for file_name, png, label in images:
        status, _, answer = server.json("POST", f"/v1/classify?top_k=1&model={name}", png,
                                        {"Content-Type": "image/png"})
        if status != 200:
            fail(f"{name} on {file_name}: HTTP {status}: {answer}")
        hits[file_name.split("_")[0]] += answer["predictions"][0]["label"] == str(label)
    per = len(images) // 2
    accuracy = (hits["light"] + hits["dark"]) / len(images)
    print(f"{name}: held-out top-1 accuracy {accuracy:.2%} ({hits['light'] + hits['dark']}/{len(images)}; "
          f"light on dark {hits['light'] / per:.2%}, dark on light {hits['dark'] / per:.2%})")
    check(accuracy >= train_demo_model.MIN_ACCURACY, f"{name}: accuracy {accuracy:.2%} >= 97%")
check(server.stop() == 0, "exit 0")
print("serve_digits_test: all checks passed")
