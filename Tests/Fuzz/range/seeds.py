#!/usr/bin/env python3
"""Seeds of the Range target: the headers browsers and download resumers send,
and the ones that once trapped, against the sizes of the fixture images.
Each seed is the size (8 bytes, little-endian, shifted left with the low bit
choosing small or any size, as Harness.swift reads it) then the header."""
import os
import struct
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Fixtures", "images")
corpus = sys.argv[1]
sizes = sorted({os.path.getsize(os.path.join(root, name)) for name in os.listdir(root)})
headers = [
    "bytes=0-9", "bytes=100-", "bytes=-20", "bytes=10-999999", "bytes=0-1,5-6", "items=0-1", "bytes=99999-",
    "bytes=0-9223372036854775807", "bytes=-9223372036854775807", "bytes=9223372036854775807-",
    "bytes=0-99999999999999999999999", "bytes=0-0", "bytes=-0", "BYTES=1-2", "bytes= 3 - 4", "bytes=+1-2",
    "bytes=5-4", "bytes=--1", "bytes=",
]
for index, size in enumerate(sizes):
    for number, header in enumerate(headers):
        prefix = struct.pack("<Q", size << 1) if number % 2 == 0 else struct.pack("<Q", (size << 1) | 1)
        with open(os.path.join(corpus, f"seed-{index}-{number}"), "wb") as seed:
            seed.write(prefix + header.encode())
