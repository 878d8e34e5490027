#!/usr/bin/env python3
"""Seeds of the zip target: small archives as real tools write them (Info-ZIP
zip, 7-Zip, Python's zipfile), stored and deflated, ZIP64, encrypted, BZip2,
with data descriptors, comments, Unicode names and directories, and hostile
ones (a quoted-overlap bomb, a ZIP64 record with offsets near 2^64)."""
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
corpus = os.path.abspath(sys.argv[1])
work = tempfile.mkdtemp(prefix="zip-seeds-")
noise = random.Random(7)


def write(path, data):
    path = os.path.join(work, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as file:
        file.write(data)


write("notes.txt", b"".join(b"line %d\n" % n for n in range(400)))
write("noise.bin", noise.randbytes(700))
write("empty.txt", b"")
write("photos/front_full_body.jpg", open(os.path.join(root, "Fixtures/images/baseline_64x48.jpg"), "rb").read())
write("photos/back.png", open(os.path.join(root, "Fixtures/images/palette_16x16.png"), "rb").read())
write("caf\u00e9 \u2615.txt", b"coffee")
os.makedirs(os.path.join(work, "photos/empty"), exist_ok=True)
files = ["notes.txt", "noise.bin", "empty.txt", "photos", "caf\u00e9 \u2615.txt"]


def tool(name, *arguments):
    subprocess.run(arguments, cwd=work, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.move(os.path.join(work, name), os.path.join(corpus, "seed-" + name))


tool("infozip.zip", "zip", "-q", "-r", "infozip.zip", *files)
tool("infozip-stored.zip", "zip", "-q", "-r", "-0", "infozip-stored.zip", *files)
tool("infozip-zip64.zip", "zip", "-q", "-fz", "infozip-zip64.zip", "notes.txt", "noise.bin")
tool("infozip-encrypted.zip", "zip", "-q", "-P", "secret", "infozip-encrypted.zip", "notes.txt", "noise.bin")
subprocess.run("cat notes.txt | zip -q - - > infozip-stream.zip", shell=True, cwd=work, check=True)
shutil.move(os.path.join(work, "infozip-stream.zip"), os.path.join(corpus, "seed-infozip-stream.zip"))
tool("infozip-comment.zip", "sh", "-c", "zip -q -z infozip-comment.zip notes.txt <<END\na comment\nEND")
tool("7z.zip", "7z", "a", "-tzip", "-bd", "-bso0", "7z.zip", *files)
tool("7z-bzip2.zip", "7z", "a", "-tzip", "-mm=BZip2", "-bd", "-bso0", "7z-bzip2.zip", "notes.txt")
tool("7z-aes.zip", "7z", "a", "-tzip", "-psecret", "-mem=AES256", "-bd", "-bso0", "7z-aes.zip", "notes.txt")

with zipfile.ZipFile(os.path.join(corpus, "seed-python.zip"), "w") as z:
    z.writestr("deflated.txt", b"deflated " * 50, zipfile.ZIP_DEFLATED)
    z.writestr("stored.txt", b"stored", zipfile.ZIP_STORED)
    z.writestr("gr\u00fc\u00dfe/\u65e5\u672c.txt", b"utf-8 flag", zipfile.ZIP_DEFLATED)
    z.mkdir("folder")
    info = zipfile.ZipInfo("legacy-folder")
    info.external_attr = 0x10
    z.writestr(info, b"")
with open(os.path.join(corpus, "seed-python-stream.zip"), "wb") as out:
    class Unseekable:
        def write(self, data):
            return out.write(data)

        def flush(self):
            out.flush()
    with zipfile.ZipFile(Unseekable(), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.txt", b"streamed " * 40)
        with z.open("b.bin", "w", force_zip64=True) as entry:
            entry.write(noise.randbytes(300))
with zipfile.ZipFile(os.path.join(corpus, "seed-empty.zip"), "w"):
    pass

# Every size and offset in ZIP64 extra fields, with a ZIP64 end record and locator.
out, central = bytearray(), bytearray()
for name, method, data in [(b"notes.txt", 8, b"zip64 " * 80), (b"noise.bin", 0, noise.randbytes(200))]:
    payload = data
    if method:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        payload = compressor.compress(data) + compressor.flush()
    crc, offset = zlib.crc32(data), len(out)
    extra = struct.pack("<HHQQ", 1, 16, len(data), len(payload))
    out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, method, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(extra))
    out += name + extra + payload
    extra = struct.pack("<HHQQQ", 1, 24, len(data), len(payload), offset)
    central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, method, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                           len(name), len(extra), 0, 0, 0, 0, 0xFFFFFFFF) + name + extra
directory = len(out)
out += central
record = len(out)
out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 2, 2, len(central), directory)
out += struct.pack("<IIQI", 0x07064B50, 0, record, 1)
out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
with open(os.path.join(corpus, "seed-zip64-extra-fields.zip"), "wb") as file:
    file.write(out)
# The same with its first offset near 2^64.
hostile = bytearray(out)
at = hostile.index(struct.pack("<Q", 0), hostile.index(b"PK\x01\x02") + 46 + 9 + 4 + 16)
struct.pack_into("<Q", hostile, at, 2**64 - 16)
with open(os.path.join(corpus, "seed-zip64-offset-near-2-64.zip"), "wb") as file:
    file.write(hostile)

bomb = os.path.join(root, "Fixtures/archives/make_overlap_bomb.py")
subprocess.run([sys.executable, bomb, os.path.join(corpus, "seed-overlap-bomb.zip"), "6", "1"], check=True)
shutil.rmtree(work)
