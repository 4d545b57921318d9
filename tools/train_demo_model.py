#!/usr/bin/python3
"""Trains sluice-serve's offline demo model, a small CNN for handwritten digits, and writes it to the
model repository:  tools/train_demo_model.py [--out models] [--server PATH]

Data: scikit-learn's load_digits() (Debian's python3-sklearn; 1,797 8x8 images, 17 grey levels, made by
counting ink in 4x4 blocks of 32x32 bitmaps). The last 20% (359 images) are held out; the model never sees
them. Every image is used the way sluice-serve will see it: as a 32x32 PNG
(each 8x8 pixel a 4x4 block, grey level round(v * 255 / 16)), which the server stretches to 16x16 with
torchvision's antialiased resize on uint8, scales to [0, 1] and normalises with mean = std = 0.5; training
applies that same torchvision code to the same pixels, so the server's input is the training input. Digits
come in both polarities (light on dark as in the dataset, dark on light as on paper), and training adds
one-pixel shifts.

Writes OUT/digits (TorchScript) and OUT/digits_onnx (ONNX for OpenCV DNN), each with config.json and
labels.txt "0".."9"; prints the held-out top-1 accuracy of the exported TorchScript file (and of both files
inside sluice-serve when one is found: --server, $SLUICE_SERVE or PATH) and fails below 97%. Reproducible:
fixed seeds, torch.use_deterministic_algorithms and one thread give the same weights on the same platform.
`held_out_pngs()` regenerates the held-out PNGs for tests/integration/serve_digits_test.py.
"""
import argparse
import io
import os
import sys
import time

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

SEED = 1797
TRAIN_FRACTION = 0.8
PNG_SIDE = 32  # the digits' original bitmap size
INPUT_SIDE = 16
MEAN = [0.5, 0.5, 0.5]
STD = [0.5, 0.5, 0.5]
LABELS = [str(d) for d in range(10)]
MIN_ACCURACY = 0.97
EPOCHS = 36
BATCH = 64


def split():
    """(train, test) as (images [N, 8, 8] of 0..16, labels [N]); the held-out part is the last 20%."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    cut = int(round(len(digits.target) * TRAIN_FRACTION))
    images = digits.images.astype(np.int64)
    return (images[:cut], digits.target[:cut]), (images[cut:], digits.target[cut:])


def to_pixels(images, inverted):
    """The uint8 [N, 32, 32] pixels of the PNGs that hold `images` (dark on light when inverted)."""
    grey = np.round(images * 255.0 / 16.0).astype(np.uint8)
    big = grey.repeat(PNG_SIDE // 8, axis=1).repeat(PNG_SIDE // 8, axis=2)
    return 255 - big if inverted else big


def held_out_pngs():
    """[(file name, PNG bytes, label)] for every held-out digit in both polarities."""
    _, (images, labels) = split()
    out = []
    for inverted in (False, True):
        for i, (pixels, label) in enumerate(zip(to_pixels(images, inverted), labels)):
            buf = io.BytesIO()
            Image.fromarray(pixels, "L").save(buf, format="PNG")
            out.append((f"{'dark' if inverted else 'light'}_{i:03d}_{label}.png", buf.getvalue(), int(label)))
    return out


def server_input(pixels):
    """What sluice-serve makes of the PNGs (config.json below), on one grey channel: torchvision's
    antialiased uint8 resize, /255, normalise. The server's three channels are all equal to it."""
    import torch
    from torchvision.transforms import functional as F

    x = torch.from_numpy(pixels).unsqueeze(1)
    x = F.resize(x, [INPUT_SIDE, INPUT_SIDE], antialias=True)
    return F.normalize(F.convert_image_dtype(x, torch.float), MEAN[:1], STD[:1])


def augmented(images, labels):
    """Both polarities of each digit at its place and shifted one pixel (of 8) each way."""
    shifted, shifted_labels = [], []
    for dy, dx in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)):
        moved = np.roll(images, (dy, dx), axis=(1, 2))
        if dy:
            moved[:, 0 if dy > 0 else -1, :] = 0
        if dx:
            moved[:, :, 0 if dx > 0 else -1] = 0
        shifted.append(moved)
        shifted_labels.append(labels)
    images, labels = np.concatenate(shifted), np.concatenate(shifted_labels)
    pixels = np.concatenate([to_pixels(images, False), to_pixels(images, True)])
    return pixels, np.concatenate([labels, labels])


def make_net():
    import torch.nn as nn

    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]

    # 16x16 -> 8x8 -> 4x4, then a linear layer that sees where the strokes are (28,000 weights).
    return nn.Sequential(*block(1, 16), *block(16, 32), nn.MaxPool2d(2), *block(32, 32), nn.MaxPool2d(2),
                         *block(32, 32), nn.Flatten(), nn.Dropout(0.2), nn.Linear(32 * 4 * 4, 10))


def rgb_net(net):
    """The grey net for sluice-serve's RGB input: the first convolution averages the three channels, so a
    grey image (three equal channels) gives what training saw and a colour image its mean brightness."""
    import copy

    import torch

    rgb = copy.deepcopy(net).eval()
    first = rgb[0]
    conv = torch.nn.Conv2d(3, first.out_channels, first.kernel_size, padding=first.padding, bias=False)
    with torch.no_grad():
        conv.weight.copy_(first.weight.repeat(1, 3, 1, 1) / 3)
    rgb[0] = conv
    return rgb


def train(log):
    import torch

    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    (train_images, train_labels), _ = split()
    pixels, labels = augmented(train_images, train_labels)
    x, y = server_input(pixels), torch.from_numpy(labels)
    net = make_net()
    optimiser = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=3e-3, total_steps=EPOCHS *
                                                   ((len(y) + BATCH - 1) // BATCH))
    generator = torch.Generator().manual_seed(SEED)
    for epoch in range(EPOCHS):
        net.train()
        order = torch.randperm(len(y), generator=generator)
        total = 0.0
        for start in range(0, len(y), BATCH):
            batch = order[start:start + BATCH]
            loss = torch.nn.functional.cross_entropy(net(x[batch]), y[batch], label_smoothing=0.05)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss) * len(batch)
        if epoch % 9 == 8:
            log(f"  epoch {epoch + 1}/{EPOCHS}: loss {total / len(y):.4f}")
    return net.eval()


def main():
    import torch

    import model_export_lib as lib

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--out", default=os.path.join(root, "models"), help="the model repository")
    parser.add_argument("--server", help="sluice-serve to check both files in (default $SLUICE_SERVE, PATH)")
    parser.add_argument("--write-held-out", metavar="DIR", help="only write the held-out PNGs to DIR "
                        "(light_INDEX_LABEL.png, dark_INDEX_LABEL.png) and exit")
    args = parser.parse_args()
    if args.write_held_out:
        os.makedirs(args.write_held_out, exist_ok=True)
        for file_name, png, _ in held_out_pngs():
            with open(os.path.join(args.write_held_out, file_name), "wb") as f:
                f.write(png)
        return

    def log(message):
        print(message, flush=True)

    started = time.time()
    net = train(log)
    model = rgb_net(net)
    example = torch.zeros(1, 3, INPUT_SIDE, INPUT_SIDE)
    dirs = {}
    for name, fmt, weights in (("digits", "torchscript", "model.pt"), ("digits_onnx", "onnx", "model.onnx")):
        directory = os.path.join(args.out, name)
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, weights)
        if fmt == "torchscript":
            lib.save_torchscript(model, example, path)
        else:
            lib.export_onnx(model, example, path)
        config = lib.make_config(name, "1", fmt, weights, lib.sha256(path), (INPUT_SIDE, INPUT_SIDE), MEAN, STD,
                                 resize_mode="stretch")
        lib.write_model_dir(directory, config, LABELS)
        dirs[name] = directory
        log(f"wrote {directory}: {weights} {os.path.getsize(path) / 1024:.0f} KiB, sha256 {config['sha256']}")

    tests = held_out_pngs()
    truth = np.array([label for _, _, label in tests])
    dark = np.array([file_name.startswith("dark") for file_name, _, _ in tests])
    frozen = torch.jit.load(os.path.join(dirs["digits"], "model.pt")).eval()
    spec = {"input": {"resize_mode": "stretch", "crop": {"width": INPUT_SIDE, "height": INPUT_SIDE}, "mean": MEAN,
                      "std": STD}}
    with torch.no_grad():
        predicted = frozen(torch.stack([lib.preprocess(png, spec) for _, png, _ in tests])).argmax(1).numpy()
    results = {"TorchScript in PyTorch": predicted}
    server = lib.find_server(args.server)
    if server:
        with lib.served(server, dirs) as repo:
            for name in dirs:
                results[f"{name} in sluice-serve"] = np.array([repo.probabilities(name, png, 10).argmax()
                                                               for _, png, _ in tests])
    else:
        log("no sluice-serve found (--server, $SLUICE_SERVE, PATH): the ONNX file was not run")
    worst = 1.0
    for what, predicted in results.items():
        right = predicted == truth
        worst = min(worst, right.mean())
        log(f"held-out top-1 accuracy, {what}: {right.mean():.2%} of {len(tests)} images ({len(tests) // 2} "
            f"digits; light on dark {right[~dark].mean():.2%}, dark on light {right[dark].mean():.2%})")
    log(f"done in {time.time() - started:.0f}s")
    if worst < MIN_ACCURACY:
        sys.exit(f"train_demo_model: accuracy below {MIN_ACCURACY:.0%}")


if __name__ == "__main__":
    main()
