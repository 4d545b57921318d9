#!/usr/bin/python3
"""Writes the images that tests/serve/vision decodes, and what PIL and torchvision make of them.

Run with Debian's interpreter (Pillow 9.4, torch 1.13.1, torchvision 0.14.1; the same libtorch_cpu.so that the
C++ side links, which is why the preprocessing comparison can be bit-exact):

    /usr/bin/python3 tools/make_test_images.py OUT_DIR

Everything is seeded, so a rerun writes the same bytes. It does nothing when OUT_DIR/manifest.json is newer
than this script (ctest runs it as a fixture before every test run).

OUT_DIR/manifest.json lists every image:
    file, type ("jpeg", "png", "webp", "bmp", "tiff" or "unknown"), header_width/header_height (what the header
    declares, before any EXIF rotation), and either
    error: "unsupported" | "invalid_input" | "resource_exhausted" (what decode_rgb must answer), or
    width/height: the decoded size after EXIF rotation; rgb: a file of height*width*3 bytes (HWC, RGB);
    exact: whether decode_rgb must match rgb byte for byte (lossy formats: see the test for the bound);
    preprocess: {spec name: file of float32 little-endian CHW values} (empty for the orient* images).
and "specs" describes each preprocessing spec (mode "shorter" or "stretch", resize, crop_width,
crop_height; ImageNet mean/std throughout).

rgb is PIL's `ImageOps.exif_transpose(img).convert("RGB")`, except for TIFF (Pillow 9.4 applies the
Orientation tag while loading a TIFF and exif_transpose then applies it again; rgb is rotated once) and for
16-bit images: PIL 9.4 opens a 16-bit
grayscale PNG as mode "I" and convert("RGB") clips every value above 255 to white. sluice keeps the high byte
instead (v >> 8, as libpng's strip_16 and torchvision's integer convert_image_dtype do), and rgb records that.

The preprocess files are torchvision's tensor pipeline applied to rgb:
    pil_to_tensor-like uint8 CHW → F.resize(size, antialias=True) → F.center_crop → convert_image_dtype(float)
    → F.normalize(ImageNet mean, std).
"""
import io
import json
import os
import struct
import sys
import zlib

# numpy, torch, torchvision and PIL are imported in main(), after the up-to-date check: importing torch alone
# takes a second and ctest runs this before every test run.
np = torch = F = Image = ImageOps = None

SEED = 20240611
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
SPECS = {
    "r256_c224": {"mode": "shorter", "resize": 256, "crop_width": 224, "crop_height": 224},
    "r342_c299": {"mode": "shorter", "resize": 342, "crop_width": 299, "crop_height": 299},
    # crop larger than the resized image: torchvision pads with zeros before cropping
    "r200_c224": {"mode": "shorter", "resize": 200, "crop_width": 224, "crop_height": 224},
    "r256_c200x160": {"mode": "shorter", "resize": 256, "crop_width": 200, "crop_height": 160},
    "stretch_200x160": {"mode": "stretch", "resize": 0, "crop_width": 200, "crop_height": 160},
}


def photo(rng, w, h):
    """Smooth gradients, a few soft blobs and mild noise: JPEG behaves as it does on photographs."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 128 + 100 * np.sin(x / w * 3.1 + 0.5) * np.cos(y / h * 2.3)
    g = 40 + 180 * (x + y) / (w + h)
    b = 128 + 90 * np.cos(np.hypot(x - w * 0.6, y - h * 0.4) / 25.0)
    img = np.stack([r, g, b], axis=-1)
    img += rng.normal(0, 6, img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def exif_bytes(orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width, height):
    """A valid PNG signature and IHDR declaring width×height RGB, with one tiny IDAT: a decoder that trusts it
    allocates gigabytes; a header check refuses it in microseconds."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (1 + 3 * 64), 9)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def encode(img, fmt, **kw):
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def build_images(rng):
    """(file name, bytes, expected error or None, rgb override or None, exact)."""
    out = []
    base = photo(rng, 640, 427)
    out.append(("photo.jpg", encode(Image.fromarray(base), "JPEG", quality=90), None, None, False))

    small = photo(rng, 200, 150)
    alpha = (np.add.outer(np.arange(150), np.arange(200)) % 256).astype(np.uint8)
    rgba = np.dstack([small, alpha])
    out.append(("alpha.png", encode(Image.fromarray(rgba, "RGBA"), "PNG"), None, None, True))

    gray = photo(rng, 123, 77)[..., 1]
    out.append(("gray.png", encode(Image.fromarray(gray, "L"), "PNG"), None, None, True))

    g16 = (rng.integers(0, 65536, (61, 97))).astype(np.uint16)
    g16[0, :8] = [0, 255, 256, 32767, 32768, 65279, 65280, 65535]
    g16_rgb = np.repeat((g16 >> 8).astype(np.uint8)[..., None], 3, axis=2)
    out.append(("gray16.png", encode(Image.fromarray(g16, "I;16"), "PNG"), None, g16_rgb, True))

    pal = Image.fromarray(photo(rng, 90, 70)).quantize(colors=32)
    pal.info["transparency"] = 3
    out.append(("palette.png", encode(pal, "PNG", transparency=3), None, None, True))

    rot = Image.fromarray(photo(rng, 320, 240))
    out.append(("exif6.jpg", encode(rot, "JPEG", quality=92, exif=exif_bytes(6)), None, None, False))
    out.append(("exif3.png", encode(Image.fromarray(photo(rng, 64, 48)), "PNG", exif=exif_bytes(3)), None,
                None, True))
    out.append(("exif8.tiff", encode(Image.fromarray(photo(rng, 72, 40)), "TIFF", exif=exif_bytes(8)), None,
                None, True))

    cmyk = Image.fromarray(photo(rng, 160, 120)).convert("CMYK")
    out.append(("cmyk.jpg", encode(cmyk, "JPEG", quality=95), None, None, False))

    webp = Image.fromarray(photo(rng, 150, 100))
    out.append(("lossless.webp", encode(webp, "WEBP", lossless=True), None, None, True))
    out.append(("lossy.webp", encode(webp, "WEBP", quality=80), None, None, False))
    out.append(("image.bmp", encode(Image.fromarray(photo(rng, 131, 97)), "BMP"), None, None, True))
    out.append(("image.tiff", encode(Image.fromarray(photo(rng, 143, 89)), "TIFF"), None, None, True))
    out.append(("tiny.png", encode(Image.fromarray(np.array([[[200, 30, 90]]], np.uint8)), "PNG"), None, None,
                True))

    # Every EXIF orientation, on JPEG (applied by sluice) and TIFF (applied by OpenCV's TIFF decoder).
    tile = Image.fromarray(photo(rng, 24, 16))
    for orientation in range(2, 9):
        out.append((f"orient{orientation}.jpg", encode(tile, "JPEG", quality=95, exif=exif_bytes(orientation)),
                    None, None, False))
        out.append((f"orient{orientation}.tiff", encode(tile, "TIFF", exif=exif_bytes(orientation)), None, None,
                    True))

    # OpenCV 4.6 cannot decode animated WebP (Pillow would return the first frame).
    frames = [Image.fromarray(photo(rng, 20, 10)) for _ in range(3)]
    anim = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100, loop=0)
    out.append(("anim.webp", anim, "invalid_input", None, False))
    out.append(("bomb.png", bomb_png(50000, 50000), "resource_exhausted", None, False))
    jpeg = out[0][1]
    out.append(("truncated.jpg", jpeg[: len(jpeg) * 3 // 5], "invalid_input", None, False))
    garbage = bytearray(rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    garbage[:4] = b"\x00GRB"  # no image magic starts with these bytes
    out.append(("garbage.bin", bytes(garbage), "unsupported", None, False))
    return out


def pil_rgb(data):
    img = Image.open(io.BytesIO(data))
    fmt, header_size = img.format, img.size
    img.load()
    if fmt != "TIFF":
        img = ImageOps.exif_transpose(img)
    # else Pillow 9.4 already applied the TIFF Orientation tag in load_end() and left it in getexif(), so
    # exif_transpose would rotate a second time; the image is meant to be shown rotated once.
    return fmt, header_size, np.array(img.convert("RGB"))


def preprocess(rgb, spec):
    t = torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1)  # as F.pil_to_tensor does
    if spec["mode"] == "shorter":
        t = F.resize(t, spec["resize"], antialias=True)
    else:
        t = F.resize(t, [spec["crop_height"], spec["crop_width"]], antialias=True)
    t = F.center_crop(t, [spec["crop_height"], spec["crop_width"]])
    t = F.convert_image_dtype(t, torch.float)
    t = F.normalize(t, MEAN, STD)
    return t.contiguous().numpy().astype("<f4").tobytes()


TYPES = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "BMP": "bmp", "TIFF": "tiff"}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_test_images.py OUT_DIR")
    out_dir = sys.argv[1]
    manifest_path = os.path.join(out_dir, "manifest.json")
    if os.path.exists(manifest_path) and os.path.getmtime(manifest_path) > os.path.getmtime(__file__):
        return
    global np, torch, F, Image, ImageOps
    import numpy as np
    import torch
    import torchvision.transforms.functional as F
    from PIL import Image, ImageOps

    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    rng = np.random.default_rng(SEED)
    entries = []
    for name, data, error, rgb_override, exact in build_images(rng):
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
        entry = {"file": name}
        if name == "bomb.png":
            entry.update(type="png", header_width=50000, header_height=50000, error=error)
        elif name == "garbage.bin":
            entry.update(type="unknown", error=error)
        elif error is not None:
            img = Image.open(io.BytesIO(data))
            entry.update(type=TYPES[img.format], header_width=img.size[0], header_height=img.size[1], error=error)
        else:
            fmt, (w, h), rgb = pil_rgb(data)
            if rgb_override is not None:
                rgb = rgb_override
            entry.update(type=TYPES[fmt], header_width=w, header_height=h, width=rgb.shape[1],
                         height=rgb.shape[0], exact=exact, rgb=name + ".rgb", preprocess={})
            with open(os.path.join(out_dir, entry["rgb"]), "wb") as f:
                f.write(rgb.tobytes())
            for spec_name, spec in ({} if name.startswith("orient") else SPECS).items():
                file = f"{name}.{spec_name}.f32"
                with open(os.path.join(out_dir, file), "wb") as f:
                    f.write(preprocess(rgb, spec))
                entry["preprocess"][spec_name] = file
        entries.append(entry)
    tmp = manifest_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"mean": MEAN, "std": STD, "specs": SPECS, "images": entries}, f, indent=1)
    os.replace(tmp, manifest_path)


if __name__ == "__main__":
    main()
