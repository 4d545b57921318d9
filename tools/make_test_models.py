#!/usr/bin/python3
"""Makes the model repositories that sluice-serve's tests load: make_test_models.py OUT_DIR.

Writes, deterministically from fixed seeds (no downloads):
  OUT_DIR/repo/      a good repository (docs/model-repository.md): "tiny" (a 10-class CNN on 32x32, fast, the
                     default) and the ImageAI architectures mobilenet_v2, resnet50, inception_v3, densenet121,
                     each as TorchScript (<name>) and as ONNX that OpenCV 4.6 DNN accepts (<name>_onnx);
  OUT_DIR/broken/    one good model beside one with a wrong sha256, one with a typo in config.json and one ONNX
                     file OpenCV 4.6 rejects (Clip with min/max inputs), so the server's failure reports are tested;
  OUT_DIR/inputs/    seeded NCHW float32 inputs (2 images per crop size, raw little-endian);
  OUT_DIR/reference.json  PyTorch's softmax probabilities for each model on those inputs (backend parity).

Random weights alone make untrained nets output logits near 1e-9 or 1e12, which makes a parity check
meaningless, so BatchNorm statistics are re-estimated on random images and the classifier is scaled so the
logits have a standard deviation of a few units. Needs Debian's python3-torch, python3-torchvision and
python3-onnx; not OpenCV (the C++ tests check that OpenCV loads the ONNX files).

Skips all work when OUT_DIR/stamp is newer than this script.
"""
import hashlib
import json
import os
import shutil
import sys
import time

import onnx
import torch
import torchvision
from torchvision.models._meta import _IMAGENET_CATEGORIES

SEED = 20240501
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
TINY_LABELS = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
TARGET_LOGIT_STD = 4.0
REFERENCE_IMAGES = 2
ONNX_OPSET = 10  # Clip takes min/max as attributes up to opset 10; OpenCV 4.6 rejects the input form.
BROKEN_ONNX_OPSET = 13


class Tiny(torch.nn.Module):
    """A MobileNet-flavoured CNN (ReLU6, depthwise conv) small enough for fast end-to-end tests."""

    def __init__(self, num_classes=10):
        super().__init__()

        def block(cin, cout, stride, groups=1, kernel=3):
            return [
                torch.nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False),
                torch.nn.BatchNorm2d(cout),
                torch.nn.ReLU6(inplace=True),
            ]

        self.features = torch.nn.Sequential(*block(3, 16, 1), *block(16, 32, 2), *block(32, 32, 1, groups=32),
                                            *block(32, 64, 2, kernel=1))
        self.pool = torch.nn.AdaptiveAvgPool2d(1)
        self.classifier = torch.nn.Linear(64, num_classes)

    def forward(self, x):
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


# name, constructor, resize, crop (square), labels
ARCHITECTURES = [
    ("tiny", lambda: Tiny(len(TINY_LABELS)), 36, 32, TINY_LABELS),
    ("mobilenet_v2", lambda: torchvision.models.mobilenet_v2(weights=None), 256, 224, _IMAGENET_CATEGORIES),
    ("resnet50", lambda: torchvision.models.resnet50(weights=None), 256, 224, _IMAGENET_CATEGORIES),
    ("inception_v3", lambda: torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=True),
     342, 299, _IMAGENET_CATEGORIES),
    ("densenet121", lambda: torchvision.models.densenet121(weights=None), 256, 224, _IMAGENET_CATEGORIES),
]


def log(msg):
    print(msg, flush=True)


def classifier_of(model):
    last = None
    for module in model.modules():
        if isinstance(module, torch.nn.Linear):
            last = module
    return last


def random_images(n, crop, generator):
    """Normalised images of two kinds: per-pixel noise, and smooth colour fields like photographs' large
    regions. Both are needed: BatchNorm statistics estimated on zero-mean noise alone leave the nets 10x
    more sensitive to the DC component of real images, and their softmax saturates to one class."""
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    noise = torch.rand(n - n // 2, 3, crop, crop, generator=generator)
    coarse = torch.rand(n // 2, 3, 5, 5, generator=generator)
    smooth = torch.nn.functional.interpolate(coarse, size=(crop, crop), mode="bilinear", align_corners=False)
    smooth = (smooth + 0.05 * torch.randn(smooth.shape, generator=generator)).clamp(0, 1)
    return ((torch.cat([noise, smooth]) - mean) / std).contiguous()


def calibrate(model, crop, seed, batches=3, batch_size=6):
    """Re-estimates BatchNorm statistics on random images, then scales the classifier to well-scaled logits."""
    generator = torch.Generator().manual_seed(seed)
    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.reset_running_stats()
            module.momentum = None  # cumulative average over all calibration batches
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            model(random_images(batch_size, crop, generator))
    model.eval()
    with torch.no_grad():
        std = float(model(random_images(batch_size, crop, generator)).std())
        fc = classifier_of(model)
        scale = TARGET_LOGIT_STD / std
        fc.weight.mul_(scale)
        fc.bias.mul_(scale)
        return std, float(model(random_images(batch_size, crop, generator)).std())


def reference_input(crop):
    """One noise image and one smooth one, from a seed of their own."""
    return random_images(REFERENCE_IMAGES, crop, torch.Generator().manual_seed(SEED + crop))


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save_torchscript(model, example, path):
    frozen = torch.jit.freeze(torch.jit.trace(model, example).eval())
    frozen.save(path)
    return frozen


def drop_identities(model):
    """Rewires consumers of Identity nodes (the exporter adds them for shared constants) to their source."""
    graph = model.graph
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


def export_onnx(model, example, path, opset):
    torch.onnx.export(model, example, path, opset_version=opset, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, do_constant_folding=True)
    proto = onnx.load(path)
    dropped = drop_identities(proto)
    onnx.checker.check_model(proto)
    onnx.save(proto, path)
    clips = [n for n in proto.graph.node if n.op_type == "Clip"]
    clip_inputs = sorted({len(n.input) for n in clips})
    return dropped, clips, clip_inputs


def write_model_dir(directory, name, fmt, weights_file, resize, crop, labels, default, sha=None, extra=None):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "labels.txt"), "w") as f:
        f.write("".join(label + "\n" for label in labels))
    config = {
        "name": name,
        "version": "1",
        "format": fmt,
        "file": weights_file,
        "sha256": sha or sha256(os.path.join(directory, weights_file)),
        "input": {
            "resize_mode": "shorter_side",
            "resize": resize,
            "crop": {"width": crop, "height": crop},
            "mean": IMAGENET_MEAN,
            "std": IMAGENET_STD,
            "channel_order": "RGB",
        },
        "output": "logits",
        "labels": "labels.txt",
        "default": default,
    }
    config.update(extra or {})
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")


def build_repo(out_dir):
    repo = os.path.join(out_dir, "repo")
    references = {}
    tiny = None
    for index, (arch, make, resize, crop, labels) in enumerate(ARCHITECTURES):
        started = time.time()
        torch.manual_seed(SEED + index)
        model = make().eval()
        raw_std, std = calibrate(model, crop, SEED + 100 + index)
        if not 1.0 <= std <= 10.0:
            sys.exit(f"{arch}: logit std {std:.3g} after calibration; expected O(1)-O(10)")

        example = reference_input(crop)
        input_file = f"inputs/{crop}x{crop}.bin"
        example.numpy().astype("<f4").tofile(os.path.join(out_dir, input_file))
        with torch.no_grad():
            logits = model(example)
            probabilities = torch.softmax(logits, dim=1)
        top1 = probabilities.max(dim=1).values.tolist()
        if max(top1) > 0.999:
            sys.exit(f"{arch}: softmax saturates (top-1 {top1}); a parity check on it would mean nothing")

        ts_dir = os.path.join(repo, arch)
        os.makedirs(ts_dir)
        frozen = save_torchscript(model, example, os.path.join(ts_dir, "model.pt"))
        with torch.no_grad():
            ts_diff = float((torch.softmax(frozen(example), dim=1) - probabilities).abs().max())
        write_model_dir(ts_dir, arch, "torchscript", "model.pt", resize, crop, labels, default=arch == "tiny")

        onnx_name = arch + "_onnx"
        onnx_dir = os.path.join(repo, onnx_name)
        os.makedirs(onnx_dir)
        dropped, _, clip_inputs = export_onnx(model, example, os.path.join(onnx_dir, "model.onnx"), ONNX_OPSET)
        if any(n != 1 for n in clip_inputs):
            sys.exit(f"{onnx_name}: Clip nodes with {clip_inputs} inputs; OpenCV 4.6 needs attributes")
        write_model_dir(onnx_dir, onnx_name, "onnx", "model.onnx", resize, crop, labels, default=False)

        entry = {
            "input": input_file,
            "shape": list(example.shape),
            "logit_std": std,
            "probabilities": [[float(p) for p in row] for row in probabilities],
            "top5": [row.topk(5).indices.tolist() for row in probabilities],
        }
        references[arch] = entry
        references[onnx_name] = entry
        log(f"{arch:13s} logit std {raw_std:.3g} raw -> {std:.3g}, reference top-1 "
            f"{', '.join(f'{p:.3f}' for p in top1)}; torchscript max prob diff {ts_diff:.2e}; "
            f"onnx identities dropped {dropped}; {time.time() - started:.1f}s")
        if arch == "tiny":
            tiny = (model, example)
    return references, tiny


def build_broken(out_dir, tiny):
    """A repository where every model but one fails to load, each for a different reason."""
    model, example = tiny
    broken = os.path.join(out_dir, "broken")
    tiny_args = dict(resize=36, crop=32, labels=TINY_LABELS, default=False)

    good = os.path.join(broken, "tiny")
    os.makedirs(good)
    save_torchscript(model, example, os.path.join(good, "model.pt"))
    write_model_dir(good, "tiny", "torchscript", "model.pt", **tiny_args)

    bad_sum = os.path.join(broken, "bad_checksum")
    os.makedirs(bad_sum)
    shutil.copy(os.path.join(good, "model.pt"), bad_sum)
    write_model_dir(bad_sum, "bad_checksum", "torchscript", "model.pt", sha="0" * 64, **tiny_args)

    typo = os.path.join(broken, "config_typo")
    os.makedirs(typo)
    shutil.copy(os.path.join(good, "model.pt"), typo)
    write_model_dir(typo, "config_typo", "torchscript", "model.pt", extra={"lables": "labels.txt"}, **tiny_args)

    clip = os.path.join(broken, "onnx_clip_inputs")
    os.makedirs(clip)
    _, clips, clip_inputs = export_onnx(model, example, os.path.join(clip, "model.onnx"), BROKEN_ONNX_OPSET)
    if not clips or clip_inputs != [3]:
        sys.exit(f"onnx_clip_inputs: expected Clip nodes with min/max inputs, got {clip_inputs}")
    write_model_dir(clip, "onnx_clip_inputs", "onnx", "model.onnx", **tiny_args)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_test_models.py OUT_DIR")
    out_dir = os.path.abspath(sys.argv[1])
    stamp = os.path.join(out_dir, "stamp")
    if os.path.exists(stamp) and os.path.getmtime(stamp) > os.path.getmtime(os.path.abspath(__file__)):
        log(f"{out_dir}: up to date")
        return
    started = time.time()
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    os.makedirs(out_dir, exist_ok=True)
    for stale in ("stamp", "repo", "broken", "inputs", "reference.json"):
        path = os.path.join(out_dir, stale)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)
    os.makedirs(os.path.join(out_dir, "inputs"))

    references, tiny = build_repo(out_dir)
    build_broken(out_dir, tiny)
    with open(os.path.join(out_dir, "reference.json"), "w") as f:
        json.dump({"torch": torch.__version__, "seed": SEED, "models": references}, f)
    with open(stamp, "w") as f:
        f.write(f"{time.time()}\n")
    log(f"test models written to {out_dir} in {time.time() - started:.1f}s")


if __name__ == "__main__":
    main()
