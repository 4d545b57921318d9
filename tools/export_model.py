#!/usr/bin/python3
"""Turns a torchvision or ImageAI classifier checkpoint into sluice-serve model directories.

  export_model.py --arch ARCH --weights FILE.pth --out DIR [--format torchscript|onnx|both]

ARCH is one of mobilenet_v2, resnet50, inception_v3, densenet121, squeezenet1_1, shufflenet_v2_x1_0. The
checkpoint is a state dict as torchvision publishes it (e.g. the reference's inception_v3_google-1a9a5a14.pth)
or as ImageAI saves it: a full state dict, possibly with a "module." (DataParallel) or "model." prefix, or
wrapped in {"state_dict": ...}; DenseNet's old "norm.1" key names are renamed as torchvision does, and
Inception's auxiliary classifier (used only in training) is dropped.

Writes DIR (with --format both: DIR for TorchScript and DIR_onnx, or --onnx-out, for ONNX), each holding the
weights (model.pt after torch.jit.freeze, or model.onnx at opset 10 without Identity nodes, which OpenCV 4.6
DNN accepts), config.json (docs/model-repository.md) and labels.txt (ImageNet's 1,000 classes from
torchvision's own metadata, or --labels). It then checks that the exported files reproduce PyTorch's
probabilities on a sample image (max |Δp| < 1e-4, same top 5): TorchScript in PyTorch, and both formats in
sluice-serve itself when one is found (--server, $SLUICE_SERVE or PATH) -- Python has no ONNX runner here
(onnx 1.12 has no reference evaluator and python3-opencv is not a dependency), so without a server the ONNX
file is only checked structurally, and the output says so. Each directory is built beside its destination
under a hidden name and renamed into place once checked. Exit status 0 on success, 1 on any failure.
"""
import argparse
import collections
import contextlib
import copy
import json
import os
import pickle
import re
import shutil
import sys
import tempfile
import time
import warnings

import torch
import torchvision
from torchvision.models._meta import _IMAGENET_CATEGORIES

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_export_lib as lib  # noqa: E402

# arch: (constructor, key of the classifier's weight, resize, crop)
ARCHITECTURES = {
    "mobilenet_v2": (torchvision.models.mobilenet_v2, "classifier.1.weight", 256, 224),
    "resnet50": (torchvision.models.resnet50, "fc.weight", 256, 224),
    "inception_v3": (None, "fc.weight", 342, 299),
    "densenet121": (torchvision.models.densenet121, "classifier.weight", 256, 224),
    "squeezenet1_1": (torchvision.models.squeezenet1_1, "classifier.1.weight", 256, 224),
    "shufflenet_v2_x1_0": (torchvision.models.shufflenet_v2_x1_0, "fc.weight", 256, 224),
}
MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,57}$")  # leaves room for "_onnx" (64 at most)
WRAPPER_KEYS = ("state_dict", "model_state_dict", "model", "net")
PREFIXES = ("module.", "model.")
# torchvision's densenet._load_state_dict: old checkpoints name "denselayer1.norm.1.weight" what is now
# "denselayer1.norm1.weight".
DENSENET_OLD_KEY = re.compile(r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|"
                              r"running_var|num_batches_tracked))$")


class ExportError(Exception):
    pass


def log(message):
    print(message, flush=True)


def load_state_dict(path, allow_pickle):
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=not allow_pickle)
    except pickle.UnpicklingError as e:
        detail = str(e).rsplit("WeightsUnpickler error: ", 1)[-1].splitlines()[0]
        if "Weights only load failed" in str(e):
            raise ExportError(f"{path}: the checkpoint holds Python objects, not only tensors ({detail}); if you "
                              "trust the file, add --allow-pickle") from None
        raise ExportError(f"{path}: not a PyTorch checkpoint ({detail})") from None
    except Exception as e:  # torch raises RuntimeError, EOFError, IndexError, ... for a file it cannot read
        raise ExportError(f"{path}: not a PyTorch checkpoint ({type(e).__name__}: {e})") from None
    if isinstance(loaded, torch.nn.Module):
        loaded = loaded.state_dict()
    for key in WRAPPER_KEYS:
        if isinstance(loaded, dict) and isinstance(loaded.get(key), (dict, torch.nn.Module)):
            inner = loaded[key]
            loaded = inner.state_dict() if isinstance(inner, torch.nn.Module) else inner
            break
    if not isinstance(loaded, dict) or not loaded or not all(isinstance(v, torch.Tensor) for v in loaded.values()):
        raise ExportError(f"{path}: not a state dict (expected a mapping of parameter names to tensors)")
    return collections.OrderedDict(loaded)


def normalise_keys(state, arch):
    """Strips DataParallel/wrapper prefixes and renames old key spellings; returns notes for the log."""
    notes = []
    stripped = True
    while stripped:
        stripped = False
        for prefix in PREFIXES:
            if all(k.startswith(prefix) for k in state):
                state = collections.OrderedDict((k[len(prefix):], v) for k, v in state.items())
                notes.append(f'stripped the "{prefix}" prefix')
                stripped = True
    if arch == "densenet121":
        renamed = 0
        for key in list(state):
            match = DENSENET_OLD_KEY.match(key)
            if match:
                state[match.group(1) + match.group(2)] = state.pop(key)
                renamed += 1
        if renamed:
            notes.append(f"renamed {renamed} old DenseNet keys")
    if arch == "inception_v3":
        aux = [k for k in state if k.startswith("AuxLogits.")]
        for key in aux:
            del state[key]
        if aux:
            notes.append(f"dropped {len(aux)} AuxLogits tensors (training-only auxiliary classifier)")
    return state, notes


def build_model(arch, state, transform_input):
    make, classifier_key, _, _ = ARCHITECTURES[arch]
    if classifier_key not in state:
        some = ", ".join(list(state)[:4])
        raise ExportError(f"no {classifier_key} in the checkpoint (keys: {some}, ...); is it a {arch} checkpoint?")
    num_classes = state[classifier_key].shape[0]
    if arch == "inception_v3":
        model = torchvision.models.inception_v3(weights=None, num_classes=num_classes, aux_logits=False,
                                                transform_input=transform_input, init_weights=False)
    else:
        model = make(weights=None, num_classes=num_classes)
    result = model.load_state_dict(state, strict=False)
    # BatchNorm's num_batches_tracked is absent from pre-2018 checkpoints and unused in inference.
    missing = [k for k in result.missing_keys if not k.endswith("num_batches_tracked")]
    if missing or result.unexpected_keys:
        raise ExportError(f"the checkpoint does not fit torchvision's {arch}: missing {missing[:5]}, "
                          f"unexpected {result.unexpected_keys[:5]}")
    return model.eval(), num_classes


def read_labels(path, num_classes):
    if path is None:
        if num_classes != len(_IMAGENET_CATEGORIES):
            raise ExportError(f"the classifier has {num_classes} classes, not ImageNet's 1000: give --labels")
        return list(_IMAGENET_CATEGORIES)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".json"):  # ImageAI's {"0": "class", ...} mapping
        mapping = json.loads(text)
        labels = [mapping[str(i)] for i in range(len(mapping))]
    else:
        labels = [line.strip() for line in text.splitlines() if line.strip()]
    if len(labels) != num_classes:
        raise ExportError(f"{path}: {len(labels)} labels for {num_classes} classes")
    return labels


@contextlib.contextmanager
def static_shapes(arch):
    """ShuffleNet splits and shuffles channels using counts read from the input's shape, which a dynamic batch
    axis hides from the ONNX exporter ("prim::ConstantChunk, unknown dimension size"). The input size is fixed
    by config.json, so for the export those counts are traced as constants (all but the batch)."""
    if arch != "shufflenet_v2_x1_0":
        yield
        return
    module = torchvision.models.shufflenetv2
    original = module.channel_shuffle, module.InvertedResidual.forward

    def channel_shuffle(x, groups):
        _, channels, height, width = (int(s) for s in x.shape)
        x = x.view(-1, groups, channels // groups, height, width).transpose(1, 2).contiguous()
        return x.view(-1, channels, height, width)

    def forward(self, x):
        if self.stride == 1:
            half = int(x.shape[1]) // 2
            out = torch.cat((x[:, :half], self.branch2(x[:, half:])), dim=1)
        else:
            out = torch.cat((self.branch1(x), self.branch2(x)), dim=1)
        return channel_shuffle(out, 2)

    module.channel_shuffle, module.InvertedResidual.forward = channel_shuffle, forward
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", torch.jit.TracerWarning)  # the constants are intended
            yield
    finally:
        module.channel_shuffle, module.InvertedResidual.forward = original


def install(staging, destination, force):
    if os.path.lexists(destination):
        if os.path.isdir(destination) and not os.listdir(destination):
            os.rmdir(destination)
        elif force:
            old = tempfile.mkdtemp(prefix=".old-", dir=os.path.dirname(destination))
            os.rename(destination, os.path.join(old, "x"))
            os.rename(staging, destination)
            shutil.rmtree(old)
            return
        else:
            raise ExportError(f"{destination} exists; remove it or add --force")
    os.rename(staging, destination)


def verify(args, model, transform_input, outputs, configs, num_classes):
    """PyTorch's own model on torchvision's ImageNet preprocessing is the reference; each export must match
    it on its own config's preprocessing of the same PNG (this also checks a folded transform_input)."""
    png = lib.sample_png()
    reference_config = copy.deepcopy(configs[0])
    reference_config["input"].update(mean=lib.IMAGENET_MEAN, std=lib.IMAGENET_STD)
    if transform_input:
        model.transform_input = True  # torchvision's own model, as the checkpoint's authors ran it
    with torch.no_grad():
        expected = torch.softmax(model(lib.preprocess(png, reference_config).unsqueeze(0)), 1)[0].numpy()
    if transform_input:
        model.transform_input = False
    failures = []

    def report(what, got):
        diff, same = lib.compare(expected, got)
        ok = diff < lib.PARITY_LIMIT and same
        log(f"  {what}: max |Δp| {diff:.2e}, top-5 {'identical' if same else 'DIFFERENT'}"
            f"{'' if ok else '  <-- FAILED'}")
        if not ok:
            failures.append(what)

    if "torchscript" in outputs:
        loaded = torch.jit.load(os.path.join(outputs["torchscript"], "model.pt")).eval()
        with torch.no_grad():
            x = lib.preprocess(png, configs_by_format(configs)["torchscript"]).unsqueeze(0)
            report("TorchScript in PyTorch", torch.softmax(loaded(x), 1)[0].numpy())
    server = lib.find_server(args.server)
    if server is None:
        log("  ONNX not run: Python has no ONNX runtime here and no sluice-serve was found (--server or "
            "$SLUICE_SERVE); checked structurally only (onnx.checker, opset 10, no Identity, Clip bounds as "
            "attributes)" if "onnx" in outputs else "  no sluice-serve found; skipped the in-server check")
    else:
        by_name = {c["name"]: outputs[c["format"]] for c in configs}
        try:
            with lib.served(server, by_name) as repo:
                doc = repo.models()
                if doc.get("unloadable"):
                    raise ExportError(f"sluice-serve refused the export: {doc['unloadable']}")
                for c in configs:
                    report(f"{c['format']} in sluice-serve ({os.path.basename(server)})",
                           repo.probabilities(c["name"], png, num_classes))
        except RuntimeError as e:
            raise ExportError(str(e)) from None
    if failures:
        raise ExportError("exported model does not reproduce PyTorch: " + ", ".join(failures))


def configs_by_format(configs):
    return {c["format"]: c for c in configs}


def export(args):
    started = time.time()
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    _, _, resize, crop = ARCHITECTURES[args.arch]
    state, notes = normalise_keys(load_state_dict(args.weights, args.allow_pickle), args.arch)
    transform_input = args.arch == "inception_v3" and args.transform_input == "on"
    # transform_input maps ImageNet-normalised input to (p - 0.5) / 0.5, the Google checkpoint's own scale;
    # folding it into the config's mean/std keeps the graph free of the Gather/Concat it would add to ONNX.
    model, num_classes = build_model(args.arch, state, transform_input=False)
    labels = read_labels(args.labels, num_classes)
    mean, std = ([0.5] * 3, [0.5] * 3) if transform_input else (lib.IMAGENET_MEAN, lib.IMAGENET_STD)
    weights_sha = lib.sha256(args.weights)
    log(f"{args.weights}: {args.arch}, {num_classes} classes, sha256 {weights_sha}"
        + "".join(f"; {n}" for n in notes) + ("; transform_input folded into mean/std" if transform_input else ""))

    out = os.path.abspath(args.out.rstrip("/"))
    name = args.name or os.path.basename(out)
    version = args.version or os.path.splitext(os.path.basename(args.weights))[0]
    wanted = ["torchscript", "onnx"] if args.format == "both" else [args.format]
    destinations = {"torchscript": out, "onnx": out if args.format == "onnx" else
                    os.path.abspath((args.onnx_out or out + "_onnx").rstrip("/"))}
    if not MODEL_NAME.match(name):
        raise ExportError(f'"{name}" is not a model name (1-64 letters, digits, "_", "-", "."; starting with a '
                          "letter or digit): give --name")
    for fmt in wanted:  # before minutes of work, not after
        d = destinations[fmt]
        if os.path.lexists(d) and not args.force and not (os.path.isdir(d) and not os.listdir(d)):
            raise ExportError(f"{d} exists; remove it or add --force")
    example = torch.zeros(1, 3, crop, crop)
    outputs, configs, staging = {}, [], []
    try:
        for fmt in wanted:
            destination = destinations[fmt]
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            directory = tempfile.mkdtemp(prefix=".export-", dir=os.path.dirname(destination))
            staging.append(directory)
            if fmt == "torchscript":
                lib.save_torchscript(model, example, os.path.join(directory, "model.pt"))
                weights_file, detail = "model.pt", "frozen"
            else:
                try:
                    with static_shapes(args.arch):
                        dropped = lib.export_onnx(model, example, os.path.join(directory, "model.onnx"))
                except Exception as e:  # the exporter raises many types; one line is what the user needs
                    raise ExportError(f"{args.arch}: ONNX export failed: {str(e).splitlines()[0]}") from None
                weights_file, detail = "model.onnx", f"opset {lib.ONNX_OPSET}, {dropped} Identity nodes removed"
            model_name = name + "_onnx" if fmt == "onnx" and args.format == "both" else name
            sha = lib.sha256(os.path.join(directory, weights_file))
            config = lib.make_config(model_name, version, fmt, weights_file, sha, (crop, crop), mean, std,
                                     resize=resize)
            lib.write_model_dir(directory, config, labels)
            outputs[fmt], configs = directory, configs + [config]
            size = os.path.getsize(os.path.join(directory, weights_file))
            log(f"  {fmt}: {weights_file} {size / 1e6:.1f} MB ({detail}), sha256 {sha}")
        verify(args, model, transform_input, outputs, configs, num_classes)
        for fmt in wanted:
            install(outputs[fmt], destinations[fmt], args.force)
            log(f"wrote {destinations[fmt]} ({fmt}, model \"{configs_by_format(configs)[fmt]['name']}\")")
    finally:
        for directory in staging:
            shutil.rmtree(directory, ignore_errors=True)
    log(f"done in {time.time() - started:.1f}s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", required=True, choices=sorted(ARCHITECTURES))
    parser.add_argument("--weights", required=True, help="the checkpoint (.pth/.pt)")
    parser.add_argument("--out", required=True, help="the model directory to write (its name is the model's)")
    parser.add_argument("--format", choices=["torchscript", "onnx", "both"], default="both")
    parser.add_argument("--onnx-out", help="with --format both: the ONNX model's directory (default OUT_onnx)")
    parser.add_argument("--name", help="the model's name in the API (default: OUT's directory name; with "
                        "--format both the ONNX model is NAME_onnx)")
    parser.add_argument("--version", help="config.json's version (default: the checkpoint's file name)")
    parser.add_argument("--labels", help="labels.txt (one per line) or ImageAI's model_classes.json; "
                        "default: ImageNet's 1,000 classes from torchvision")
    parser.add_argument("--transform-input", choices=["on", "off"], default="on",
                        help="inception_v3 only: on (default) feeds the Google checkpoint the [-1, 1] input it "
                        "was trained on, as torchvision does; off reproduces ImageAI, which feeds it "
                        "ImageNet-normalised input")
    parser.add_argument("--server", help="sluice-serve binary to check the exports in (default: $SLUICE_SERVE, "
                        "then PATH)")
    parser.add_argument("--force", action="store_true", help="replace existing output directories")
    parser.add_argument("--allow-pickle", action="store_true",
                        help="also accept checkpoints that hold pickled Python objects (runs their code: only "
                        "for files you trust)")
    args = parser.parse_args()
    try:
        export(args)
    except (ExportError, OSError, ValueError) as e:
        print(f"export_model: error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
