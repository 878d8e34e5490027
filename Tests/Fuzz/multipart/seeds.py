#!/usr/bin/env python3
"""Seeds of the multipart target: each fixture image as the `file` field of a
form body, as browsers and curl send it, behind the two bytes Harness.swift
reads first (how the body is split into reads, which boundary)."""
import os
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Fixtures", "images")
corpus = sys.argv[1]
boundaries = ["Boundary", "x", "----WebKitFormBoundary7MA4YWxkTrZu0gW"]


def form(boundary, parts, preamble=b""):
    body = preamble
    for headers, content in parts:
        body += b"--" + boundary.encode() + b"\r\n" + b"".join(h.encode() + b"\r\n" for h in headers) + b"\r\n" + content + b"\r\n"
    return body + b"--" + boundary.encode() + b"--\r\n"


for index, name in enumerate(sorted(os.listdir(root))):
    with open(os.path.join(root, name), "rb") as image:
        content = image.read()[:8000]
    which = index % len(boundaries)
    body = form(boundaries[which], [
        (['Content-Disposition: form-data; name="note"'], b"hello"),
        ([f'Content-Disposition: form-data; name="file"; filename="{name}"', "Content-Type: application/octet-stream"], content),
    ], preamble=b"preamble\r\n" if index % 2 else b"")
    with open(os.path.join(corpus, f"seed-{name}"), "wb") as seed:
        seed.write(bytes([index * 37 % 256, which]) + body)
tricky = form("x", [(['Content-Disposition: form-data; name="file"; filename="a.zip"'], b"\r\n--\r\n-x\r\n--y\r-\n\r\n")])
with open(os.path.join(corpus, "seed-near-misses"), "wb") as seed:
    seed.write(bytes([0, 1]) + tricky)
