#!/usr/bin/python3
"""End-to-end: the real sluice-serve on 127.0.0.1 with the generated tiny models, a loopback image server,
and every answer the API promises: the reference-compatible endpoint's shape, the v1 API in its three input
forms, models/health/readiness/metrics/openapi, and each error status."""
import base64
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_support import ImageServer, Server, check, model_repo, images_manifest  # noqa: E402

images = ImageServer()
repo = model_repo(["tiny", "tiny_onnx"])
server = Server(repo, "--allow-private-urls", "--max-image-bytes", "3000000", "--max-pixels", "25000000")
photo = images.url("photo.jpg")

# --- the reference's API, unchanged -------------------------------------------------------------------
status, hdrs, body = server.request("GET", "/")
check(status == 200 and body == b"Heartbeat", "GET / answers 200 Heartbeat")

status, _, doc = server.json("POST", "/", {"image_url": photo, "prediction_count": 3})
check(status == 200, "POST / classifies an image URL")
check(list(doc.keys()) == ["parameters", "predictions"], "POST / answers exactly parameters and predictions")
check(doc["parameters"] == {"image_url": photo, "prediction_count": 3}, "parameters echo the request")
values = list(doc["predictions"].values())
check(len(values) == 3 and all(0 <= v <= 100 for v in values), "three predictions, in percent")
check(values == sorted(values, reverse=True), "predictions by descending probability")

status, _, doc = server.json("POST", "/", {"image_url": photo})
check(status == 200 and doc["parameters"]["prediction_count"] == 5 and len(doc["predictions"]) == 5,
      "prediction_count defaults to 5")
status, _, doc = server.json("POST", "/", {"image_url": photo, "prediction_count": 1000})
check(status == 200 and len(doc["predictions"]) == 10, "prediction_count is capped by the number of classes (10)")
check(abs(sum(doc["predictions"].values()) - 100.0) < 1e-3, "all ten percentages sum to 100")
status, _, doc = server.json("POST", "/", {"image_url": photo, "prediction_count": "2"})
check(status == 200 and len(doc["predictions"]) == 2, "prediction_count as a string of digits, as Python's int() took")

# --- v1 ----------------------------------------------------------------------------------------------
status, _, v1 = server.json("POST", "/v1/classify", {"image_url": photo, "top_k": 10})
check(status == 200, "POST /v1/classify with image_url")
check(v1["model"]["name"] == "tiny" and v1["model"]["version"], "the default model answers, with its version")
check([p["index"] for p in v1["predictions"]] != [] and all(
    set(p) == {"label", "index", "probability"} for p in v1["predictions"]), "predictions carry label, index, probability")
check(set(v1["timings_ms"]) == {"fetch", "decode", "queue", "inference", "total"}, "timings_ms has the five phases")
check(v1["timings_ms"]["fetch"] > 0 and v1["timings_ms"]["total"] >= v1["timings_ms"]["inference"], "timings are measured")
probs = {p["label"]: p["probability"] for p in v1["predictions"]}
compat_pct = server.json("POST", "/", {"image_url": photo, "prediction_count": 10})[2]["predictions"]
check(all(abs(compat_pct[k] - 100 * probs[k]) < 1e-3 for k in probs), "POST / percentages equal v1 probabilities × 100")

data = open(os.path.join(os.environ["SLUICE_TEST_IMAGES_DIR"], "photo.jpg"), "rb").read()
status, _, raw = server.json("POST", "/v1/classify?top_k=10", data, {"Content-Type": "image/jpeg"})
check(status == 200 and raw["predictions"] == v1["predictions"], "raw image body gives the same answer as the URL")
status, _, b64 = server.json("POST", "/v1/classify", {"image_base64": base64.b64encode(data).decode(), "top_k": 10})
check(status == 200 and b64["predictions"] == v1["predictions"], "image_base64 gives the same answer")
boundary = "sluiceBoundary42"
form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"top_k\"\r\n\r\n10\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"photo.jpg\"\r\n"
        f"Content-Type: image/jpeg\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
status, _, mp = server.json("POST", "/v1/classify", form, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
check(status == 200 and mp["predictions"] == v1["predictions"], "multipart upload gives the same answer")
status, _, onnx = server.json("POST", "/v1/classify", {"image_url": photo, "top_k": 10, "model": "tiny_onnx"})
check(status == 200 and onnx["model"]["name"] == "tiny_onnx", "model selects the ONNX twin")
check([p["index"] for p in onnx["predictions"]][:5] == [p["index"] for p in v1["predictions"]][:5] and
      max(abs(a["probability"] - b["probability"]) for a, b in zip(onnx["predictions"], v1["predictions"])) < 1e-4,
      "OpenCV DNN (ONNX) and LibTorch (TorchScript) agree: same top 5, probabilities within 1e-4")

for name in ["alpha.png", "gray.png", "gray16.png", "palette.png", "exif6.jpg", "cmyk.jpg", "lossy.webp",
             "image.bmp", "image.tiff", "tiny.png"]:
    status, _, doc = server.json("POST", "/v1/classify", {"image_url": images.url(name)})
    check(status == 200 and len(doc["predictions"]) == 5, f"{name} is decoded and classified")

status, _, models = server.json("GET", "/v1/models")
names = [m["name"] for m in models["models"]]
check(status == 200 and names == ["tiny", "tiny_onnx"], "GET /v1/models lists both models")
tiny = models["models"][0]
weights = os.path.join(repo, "tiny", json.load(open(os.path.join(repo, "tiny", "config.json")))["file"])
check(tiny["sha256"] == hashlib.sha256(open(weights, "rb").read()).hexdigest(), "models report the weights' sha256")
check(tiny["default"] is True and tiny["format"] == "torchscript" and tiny["labels"] == 10 and
      tiny["input_size"] == {"width": 32, "height": 32}, "models report format, input size, labels, default")

status, _, doc = server.json("GET", "/healthz")
check(status == 200, "GET /healthz")
status, _, doc = server.json("GET", "/readyz")
check(status == 200 and doc["ready"] is True, "GET /readyz when models are loaded")
status, hdrs, openapi = server.json("GET", "/openapi.json")
check(status == 200 and openapi["openapi"].startswith("3.") and "/v1/classify" in openapi["paths"], "GET /openapi.json")

status, hdrs, body = server.request("GET", "/metrics")
text = body.decode()
check(status == 200 and hdrs["Content-Type"].startswith("text/plain; version=0.0.4"), "GET /metrics in Prometheus text format")
for family in ["sluice_http_requests_total", "sluice_fetch_duration_seconds_bucket", "sluice_decode_duration_seconds_bucket",
               "sluice_queue_duration_seconds_bucket", "sluice_inference_duration_seconds_bucket",
               "sluice_classify_duration_seconds_bucket", "sluice_batch_size_bucket", "sluice_queue_depth",
               "sluice_http_in_flight_requests", "sluice_model_load_seconds"]:
    check(family in text, f"metrics include {family}")
check('sluice_http_requests_total{route="/v1/classify",method="POST",status="200"}' in text,
      "requests are counted by route, method and status")

# --- errors: one JSON shape, the right status ----------------------------------------------------------
def expect_error(status_wanted, code_part, method, path, body=None, headers=None, what=""):
    status, hdrs, data = server.request(method, path, body if not isinstance(body, dict) else json.dumps(body),
                                        headers or ({"Content-Type": "application/json"} if isinstance(body, dict) else {}))
    try:
        doc = json.loads(data)
    except ValueError:
        doc = {}
    ok = status == status_wanted and set(doc.get("error", {})) == {"code", "message"} and code_part in doc["error"]["code"]
    check(ok, f"{status_wanted} {what or path}: {doc.get('error', {}).get('message', data[:80])}")
    return hdrs

expect_error(400, "invalid_request", "POST", "/", "{not json", {"Content-Type": "application/json"}, what="malformed JSON")
expect_error(400, "invalid_request", "POST", "/v1/classify", {"image_url": photo, "top_k": 0}, what="top_k 0")
expect_error(400, "invalid_request", "POST", "/v1/classify", {"image_url": photo, "extra": 1}, what="unknown field")
expect_error(400, "invalid_url", "POST", "/v1/classify", {"image_url": "file:///etc/passwd"}, what="file:// URL")
expect_error(404, "model_not_found", "POST", "/v1/classify", {"image_url": photo, "model": "nope"}, what="unknown model")
expect_error(404, "not_found", "GET", "/nope", what="unknown path")
hdrs = expect_error(405, "method_not_allowed", "DELETE", "/v1/classify", what="DELETE /v1/classify")
check("POST" in hdrs.get("Allow", ""), "405 names the allowed methods")
expect_error(413, "payload_too_large", "POST", "/v1/classify", {"image_url": images.url("bytes?n=5000000")},
             what="image over --max-image-bytes")
expect_error(413, "payload_too_large", "POST", "/v1/classify", {"image_url": images.url("bomb.png")},
             what="decompression bomb over --max-pixels")
expect_error(415, "unsupported", "POST", "/v1/classify", "hello", {"Content-Type": "text/plain"}, what="text/plain body")
expect_error(415, "unsupported", "POST", "/v1/classify", {"image_url": images.url("garbage.bin")}, what="not an image")
expect_error(422, "undecodable", "POST", "/v1/classify", {"image_url": images.url("truncated.jpg")}, what="truncated JPEG")
expect_error(502, "upstream", "POST", "/v1/classify", {"image_url": images.url("status?code=404")}, what="upstream 404")
expect_error(502, "upstream", "POST", "/v1/classify", {"image_url": "http://127.0.0.1:1/x.jpg"}, what="connection refused")

# every response carries a request id; a sane client id is echoed
status, hdrs, _ = server.request("GET", "/healthz", headers={"X-Request-Id": "abc-123"})
check(hdrs.get("X-Request-Id") == "abc-123", "X-Request-Id is echoed")
status, hdrs, _ = server.request("GET", "/healthz", headers={"X-Request-Id": "bad id\u00e9".encode().decode("latin-1")})
check(len(hdrs.get("X-Request-Id", "")) == 16, "an unsafe X-Request-Id is replaced by a generated one")

code = server.stop()
check(code == 0, "SIGTERM: exit code 0")
log = server.access_log()
check(len(log) > 30 and all({"request_id", "method", "target", "status", "ms"} <= set(l) for l in log),
      "one JSON access-log line per request")
print("serve_api_test: all checks passed")
