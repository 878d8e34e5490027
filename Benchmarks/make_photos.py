#!/usr/bin/env python3
"""Writes photo-like JPEGs for benchmarks: smooth gradients, soft shapes and
sensor-like noise, so they compress like real photos (about 2.4 MB at
3000x4500, quality 90).

    make_photos.py OUTPUT_DIR COUNT WIDTH HEIGHT [NAME_PREFIX]
"""
import os
import random
import sys

from PIL import Image, ImageDraw, ImageFilter


def photo(width, height, seed):
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
    noise = Image.effect_noise((width, height), 24).convert("RGB")
    return Image.blend(image, noise, 0.15)


def main():
    output, count, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    prefix = sys.argv[5] if len(sys.argv) > 5 else "photo"
    os.makedirs(output, exist_ok=True)
    # Rendering is the slow part: render a few and vary them cheaply.
    bases = [photo(width, height, seed) for seed in range(min(count, 4))]
    for index in range(count):
        image = bases[index % len(bases)]
        if index >= len(bases):
            image = image.rotate(180) if index % 2 else image.transpose(Image.FLIP_LEFT_RIGHT)
            image = Image.blend(image, Image.effect_noise((width, height), 10 + index % 7).convert("RGB"), 0.05)
        image.save(os.path.join(output, f"{prefix}_{index:04d}.jpg"), quality=90)


if __name__ == "__main__":
    main()
