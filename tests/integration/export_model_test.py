#!/usr/bin/python3
"""tools/export_model.py end to end: checkpoints of seeded random weights in the real checkpoints' formats
(torchvision's keys; a DataParallel "module." prefix as ImageAI's trainer can leave; for inception_v3 the
Google checkpoint's layout, AuxLogits included and no num_batches_tracked) are exported to TorchScript and
ONNX, then served by the real sluice-serve, whose probabilities must equal PyTorch's on the original
architecture: top-5 identical, max |Δp| < 1e-4, for both formats."""
import atexit
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

import torch
import torchvision
from torchvision.models._meta import _IMAGENET_CATEGORIES

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("SLUICE_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(SOURCE, "tools"))
from serve_support import SERVE, Server, check, fail  # noqa: E402
import make_test_models  # noqa: E402  (calibrate: well-scaled logits from random weights)
import model_export_lib as lib  # noqa: E402

EXPORT = os.path.join(SOURCE, "tools", "export_model.py")
SEED = 20240605
torch.set_num_threads(2)
if not SERVE:
    fail("SLUICE_SERVE is not set")
work = tempfile.mkdtemp(prefix="sluice-export-")
atexit.register(shutil.rmtree, work, True)  # some 250 MB of checkpoints and exports
repo = os.path.join(work, "repo")


def export(*args):
    proc = subprocess.run(["/usr/bin/python3", EXPORT, *args], capture_output=True, text=True)
    return proc.returncode, proc.stdout, proc.stderr


def mobilenet_v2_checkpoint():
    torch.manual_seed(SEED)
    model = torchvision.models.mobilenet_v2(weights=None)
    make_test_models.calibrate(model, 224, SEED + 1)
    path = os.path.join(work, "mobilenet_v2-imageai.pth")
    torch.save(collections.OrderedDict(("module." + k, v) for k, v in model.state_dict().items()), path)
    return model.eval(), path


def inception_v3_checkpoint():
    torch.manual_seed(SEED + 2)
    model = torchvision.models.inception_v3(weights=None, aux_logits=True, transform_input=True,
                                            init_weights=True)
    make_test_models.calibrate(model, 299, SEED + 3)
    # inception_v3_google-1a9a5a14.pth predates BatchNorm's num_batches_tracked.
    state = collections.OrderedDict((k, v) for k, v in model.state_dict().items()
                                    if not k.endswith("num_batches_tracked"))
    check(any(k.startswith("AuxLogits.") for k in state), "the inception_v3 checkpoint holds AuxLogits tensors")
    path = os.path.join(work, "inception_v3_google-test.pth")
    torch.save(state, path)
    return model.eval(), path


def check_directory(directory, name, fmt, resize, crop, mean):
    cfg = json.load(open(os.path.join(directory, "config.json")))
    weights = os.path.join(directory, cfg["file"])
    check(cfg["name"] == name and cfg["format"] == fmt and cfg["sha256"] == lib.sha256(weights),
          f"{name}: config.json names the {fmt} file with its sha256")
    check(cfg["input"]["resize"] == resize and cfg["input"]["crop"] == {"width": crop, "height": crop}
          and cfg["input"]["mean"] == mean, f"{name}: preprocessing resize {resize}, crop {crop}, mean {mean}")
    labels = open(os.path.join(directory, "labels.txt"), encoding="utf-8").read().splitlines()
    check(labels == list(_IMAGENET_CATEGORIES), f"{name}: labels.txt holds torchvision's 1,000 ImageNet labels")
    return cfg


mobilenet, mobilenet_path = mobilenet_v2_checkpoint()
inception, inception_path = inception_v3_checkpoint()

rc, out, err = export("--arch", "mobilenet_v2", "--weights", mobilenet_path, "--out",
                      os.path.join(repo, "mobilenet_v2"), "--format", "both", "--server", SERVE)
print(out + err)
check(rc == 0 and 'stripped the "module." prefix' in out, "mobilenet_v2 (module.-prefixed) exports")
check(out.count("top-5 identical") == 3, "the tool checked TorchScript in PyTorch and both formats in the server")
rc, out, err = export("--arch", "inception_v3", "--weights", inception_path, "--out",
                      os.path.join(repo, "inception_v3"), "--format", "both")
print(out + err)
check(rc == 0 and "dropped" in out and "AuxLogits" in out, "inception_v3 (Google layout) exports")

check_directory(os.path.join(repo, "mobilenet_v2"), "mobilenet_v2", "torchscript", 256, 224, lib.IMAGENET_MEAN)
check_directory(os.path.join(repo, "mobilenet_v2_onnx"), "mobilenet_v2_onnx", "onnx", 256, 224, lib.IMAGENET_MEAN)
# transform_input is folded into the config: (p - mean) / std then x * std / 0.5 + (mean - 0.5) / 0.5.
check_directory(os.path.join(repo, "inception_v3"), "inception_v3", "torchscript", 342, 299, [0.5] * 3)
check_directory(os.path.join(repo, "inception_v3_onnx"), "inception_v3_onnx", "onnx", 342, 299, [0.5] * 3)

rc, _, err = export("--arch", "inception_v3", "--weights", inception_path, "--out",
                    os.path.join(repo, "inception_v3"), "--format", "torchscript")
check(rc == 1 and "exists" in err and "--force" in err, "an existing output is not overwritten without --force")
rc, _, err = export("--arch", "resnet50", "--weights", mobilenet_path, "--out", os.path.join(work, "wrong"))
check(rc == 1 and "resnet50" in err and not os.path.exists(os.path.join(work, "wrong")),
      "a checkpoint of another architecture is refused with one line: " + err.strip())
check(not [n for n in os.listdir(repo) if n.startswith(".")], "no staging directories are left behind")

server = Server(repo, "--no-access-log")
status, _, models = server.json("GET", "/v1/models")
check(status == 200 and len(models["models"]) == 4 and not models["unloadable"],
      "sluice-serve loads all four exports: " + ", ".join(m["name"] for m in models["models"]))
worst = {}
images = [lib.sample_png(400, 300, seed=11), lib.sample_png(250, 380, seed=12)]
for reference, name in ((mobilenet, "mobilenet_v2"), (inception, "inception_v3")):
    cfg = json.load(open(os.path.join(repo, name, "config.json")))
    imagenet_cfg = json.loads(json.dumps(cfg))
    imagenet_cfg["input"].update(mean=lib.IMAGENET_MEAN, std=lib.IMAGENET_STD)
    for i, png in enumerate(images):
        with torch.no_grad():  # the original architecture on torchvision's ImageNet preprocessing
            expected = torch.softmax(reference(lib.preprocess(png, imagenet_cfg).unsqueeze(0)), 1)[0].numpy()
        check(expected.max() < 0.999, f"{name}: PyTorch's softmax is not saturated ({expected.max():.3f})")
        for served_name in (name, name + "_onnx"):
            status, _, doc = server.json("POST", f"/v1/classify?top_k=1000&model={served_name}", png,
                                         {"Content-Type": "image/png"})
            check(status == 200 and len(doc["predictions"]) == 1000, f"{served_name} classifies image {i}")
            got = [0.0] * 1000
            for p in doc["predictions"]:
                got[p["index"]] = p["probability"]
            diff, same = lib.compare(expected, got)
            worst[served_name] = max(worst.get(served_name, 0.0), diff)
            check(same and diff < lib.PARITY_LIMIT,
                  f"{served_name} on image {i}: top-5 identical, max |Δp| = {diff:.2e} < 1e-4")
check(server.stop() == 0, "exit 0")
print("worst max |Δp| per model: " + ", ".join(f"{k} {v:.1e}" for k, v in sorted(worst.items())))
print("export_model_test: all checks passed")
