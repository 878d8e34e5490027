#!/usr/bin/env python3
"""Writes the ZIP archives of the ingest benchmark, reproducibly (fixed seeds,
fixed timestamps: the same bytes on every run with the same Pillow/libjpeg):

    make_archives.py OUTPUT_DIR [typical] [bulk] [huge]     (default: typical bulk)

- typical: 24 photo-like JPEGs of 3000x4500 (~2.4 MB each, ~58 MB), one per
  shot type, named sku_look01_<view>_<framing>.jpg.
- bulk:    2,000 JPEGs of 800x1200 (~100 KB each, ~200 MB), bulk_0001.jpg ...
- huge:    the 24 typical photos copied under 830 distinct names
           (huge_0001.jpg ..., ~2.0 GB, under the 2 GiB upload limit); built
           from typical's photos, streamed, never held in memory.

Every archive is stored (no compression, as photos do not compress) and comes
with NAME.shot_types.tsv: name, view_angle, framing, file_naming_convention of
the shot types its entries match one to one. An archive already in
OUTPUT_DIR is kept (files are renamed into place only once complete).

The photos follow make_photos.py (smooth gradients, soft shapes, sensor-like
noise), except that the noise comes from a seeded Python RNG: Pillow's
effect_noise uses C rand(), which no seed here controls.
"""
import os
import random
import shutil
import sys
import zipfile
from multiprocessing import Pool

from PIL import Image, ImageDraw, ImageFilter

ANGLES = ["front", "back", "left", "right"]
FRAMINGS = ["full_body", "three_quarter_body", "upper_body", "lower_body", "close_up", "detail"]
HUGE_COUNT = 830
# Fixed entry timestamps, so the archives' bytes do not depend on file times.
ZIP_DATE = (2024, 1, 1, 0, 0, 0)


def noise(width, height, sigma, rng):
    """Grey noise around 128 with standard deviation `sigma` (uniform, seeded)."""
    spread = sigma * 3 ** 0.5 / 128
    grey = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    return grey.point(lambda v: int(128 + (v - 128) * spread)).convert("RGB")


def photo(width, height, seed):
    """A photo-like picture: smooth gradients, soft shapes and seeded sensor-like noise."""
    rng = random.Random(seed)
    small = Image.new("RGB", (max(width // 16, 1), max(height // 16, 1)))
    draw = ImageDraw.Draw(small)
    top = tuple(rng.randrange(256) for _ in range(3))
    bottom = tuple(rng.randrange(256) for _ in range(3))
    for y in range(small.height):
        t = y / max(small.height - 1, 1)
        draw.line([(0, y), (small.width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
    for _ in range(12):
        x, y = rng.randrange(small.width), rng.randrange(small.height)
        r = rng.randrange(4, max(small.width // 3, 5))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rng.randrange(256) for _ in range(3)))
    image = small.resize((width, height), Image.BICUBIC).filter(ImageFilter.GaussianBlur(3))
    return Image.blend(image, noise(width, height, 24, rng), 0.15)


# Rendering is the slow part: each pool process renders a few bases once and
# varies them cheaply per image (rotation or mirror, plus fresh seeded noise),
# so every image has distinct bytes and depends only on (seed, index).
_bases = []
_spec = None


def _start(width, height, quality, seed, base_count):
    global _bases, _spec
    _spec = (width, height, quality, seed)
    _bases = [photo(width, height, seed * 1000 + i) for i in range(base_count)]


def _render(job):
    index, path = job
    width, height, quality, seed = _spec
    image = _bases[index % len(_bases)]
    if index >= len(_bases):
        image = image.rotate(180) if index % 2 else image.transpose(Image.FLIP_LEFT_RIGHT)
        image = Image.blend(image, noise(width, height, 10 + index % 7, random.Random(seed * 1_000_003 + index)), 0.05)
    image.save(path, "JPEG", quality=quality)
    return path


def render(directory, names, width, height, quality, seed, base_count):
    os.makedirs(directory, exist_ok=True)
    jobs = [(i, os.path.join(directory, name)) for i, name in enumerate(names)]
    with Pool(os.cpu_count(), initializer=_start, initargs=(width, height, quality, seed, min(base_count, len(names)))) as pool:
        return pool.map(_render, jobs, chunksize=8)


def write_stored_zip(path, entries):
    """A stored ZIP of (name in archive, source file), copied in 1 MiB pieces."""
    temporary = path + ".partial"
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, source in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.file_size = os.path.getsize(source)
            with open(source, "rb") as src, archive.open(info, "w", force_zip64=info.file_size > 0x7FFF0000) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    os.replace(temporary, path)


def write_shot_types(path, rows):
    with open(path, "w") as out:
        for row in rows:
            out.write("\t".join(row) + "\n")


def typical_names():
    return [(a, f) for a in ANGLES for f in FRAMINGS]


def make_typical(output):
    photos = os.path.join(output, "typical")
    pairs = typical_names()
    names = [f"sku_look01_{a}_{f}.jpg" for a, f in pairs]
    if not all(os.path.exists(os.path.join(photos, n)) for n in names):
        render(photos, names, 3000, 4500, 90, seed=1, base_count=4)
    write_shot_types(os.path.join(output, "typical.shot_types.tsv"),
                     [(f"{a} {f}".replace("_", " ").capitalize(), a, f, f"{a} {f}".replace("_", " ")) for a, f in pairs])
    zip_path = os.path.join(output, "typical.zip")
    if not os.path.exists(zip_path):
        write_stored_zip(zip_path, [(n, os.path.join(photos, n)) for n in names])
    return zip_path


def make_bulk(output):
    photos = os.path.join(output, "bulk")
    names = [f"bulk_{i:04d}.jpg" for i in range(1, 2001)]
    zip_path = os.path.join(output, "bulk.zip")
    write_shot_types(os.path.join(output, "bulk.shot_types.tsv"),
                     [(f"Bulk {i:04d}", "front", "full_body", f"bulk {i:04d}") for i in range(1, 2001)])
    if not os.path.exists(zip_path):
        # Quality 82 makes ~100 KB per image, ~200 MB in all.
        render(photos, names, 800, 1200, 82, seed=2, base_count=8)
        write_stored_zip(zip_path, [(n, os.path.join(photos, n)) for n in names])
        shutil.rmtree(photos)
    return zip_path


def make_huge(output):
    make_typical(output)
    photos = os.path.join(output, "typical")
    sources = [os.path.join(photos, f"sku_look01_{a}_{f}.jpg") for a, f in typical_names()]
    write_shot_types(os.path.join(output, "huge.shot_types.tsv"),
                     [(f"Huge {i:04d}", "front", "full_body", f"huge {i:04d}") for i in range(1, HUGE_COUNT + 1)])
    zip_path = os.path.join(output, "huge.zip")
    if not os.path.exists(zip_path):
        write_stored_zip(zip_path, [(f"huge_{i:04d}.jpg", sources[(i - 1) % len(sources)]) for i in range(1, HUGE_COUNT + 1)])
    return zip_path


def main():
    output = sys.argv[1]
    wanted = sys.argv[2:] or ["typical", "bulk"]
    os.makedirs(output, exist_ok=True)
    makers = {"typical": make_typical, "bulk": make_bulk, "huge": make_huge}
    for name in wanted:
        path = makers[name](output)
        with zipfile.ZipFile(path) as archive:
            count = len(archive.infolist())
        print(f"{name}: {path} {count} entries, {os.path.getsize(path) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
