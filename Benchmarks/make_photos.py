#!/usr/bin/env python3
"""Writes photo-like JPEGs for benchmarks: smooth gradients, soft shapes and
sensor-like noise, so they compress like real photos (about 2.4 MB at
3000x4500, quality 90).

    make_photos.py OUTPUT_DIR COUNT WIDTH HEIGHT [NAME_PREFIX]
"""
import os
import sys

from PIL import Image

from make_archives import photo


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
