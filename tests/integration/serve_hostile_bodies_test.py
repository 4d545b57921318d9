#!/usr/bin/python3
"""End-to-end, over raw sockets: request bodies an attacker writes. A JSON body nested 100,000 deep (it used to
overflow the stack and kill the process), a NUL byte in the body (it used to get no answer), a control
character in image_url (it used to be fetched cut at the NUL), a 1 MB model name (it used to be echoed whole),
and POST / echoing prediction_count as asked."""
import json
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_support import ImageHandler, ImageServer, Server, check, model_repo  # noqa: E402


def raw(port, body, path="/v1/classify", content_type="application/json", timeout=20):
    """Sends one POST as bytes on a fresh socket; returns (status, parsed JSON body) or (None, None)."""
    head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(head + body)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    if not data.startswith(b"HTTP/1.1 "):
        return None, None
    status = int(data[9:12])
    payload = data.split(b"\r\n\r\n", 1)[1]
    try:
        return status, json.loads(payload)
    except ValueError:
        return status, None


images = ImageServer()
server = Server(model_repo(["tiny"]), "--allow-private-urls")
port = server.port


def alive():
    status, doc = raw(port, b"", path="/healthz")
    return server.proc.poll() is None


# --- nesting depth ---------------------------------------------------------------------------------------
for field, path in [("prediction_count", "/"), ("top_k", "/v1/classify")]:
    deep = b'{"image_url": "http://127.0.0.1/x.jpg", "' + field.encode() + b'": ' + b"[" * 100000 + \
        b"]" * 100000 + b"}"
    status, doc = raw(port, deep, path=path)
    check(status == 400 and "32" in doc["error"]["message"] and "nested" in doc["error"]["message"],
          f"{field} nested 100,000 deep: 400 naming the depth limit ({doc and doc['error']['message']})")
    check(server.proc.poll() is None, "the server is still running after it")
status, doc = raw(port, b"[" * 33 + b"]" * 33)
check(status == 400 and "nested" in doc["error"]["message"], "33 levels are refused")
status, doc = raw(port, json.dumps({"image_url": "http://127.0.0.1/x.jpg",
                                     "top_k": [[[1]]]}).encode())
check(status == 400 and "top_k" in doc["error"]["message"], "a shallow array in top_k: 400 naming top_k")
deep_unclosed = b'{"top_k": ' + b"[" * 1000000
status, doc = raw(port, deep_unclosed)
check(status == 400 and server.proc.poll() is None, "1,000,000 unclosed brackets: 400, still running")

# --- NUL bytes and control characters ----------------------------------------------------------------------
good = images.url("photo.jpg")
for body in [b'{"image_url": "' + good.encode() + b'"}\0', b'{"image_url": "' + good.encode() + b'"}\0garbage',
             b'\0', b'{"image_url": "http://a\0b/x.jpg"}']:
    status, doc = raw(port, body, timeout=10)
    check(status == 400 and "NUL" in doc["error"]["message"], f"raw NUL in a JSON body {body[:20]!r}…: 400")
    status, doc = raw(port, body, path="/", timeout=10)
    check(status == 400, "…and on POST / too")
hits = ImageHandler.hits
for url in ["http://127.0.0.1\\u0000.evil/x.jpg", good + "\\u0000", "http://127.0.0.1/\\u000a/x.jpg",
            good.replace("http://", "http://\\u007f")]:
    body = ('{"image_url": "' + url + '"}').encode()
    for path in ["/v1/classify", "/"]:
        status, doc = raw(port, body, path=path)
        check(status == 400 and doc["error"]["code"] == "invalid_url",
              f"{path} image_url {url[:40]}: 400 invalid_url ({doc and doc['error']['message']})")
check(ImageHandler.hits == hits, "no URL with a control character was fetched")
mp = (b"--b\r\nContent-Disposition: form-data; name=\"image_url\"\r\n\r\nhttp://127.0.0.1\0x/a.jpg\r\n--b--\r\n")
status, doc = raw(port, mp, content_type="multipart/form-data; boundary=b")
check(status == 400 and doc["error"]["code"] == "invalid_url", "a multipart image_url with a NUL: 400")

# --- echoed client text is bounded ----------------------------------------------------------------------
big = "m" * 1000000
for what, body, path, ctype in [
        ("model name", json.dumps({"image_url": good, "model": big}).encode(), "/v1/classify", "application/json"),
        ("unknown field", json.dumps({big: 1}).encode(), "/v1/classify", "application/json"),
        ("top_k string", b"x", "/v1/classify?top_k=" + "9" * 30 + "x" * 5000, "image/jpeg"),
        ("Content-Type", b"x", "/v1/classify", "text/" + "x" * 8000),
        ("query model", open(os.path.join(os.environ["SLUICE_TEST_IMAGES_DIR"], "photo.jpg"), "rb").read(),
         "/v1/classify?model=" + "%01" * 50 + big[:5000], "image/jpeg"),
        ("path", b"", "/" + "p" * 5000, "application/json")]:
    status, doc = raw(port, body, path=path, content_type=ctype)
    message = doc["error"]["message"] if doc else ""
    check(status in (400, 404, 413, 415) and len(message) < 300 and "bytes)" in message,
          f"{what} of {len(body) or len(path)} bytes: {status}, echoed in {len(message)} chars: {message[:150]}")
status, doc = raw(port, json.dumps({"image_url": good, "model": "a\u0001b\nc"}).encode())
check(status == 404 and "a\\x01b\\x0ac" in doc["error"]["message"],
      "control characters in an echoed model name are escaped: " + doc["error"]["message"])

# --- POST / echoes prediction_count as asked ----------------------------------------------------------------
for asked, shown in [(1000000000, 1000000000), ("7", 7), (3, 3)]:
    status, doc = raw(port, json.dumps({"image_url": good, "prediction_count": asked}).encode(), path="/")
    check(status == 200 and doc["parameters"]["prediction_count"] == shown and
          len(doc["predictions"]) <= 10, f"POST / prediction_count {asked!r} is echoed as {shown}")
status, doc = raw(port, json.dumps({"image_url": good, "prediction_count": 2 ** 70}).encode(), path="/")
check(status == 400 and "prediction_count" in doc["error"]["message"], "prediction_count 2^70: 400")

check(alive(), "the server answers /healthz at the end")
check(server.stop() == 0, "SIGTERM: exit 0")
