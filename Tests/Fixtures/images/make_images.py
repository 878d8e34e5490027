#!/usr/bin/env python3
"""Makes the image fixtures of the header tests with Pillow and ImageMagick.

The outputs are committed, so tests need neither tool; run this again (it
needs `pip install pillow` and ImageMagick's `convert`) to remake them.
Each file name ends with the size its header must report, as displayed.
"""
import io
import os
import subprocess

from PIL import Image

here = os.path.dirname(os.path.abspath(__file__))


def gradient(width, height, mode="RGB"):
    image = Image.new("RGB", (width, height))
    image.putdata([((x * 7) % 256, (y * 5) % 256, (x + y) % 256) for y in range(height) for x in range(width)])
    return image.convert(mode)


def save(name, image, **options):
    image.save(os.path.join(here, name), **options)


save("baseline_64x48.jpg", gradient(64, 48), quality=85)
save("progressive_65x33.jpg", gradient(65, 33), quality=80, progressive=True)
save("grayscale_20x10.jpg", gradient(20, 10, "L"))
for orientation, name in [(6, "exif6_30x40.jpg"), (3, "exif3_40x30.jpg"), (8, "exif8_30x40.jpg")]:
    exif = Image.Exif()
    exif[0x0112] = orientation
    save(name, gradient(40, 30), exif=exif.tobytes())
save("rgb_33x17.png", gradient(33, 17))
save("palette_16x16.png", gradient(16, 16).convert("P"))
save("rgba_10x12.png", gradient(10, 12, "RGBA"))
frames = [gradient(24, 18).rotate(angle) for angle in (0, 90, 180)]
frames[0].save(os.path.join(here, "animated_24x18.gif"), save_all=True, append_images=frames[1:], duration=100, loop=0)
save("lossy_50x30.webp", gradient(50, 30), quality=70)
save("lossless_31x29.webp", gradient(31, 29), lossless=True)
save("alpha_12x20.webp", gradient(12, 20, "RGBA"), quality=70)
frames[0].save(os.path.join(here, "animated_24x18.webp"), save_all=True, append_images=frames[1:], duration=100)
save("little_endian_21x13.tif", gradient(21, 13))
save("pillow_19x23.avif", gradient(19, 23))

convert = ["convert", "-size", "45x27", "gradient:red-blue"]
subprocess.run(convert + ["-depth", "16", os.path.join(here, "magick_16bit_45x27.png")], check=True)
subprocess.run(convert + ["-endian", "MSB", "-compress", "none", os.path.join(here, "magick_big_endian_45x27.tif")], check=True)
subprocess.run(convert + ["-interlace", "Plane", "-quality", "70", os.path.join(here, "magick_progressive_45x27.jpg")], check=True)
subprocess.run(convert + ["-colorspace", "CMYK", os.path.join(here, "magick_cmyk_45x27.jpg")], check=True)

with open(os.path.join(here, "not_an_image.txt"), "w") as text:
    text.write("front_full_body.jpg is a name, not an image\n")
