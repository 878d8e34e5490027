// zlib for the ZIP reader (Shared/Archives/ZipArchive.swift): raw inflate and CRC-32.
#include <zlib.h>
