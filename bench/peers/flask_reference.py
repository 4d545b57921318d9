#!/usr/bin/python3
"""The reference image-classification API, rebuilt on Flask + PyTorch: the peer that sluice-serve is timed
against (bench/serve/run.sh). Same routes and JSON as the reference (issue 4, "What users have today"):

    GET  /   -> 200 "Heartbeat"
    POST /   {"image_url": URL, "prediction_count": N}
             -> {"parameters": {"image_url": URL, "prediction_count": N}, "predictions": {label: percent, ...}}

It does per request what the reference does: fetch the URL with urllib (no timeout, no size limit), PIL decode +
convert("RGB"), torchvision Resize(resize) -> CenterCrop(crop) -> ToTensor -> Normalize(mean, std) taken from the
model's config.json (docs/model-repository.md), the same TorchScript weights sluice serves (torch.jit.load) under
torch.no_grad(), softmax, top N in percent. The reference ran ImageAI's Keras InceptionV3; this peer runs the same
architecture in PyTorch so that both sides compute the same network on the same weights.

Two ways to run it:

    # as the reference ran it: Flask's development server, threaded as `flask run` is by default
    /usr/bin/python3 bench/peers/flask_reference.py --models DIR --model inception_v3 --port 8081

    # tuned: gunicorn, one process per worker, the model given to the app factory
    gunicorn -w 2 -b 127.0.0.1:8081 --chdir bench/peers \
        'flask_reference:make_app(models="DIR", model="inception_v3", torch_threads=1)'

Torch intra-op threads: the torch_threads argument, else FLASK_REFERENCE_TORCH_THREADS, else os.cpu_count()
(what a stock PyTorch picks; Debian's build would otherwise start with 1). The model loads once per process,
when the app is made (for gunicorn: in each worker, after the fork, so no OpenMP pool is inherited).
Needs Debian's python3-flask, python3-torch, python3-torchvision, python3-pil (and gunicorn for the second form).
"""
import argparse
import io
import json
import os
import sys
import urllib.request

import torch
import torchvision.transforms as T
from flask import Flask, jsonify, request
from PIL import Image


def load_model(models_dir, name):
    """Returns (scripted module, transform, labels, output_is_logits, bgr) for models_dir/name."""
    model_dir = os.path.join(models_dir, name)
    with open(os.path.join(model_dir, "config.json")) as f:
        config = json.load(f)
    if config.get("format", "torchscript") != "torchscript":
        raise SystemExit(f"flask_reference: {name}: only TorchScript models are supported")
    spec = config["input"]
    crop = spec["crop"]
    crop_hw = (crop["height"], crop["width"]) if isinstance(crop, dict) else (crop, crop)
    if spec.get("resize_mode", "shorter_side") == "shorter_side":
        resize = [T.Resize(spec["resize"]), T.CenterCrop(crop_hw)]
    else:
        resize = [T.Resize(crop_hw)]
    transform = T.Compose(resize + [T.ToTensor(), T.Normalize(spec["mean"], spec["std"])])
    with open(os.path.join(model_dir, config.get("labels", "labels.txt"))) as f:
        labels = [line.rstrip("\n") for line in f if line.strip()]
    module = torch.jit.load(os.path.join(model_dir, config["file"]), map_location="cpu").eval()
    bgr = spec.get("channel_order", "RGB").upper() == "BGR"
    return module, transform, labels, config.get("output", "logits") == "logits", bgr


def make_app(models, model, torch_threads=None):
    threads = torch_threads or int(os.environ.get("FLASK_REFERENCE_TORCH_THREADS", "0")) or os.cpu_count()
    torch.set_num_threads(threads)
    module, transform, labels, output_is_logits, bgr = load_model(models, model)
    app = Flask(__name__)
    app.json.sort_keys = False  # the reference lists predictions by descending probability, not by label

    @app.get("/")
    def heartbeat():
        return "Heartbeat"

    @app.post("/")
    def classify():
        body = request.get_json(force=True)
        image_url = body["image_url"]
        prediction_count = int(body.get("prediction_count", 5))
        with urllib.request.urlopen(image_url) as response:
            data = response.read()
        image = Image.open(io.BytesIO(data)).convert("RGB")
        batch = transform(image).unsqueeze(0)
        if bgr:
            batch = batch.flip(1)
        with torch.no_grad():
            output = module(batch)
            if isinstance(output, (tuple, list)):
                output = output[0]
            probabilities = torch.softmax(output, dim=1)[0] if output_is_logits else output[0]
        top = torch.topk(probabilities, min(prediction_count, len(labels)))
        predictions = {labels[i]: float(p) * 100.0 for p, i in zip(top.values.tolist(), top.indices.tolist())}
        return jsonify({"parameters": {"image_url": image_url, "prediction_count": prediction_count},
                        "predictions": predictions})

    print(f"flask_reference: {model} loaded, torch threads {torch.get_num_threads()}", file=sys.stderr, flush=True)
    return app


def main():
    parser = argparse.ArgumentParser(description="The reference classification API on Flask's dev server.")
    parser.add_argument("--models", required=True, help="model repository directory")
    parser.add_argument("--model", required=True, help="model name (a directory under --models)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--torch-threads", type=int, default=None)
    args = parser.parse_args()
    app = make_app(args.models, args.model, args.torch_threads)
    app.run(host=args.host, port=args.port, threaded=True, debug=False)


if __name__ == "__main__":
    main()
