#!/usr/bin/python3
"""End-to-end, over raw sockets: images that are small on the wire and huge in memory. TIFFs whose
directories disagree about dimensions, hold one huge tile, or repeat a dimension tag are refused before
decoding; 8 concurrent 40-megapixel PNGs (~116 KB each) are bounded by --max-decode-pixels-in-flight. Peak RSS
(VmHWM) of the server must stay within a stated bound above its baseline."""
import io
import json
import os
import socket
import struct
import sys
import threading
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_support import Server, check, model_repo  # noqa: E402
from PIL import Image  # noqa: E402

MB = 1024 * 1024


def post(port, body, ctype="image/tiff", timeout=120):
    head = (f"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\n"
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
    try:
        return int(data[9:12]), json.loads(data.split(b"\r\n\r\n", 1)[1])
    except ValueError:
        return int(data[9:12]), None


def vm_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def tiff(directories):
    """A little-endian classic TIFF; each directory is a list of (tag, type, value) for single values, and may
    hold 'data' (bytes) that offset tags 273/324 point at. Directories are chained in order."""
    out = bytearray(b"II*\0" + struct.pack("<I", 8))
    # Lay out: header, then for each directory its IFD followed by its data.
    offsets = []
    pos = 8
    for d in directories:
        entries = d["entries"]
        ifd_size = 2 + 12 * (len(entries) + 1) + 4  # +1 for the data-offset entry
        offsets.append(pos)
        pos += ifd_size + len(d["data"])
    for i, d in enumerate(directories):
        entries = list(d["entries"])
        data_at = offsets[i] + 2 + 12 * (len(entries) + 1) + 4
        entries.append((d["offset_tag"], 4, data_at))
        entries.append((d["offset_tag"] + 1, 4, len(d["data"])))  # 273→274 is wrong; fixed below
        entries = entries[:-1]
        entries = sorted(entries)
        ifd = struct.pack("<H", len(entries))
        for tag, typ, value in entries:
            ifd += struct.pack("<HHI", tag, typ, 1) + (struct.pack("<HH", value, 0) if typ == 3
                                                       else struct.pack("<I", value))
        nxt = offsets[i + 1] if i + 1 < len(directories) else 0
        ifd += struct.pack("<I", nxt)
        out += ifd + d["data"]
    return bytes(out)


def directory(width, height, tile=None, data=b"", extra=()):
    entries = [(256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 8 if tile else 1), (262, 3, 1),
               (277, 3, 1)]
    if tile:
        entries += [(322, 4, tile[0]), (323, 4, tile[1]), (325, 4, len(data))]
        return {"entries": entries + list(extra), "data": data, "offset_tag": 324}
    entries += [(278, 4, height), (279, 4, len(data))]
    return {"entries": entries + list(extra), "data": data, "offset_tag": 273}


small = directory(64, 64, data=bytes(64 * 64))
big_tile = 30000
deflated_tile = zlib.compress(bytes(big_tile * big_tile), 9)  # 900 MB of zeros in ~0.9 MB
attacks = {
    "one 30000x30000 tile in a 64x64 image": tiff([directory(64, 64, tile=(big_tile, big_tile),
                                                             data=deflated_tile)]),
    "IFD0 64x64, IFD1 30000x30000": tiff([small, directory(big_tile, big_tile, data=bytes(1000))]),
    "ImageWidth given twice (64, then 30000)": tiff([directory(64, 64, data=bytes(64 * 64),
                                                               extra=[(256, 4, big_tile)])]),
}

repo = model_repo(["tiny"])
server = Server(repo, "--workers", "8", "--no-access-log")
pid = server.proc.pid
ok_png = io.BytesIO()
Image.new("RGB", (64, 64), (200, 10, 10)).save(ok_png, "PNG")
status, _ = post(server.port, ok_png.getvalue(), "image/png")
check(status == 200, "a small PNG is classified")
status, _ = post(server.port, tiff([small]), "image/tiff")
check(status == 200, "a well-formed 64x64 strip TIFF is classified")
baseline = vm_kb(pid, "VmRSS")
print(f"baseline RSS {baseline / 1024:.0f} MB")

for name, body in attacks.items():
    results = []

    def one():
        results.append(post(server.port, body))

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r[0] for r in results)
    message = results[0][1]["error"]["message"] if results[0][1] else ""
    check(all(s in (413, 422) for s in statuses),
          f"TIFF {name} ({len(body) // 1024} KB) x4: {statuses}: {message}")
peak_tiff = vm_kb(pid, "VmHWM")
print(f"peak RSS after the TIFF attacks {peak_tiff / 1024:.0f} MB (+{(peak_tiff - baseline) / 1024:.0f} MB)")
check(peak_tiff - baseline < 200 * 1024, "the TIFF attacks add less than 200 MB to the peak RSS")

# 8 concurrent 40-megapixel PNGs (under --max-pixels): at most 4 x 40 M pixels decode at once by default.
png = io.BytesIO()
Image.new("RGB", (8000, 5000), (0, 0, 0)).save(png, "PNG", optimize=True)
png = png.getvalue()
results = []


def big():
    results.append(post(server.port, png, "image/png"))


threads = [threading.Thread(target=big) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
statuses = sorted(r[0] for r in results)
peak = vm_kb(pid, "VmHWM")
print(f"8 concurrent 40 MP PNGs of {len(png) // 1024} KB: {statuses}; peak RSS {peak / 1024:.0f} MB "
      f"(+{(peak - baseline) / 1024:.0f} MB over the baseline)")
check(all(s in (200, 503) for s in statuses) and statuses.count(200) >= 1,
      "each 40 MP PNG is classified or refused with 503 (decode budget)")
check(peak - baseline < 1400 * 1024, "peak RSS stays under baseline + 1400 MB (4 x 40 MP decoding at once, ~270 MB each)")
status, _ = post(server.port, ok_png.getvalue(), "image/png")
check(status == 200, "a small PNG is still classified afterwards")
check(server.stop() == 0, "SIGTERM: exit 0")
