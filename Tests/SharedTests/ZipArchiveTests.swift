import Foundation
import NIOCore
import Shared
import Testing
import TestSupport

/// The ZIP reader on archives made at test time by real tools (Info-ZIP zip,
/// 7-Zip, Python's zipfile), on hand-patched ones that lie, and on damaged input.
@Suite("ZIP archives")
struct ZipArchiveTests {
    private let scratch: ZipScratch

    init() throws {
        scratch = try ZipScratch()
        // Sources: compressible text (several 256 KiB chunks), incompressible noise, an empty file.
        try scratch.write("notes.txt", Array((1...100_000).map { "line \($0)\n" }.joined().utf8))
        try scratch.write("noise.bin", pseudoRandomBytes(300_000, seed: 1))
        try scratch.write("photos/beach.jpg", pseudoRandomBytes(5_000, seed: 2))
        try scratch.write("empty.txt", [])
        try FileManager.default.createDirectory(atPath: scratch.path("photos/empty"), withIntermediateDirectories: true)
    }

    /// Every file entry's bytes equal the source file of the same name.
    private func expectRoundTrip(_ archive: ZipArchive, count: Int) async throws {
        #expect(archive.fileEntries.count == count)
        for entry in archive.fileEntries {
            #expect(try await readWhole(archive, entry) == scratch.read(entry.path), "\(entry.path)")
        }
    }

    // MARK: Real tools

    @Test func infoZipDeflatedAndStoredEntriesRoundTripByteForByte() async throws {
        try scratch.run("/usr/bin/zip", "-q", "-r", "-n", ".bin", "a.zip", "notes.txt", "noise.bin", "photos", "empty.txt")
        let archive = try await ZipArchive(path: scratch.path("a.zip"))
        #expect(Set(archive.fileEntries.map(\.compressionMethod)) == [0, 8])
        try await expectRoundTrip(archive, count: 4)
    }

    @Test func pythonStoredAndDeflatedEntriesRoundTripByteForByte() async throws {
        try scratch.python("""
            import zipfile
            with zipfile.ZipFile('p.zip', 'w') as z:
                z.write('notes.txt', compress_type=zipfile.ZIP_DEFLATED)
                z.write('noise.bin', compress_type=zipfile.ZIP_STORED)
                z.write('empty.txt', compress_type=zipfile.ZIP_DEFLATED)
            """)
        let archive = try await ZipArchive(path: scratch.path("p.zip"))
        #expect(archive.fileEntries.map(\.compressionMethod) == [8, 0, 8])
        try await expectRoundTrip(archive, count: 3)
    }

    @Test func sevenZipEntriesRoundTripByteForByte() async throws {
        try scratch.run("/usr/bin/7z", "a", "-tzip", "-bd", "-bso0", "-bsp0", "s.zip", "notes.txt", "noise.bin", "photos")
        let archive = try await ZipArchive(path: scratch.path("s.zip"))
        #expect(archive.fileEntries.contains { $0.compressionMethod == 8 })
        try await expectRoundTrip(archive, count: 3)
    }

    @Test func chunksNeverExceedTheChunkSize() async throws {
        try scratch.run("/usr/bin/zip", "-q", "a.zip", "notes.txt")
        let archive = try await ZipArchive(path: scratch.path("a.zip"))
        var reader = try await archive.reader(for: archive.entries[0], chunkSize: 4096)
        var bytes: [UInt8] = []
        while let chunk = try await reader.next() {
            #expect(chunk.readableBytes > 0 && chunk.readableBytes <= 4096)
            bytes += chunk.readableBytesView
        }
        #expect(bytes == (try scratch.read("notes.txt")))
        #expect(try await reader.next() == nil)
    }

    @Test func directoriesAreListedAsDirectoriesAndNotAsFiles() async throws {
        try scratch.run("/usr/bin/zip", "-q", "-r", "a.zip", "photos")
        // Python: a mkdir entry, and a legacy one marked only by the MS-DOS attribute 0x10.
        try scratch.python("""
            import zipfile
            with zipfile.ZipFile('p.zip', 'w') as z:
                z.mkdir('made-by-python')
                info = zipfile.ZipInfo('legacy-folder')
                info.external_attr = 0x10
                z.writestr(info, b'')
                z.writestr('legacy-folder/file.txt', b'x')
            """)
        let zip = try await ZipArchive(path: scratch.path("a.zip"))
        #expect(zip.entries.filter(\.isDirectory).map(\.path) == ["photos/", "photos/empty/"])
        #expect(zip.fileEntries.map(\.path) == ["photos/beach.jpg"])
        #expect(try await readWhole(zip, zip.entries[0]).isEmpty)
        let python = try await ZipArchive(path: scratch.path("p.zip"))
        #expect(python.entries.map(\.isDirectory) == [true, true, false])
        #expect(python.fileEntries.map(\.path) == ["legacy-folder/file.txt"])
    }

    @Test func dataDescriptorsFromStreamingWritersAreRead() async throws {
        // Info-ZIP from a pipe to a pipe cannot seek back, so sizes follow the data.
        try scratch.shell("cat notes.txt | /usr/bin/zip -q - - | cat > stream.zip")
        let streamed = try await ZipArchive(path: scratch.path("stream.zip"))
        #expect(streamed.entries.map(\.path) == ["-"])
        #expect(streamed.entries[0].flags & 0x8 != 0)
        #expect(try await readWhole(streamed, streamed.entries[0]) == scratch.read("notes.txt"))
        // Python to a non-seekable stdout, including a ZIP64 (64-bit) data descriptor.
        try scratch.shell("""
            /usr/bin/python3 -c "
            import sys, zipfile
            with zipfile.ZipFile(sys.stdout.buffer, 'w', zipfile.ZIP_DEFLATED) as z:
                z.write('notes.txt')
                with z.open('noise.bin', 'w', force_zip64=True) as f: f.write(open('noise.bin', 'rb').read())
            " | cat > python.zip
            """)
        let python = try await ZipArchive(path: scratch.path("python.zip"))
        #expect(python.entries.allSatisfy { $0.flags & 0x8 != 0 })
        try await expectRoundTrip(python, count: 2)
    }

    @Test func zip64RecordsFromInfoZipAreHonoured() async throws {
        try scratch.run("/usr/bin/zip", "-q", "-fz", "z.zip", "notes.txt", "noise.bin")
        #expect(try scratch.read("z.zip").firstRange(of: [0x50, 0x4B, 0x06, 0x06]) != nil)  // ZIP64 EOCD record
        try await expectRoundTrip(try await ZipArchive(path: scratch.path("z.zip")), count: 2)
    }

    @Test func zip64ExtraFieldsForEverySizeAndOffsetAreHonoured() async throws {
        try scratch.python(handBuiltZip64)
        try scratch.run("/usr/bin/unzip", "-tq", "z64.zip")  // a real tool agrees it is valid
        let archive = try await ZipArchive(path: scratch.path("z64.zip"))
        #expect(archive.entries.map(\.path) == ["notes.txt", "noise.bin"])
        #expect(archive.entries.map(\.compressionMethod) == [8, 0])
        try await expectRoundTrip(archive, count: 2)
    }

    // MARK: Names

    @Test func namesWithoutTheUTF8FlagAreCP437() async throws {
        // zipfile would set the UTF-8 flag for "é", so write a placeholder and patch in CP437 0x82.
        try scratch.python("""
            import zipfile
            with zipfile.ZipFile('n.zip', 'w') as z:
                z.writestr('cafQ.jpg', b'jpeg')
                z.writestr('table-' + 'Q' * 128, b'')
            data = open('n.zip', 'rb').read()
            data = data.replace(b'cafQ.jpg', b'caf\\x82.jpg').replace(b'Q' * 128, bytes(range(0x80, 0x100)))
            open('n.zip', 'wb').write(data)
            open('expected.txt', 'w', encoding='utf-8').write(bytes(range(0x80, 0x100)).decode('cp437'))
            """)
        let archive = try await ZipArchive(path: scratch.path("n.zip"))
        let expected = try String(contentsOfFile: scratch.path("expected.txt"), encoding: .utf8)
        #expect(archive.entries.map(\.path) == ["café.jpg", "table-" + expected])
        #expect(archive.entries.allSatisfy { $0.flags & 0x800 == 0 })
        #expect(try await readWhole(archive, archive.entries[0]) == Array("jpeg".utf8))
    }

    @Test func namesWithTheUTF8FlagAreUTF8() async throws {
        try scratch.python("""
            import zipfile
            with zipfile.ZipFile('u.zip', 'w') as z: z.writestr('grüße/日本語.txt', b'hi')
            """)
        let archive = try await ZipArchive(path: scratch.path("u.zip"))
        #expect(archive.entries.map(\.path) == ["grüße/日本語.txt"])
        #expect(archive.entries[0].flags & 0x800 != 0)
    }

    @Test func unflaggedUTF8NamesFromInfoZipOnLinuxStayUTF8() async throws {
        try scratch.write("café ☕.txt", Array("coffee".utf8))
        try scratch.run("/usr/bin/zip", "-q", "a.zip", "café ☕.txt")
        let archive = try await ZipArchive(path: scratch.path("a.zip"))
        #expect(archive.entries.map(\.path) == ["café ☕.txt"])
        #expect(archive.entries[0].flags & 0x800 == 0)
    }

    // MARK: Entries to skip

    @Test func anEncryptedEntryIsFlaggedAndTheEntriesAfterItAreStillRead() async throws {
        try scratch.write("secret.txt", Array("the password is swordfish".utf8))
        try scratch.run("/usr/bin/zip", "-q", "-P", "s", "a.zip", "secret.txt")
        try scratch.run("/usr/bin/zip", "-q", "a.zip", "notes.txt", "noise.bin")
        let archive = try await ZipArchive(path: scratch.path("a.zip"))
        #expect(archive.entries.map(\.path) == ["secret.txt", "notes.txt", "noise.bin"])
        #expect(archive.entries.map(\.isEncrypted) == [true, false, false])
        await #expect(throws: ZipArchiveError.encryptedEntry(path: "secret.txt")) { _ = try await archive.reader(for: archive.entries[0]) }
        for entry in archive.entries.dropFirst() {
            #expect(try await readWhole(archive, entry) == scratch.read(entry.path))
        }
    }

    @Test func bzip2EntriesAreFlaggedUnsupported() async throws {
        try scratch.run("/usr/bin/7z", "a", "-tzip", "-mm=BZip2", "-bd", "-bso0", "-bsp0", "b.zip", "notes.txt")
        let archive = try await ZipArchive(path: scratch.path("b.zip"))
        let entry = try #require(archive.entries.first)
        #expect(entry.compressionMethod == 12 && !entry.isSupported)
        await #expect(throws: ZipArchiveError.unsupportedCompression(path: "notes.txt", method: 12)) {
            _ = try await archive.reader(for: entry)
        }
    }

    // MARK: Limits

    @Test func tooManyFilesIsRefusedButDirectoriesDoNotCount() async throws {
        try scratch.run("/usr/bin/zip", "-q", "-r", "a.zip", "notes.txt", "noise.bin", "photos")  // 3 files, 2 folders
        #expect(try await ZipArchive(path: scratch.path("a.zip"), limits: .init(maxEntries: 3)).entries.count == 5)
        let error = await #expect(throws: ZipArchiveError.tooManyEntries(count: 3, limit: 2)) {
            _ = try await ZipArchive(path: scratch.path("a.zip"), limits: .init(maxEntries: 2))
        }
        #expect(error?.description == "The archive has 3 files; the limit is 2.")
    }

    @Test func aDeclaredTotalOverTheLimitIsRefused() async throws {
        try scratch.run("/usr/bin/zip", "-q", "a.zip", "notes.txt", "noise.bin")
        await #expect(throws: ZipArchiveError.tooLargeInTotal(limit: 800_000)) {
            _ = try await ZipArchive(path: scratch.path("a.zip"), limits: .init(maxTotalBytes: 800_000))
        }
    }

    @Test func anArchiveWideRatioOverTheLimitIsRefused() async throws {
        try scratch.run("/usr/bin/zip", "-q", "a.zip", "notes.txt")  // 1.2 MB at about 3:1
        await #expect(throws: ZipArchiveError.compressionRatioTooHigh(limit: 2)) {
            _ = try await ZipArchive(path: scratch.path("a.zip"), limits: .init(maxRatio: 2, ratioAppliesAbove: 1000))
        }
        // Below `ratioAppliesAbove` the ratio does not matter.
        _ = try await ZipArchive(path: scratch.path("a.zip"), limits: .init(maxRatio: 2, ratioAppliesAbove: 2_000_000))
    }

    @Test func anEntryOverMaxEntryBytesIsFlaggedAndTheOthersAreStillRead() async throws {
        try scratch.run("/usr/bin/zip", "-q", "a.zip", "notes.txt", "photos/beach.jpg")
        let archive = try await ZipArchive(path: scratch.path("a.zip"), limits: .init(maxEntryBytes: 100_000))
        #expect(archive.entries.map(\.exceedsEntryLimit) == [true, false])
        await #expect(throws: ZipArchiveError.entryTooLarge(path: "notes.txt", limit: 100_000)) {
            _ = try await archive.reader(for: archive.entries[0])
        }
        #expect(try await readWhole(archive, archive.entries[1]) == scratch.read("photos/beach.jpg"))
    }

    @Test func entriesReadAgainCountTowardTheTotal() async throws {
        try scratch.run("/usr/bin/zip", "-q", "a.zip", "notes.txt")
        let size = try scratch.read("notes.txt").count
        let archive = try await ZipArchive(path: scratch.path("a.zip"), limits: .init(maxTotalBytes: size * 3 / 2))
        _ = try await readWhole(archive, archive.entries[0])
        await #expect(throws: ZipArchiveError.tooLargeInTotal(limit: size * 3 / 2)) { try await readWhole(archive, archive.entries[0]) }
        #expect(archive.inflatedBytes <= UInt64(size * 3 / 2 + 1))
    }

    @Test func anHonestZipBombIsRefused() async throws {
        try scratch.python(zerosArchive(declaring: nil))
        await #expect(throws: ZipArchiveError.compressionRatioTooHigh(limit: 200)) {
            _ = try await ZipArchive(path: scratch.path("zeros.zip"))
        }
        // With enough incompressible company the archive passes, but the entry itself is flagged.
        try scratch.run("/usr/bin/zip", "-q", "-0", "zeros.zip", "noise.bin")
        try scratch.run("/usr/bin/zip", "-q", "-0", "zeros.zip", "notes.txt")
        let archive = try await ZipArchive(path: scratch.path("zeros.zip"))
        #expect(archive.entries.map(\.exceedsEntryLimit) == [true, false, false])
        await #expect(throws: ZipArchiveError.entryCompressionRatioTooHigh(path: "zeros.bin", limit: 200)) {
            _ = try await archive.reader(for: archive.entries[0])
        }
    }

    @Test func aCentralDirectoryThatUnderstatesTheSizeStopsInflatingAtOnce() async throws {
        // 50 MB of zeros whose central directory and local header both claim 1000 bytes.
        try scratch.python(zerosArchive(declaring: 1000))
        let archive = try await ZipArchive(path: scratch.path("zeros.zip"))
        #expect(archive.entries[0].uncompressedSize == 1000 && !archive.entries[0].exceedsEntryLimit)
        let error = try await #require(throws: ZipArchiveError.self) { try await readWhole(archive, archive.entries[0]) }
        guard case .corruptEntry(path: "zeros.bin", _) = error else { Issue.record("\(error)"); return }
        #expect(archive.inflatedBytes <= 1001)
    }

    // MARK: Damage

    @Test func aFlippedByteFailsTheCRCCheck() async throws {
        try scratch.python("""
            import zipfile
            with zipfile.ZipFile('c.zip', 'w') as z:
                z.writestr('stored.txt', b'The quick brown fox jumps over the lazy dog. ' * 100, zipfile.ZIP_STORED)
            data = bytearray(open('c.zip', 'rb').read())
            data[data.index(b'lazy') + 1] ^= 0x20
            open('c.zip', 'wb').write(bytes(data))
            """)
        let archive = try await ZipArchive(path: scratch.path("c.zip"))
        let error = try await #require(throws: ZipArchiveError.self) { try await readWhole(archive, archive.entries[0]) }
        #expect(error == .corruptEntry(path: "stored.txt", reason: "its CRC-32 does not match its bytes"))
        #expect(error.description == "\"stored.txt\" is damaged: its CRC-32 does not match its bytes.")
    }

    @Test func aFlippedByteInDeflatedDataIsACorruptEntry() async throws {
        try scratch.run("/usr/bin/zip", "-q", "a.zip", "notes.txt")
        var bytes = try scratch.read("a.zip")
        bytes[bytes.count / 3] ^= 0x55  // inside the compressed data
        try scratch.write("a.zip", bytes)
        let archive = try await ZipArchive(path: scratch.path("a.zip"))
        let error = try await #require(throws: ZipArchiveError.self) { try await readWhole(archive, archive.entries[0]) }
        guard case .corruptEntry(path: "notes.txt", _) = error else { Issue.record("\(error)"); return }
    }

    @Test func filesThatAreNotZipsAreRefused() async throws {
        try scratch.write("photo.jpg", [0xFF, 0xD8, 0xFF, 0xE0, 0, 16] + pseudoRandomBytes(4000, seed: 3))
        try scratch.write("text.txt", Array("PK is not enough to be a zip\n".utf8))
        for name in ["photo.jpg", "text.txt", "empty.txt", "noise.bin"] {
            await #expect(throws: ZipArchiveError.notAZip) { _ = try await ZipArchive(path: scratch.path(name)) }
        }
        await #expect(throws: ZipArchiveError.self) { _ = try await ZipArchive(path: scratch.path("missing.zip")) }
    }

    @Test func aCutShortZipIsRefusedWithoutACrash() async throws {
        try scratch.run("/usr/bin/zip", "-q", "-r", "a.zip", "notes.txt", "noise.bin", "photos")
        let whole = try scratch.read("a.zip")
        try scratch.write("front.zip", Array(whole.prefix(whole.count / 2)))
        await #expect(throws: ZipArchiveError.notAZip) { _ = try await ZipArchive(path: scratch.path("front.zip")) }
        try scratch.write("back.zip", Array(whole.suffix(whole.count / 2)))  // the directory points before the start
        await #expect(throws: ZipArchiveError.truncated) { _ = try await ZipArchive(path: scratch.path("back.zip")) }
    }

    @Test func anEmptyArchiveOpensWithNoEntries() async throws {
        try scratch.python("import zipfile; zipfile.ZipFile('e.zip', 'w').close()")
        #expect(try await ZipArchive(path: scratch.path("e.zip")).entries.isEmpty)
    }

    // MARK: Hostile offsets, sizes and overlaps

    /// Opens `bytes` as an archive, from memory.
    private func open(_ bytes: [UInt8], limits: ZipLimits = .init()) async throws -> ZipArchive {
        try await ZipArchive(source: MemorySource(bytes), limits: limits)
    }

    @Test func theHandBuiltZip64ArchiveIsValidAsBuilt() async throws {
        let archive = try await open(try HostileArchive.zip64())
        #expect(try await readWhole(archive, archive.entries[0]) == Array(String(repeating: "front full body ", count: 64).utf8))
    }

    @Test(arguments: [
        (nil, nil, UInt64.max - 15), (nil, nil, UInt64.max), (UInt64.max - 20, nil, nil), (UInt64.max, nil, 0),
        (1 << 62, nil, 1 << 62), (nil, nil, 1 << 40), (1 << 40, nil, nil), (nil, UInt64.max, nil),
    ] as [(UInt64?, UInt64?, UInt64?)])
    func zip64SizesAndOffsetsNearTwoToThe64AreNotAReadableZip(_ compressed: UInt64?, _ uncompressed: UInt64?, _ offset: UInt64?) async throws {
        let bytes = try HostileArchive.zip64(compressedSize: compressed, uncompressedSize: uncompressed, localHeaderOffset: offset)
        if uncompressed != nil {  // a huge declared size alone is a limit, not damage
            await #expect(throws: ZipArchiveError.tooLargeInTotal(limit: ZipLimits().maxTotalBytes)) { _ = try await open(bytes) }
            return
        }
        let error = await #expect(throws: ZipArchiveError.corruptArchive(reason: "an entry's data lies outside the archive")) {
            _ = try await open(bytes)
        }
        #expect(error?.description == "The file is not a readable ZIP archive: an entry's data lies outside the archive.")
    }

    @Test(arguments: [(UInt64.max - 10, nil), (nil, UInt64.max - 10), (UInt64.max, UInt64.max), (1 << 63, 1 << 63)] as [(UInt64?, UInt64?)])
    func aZip64EndRecordPointingPastTheFileIsNotAReadableZip(_ offset: UInt64?, _ size: UInt64?) async throws {
        let bytes = try HostileArchive.zip64(directoryOffset: offset, directorySize: size)
        let error = try await #require(throws: ZipArchiveError.self) { _ = try await open(bytes) }
        #expect(error.description.hasPrefix("The file is not a readable ZIP archive: "), "\(error)")
    }

    @Test func theFuzzersZip64SizeNearTwoToThe64IsNotAReadableZip() async throws {
        // Found by Tests/Fuzz/zip's harness run on the reader before these checks (a compressed
        // size of 2^64 - 243 in a ZIP64 field): computing the entry's span trapped.
        let bytes = Array(try Data(contentsOf: Fixtures.directory.appendingPathComponent("archives/fuzz-zip64-span-overflow.zip")))
        await #expect(throws: ZipArchiveError.corruptArchive(reason: "an entry's data lies outside the archive")) { _ = try await open(bytes) }
    }

    @Test func everyEntrySpanIsWithinTheArchive() async throws {
        try scratch.run("/usr/bin/zip", "-q", "-r", "a.zip", "notes.txt", "noise.bin", "photos", "empty.txt")
        let bytes = try scratch.read("a.zip")
        let archive = try await open(bytes)
        #expect(archive.entries.allSatisfy { $0.approximateSpan.upperBound <= UInt64(bytes.count) })
    }

    @Test func aFifieldOverlapBombIsRefusedAtOnce() async throws {
        // 40 entries of 20 MiB each from 130 KB; every declared ratio is under 200:1.
        let bomb = try HostileArchive.overlapBomb(entries: 40, kernelMiB: 20)
        #expect(bomb.count < 200_000)
        let error = await #expect(throws: ZipArchiveError.overlappingEntries(first: "front_full_body_0000.jpg", second: "front_full_body_0001.jpg")) {
            _ = try await open(bomb)
        }
        #expect(error?.description.contains("overlap") == true)
    }

    @Test func entriesSharingOneLocalHeaderAreRefused() async throws {
        // The "full overlap" construction: many central records, one local file.
        try scratch.python("""
            import struct, zipfile
            with zipfile.ZipFile('a.zip', 'w', zipfile.ZIP_DEFLATED) as z:
                z.writestr('front_full_body.jpg', b'x' * 100000)
            data = open('a.zip', 'rb').read()
            start = data.index(b'PK\\x01\\x02'); end = data.index(b'PK\\x05\\x06')
            record = data[start:end]
            copies = [record.replace(b'front_full_body.jpg', b'front_full_body.j%02d' % n) for n in range(50)]
            directory = b''.join(copies)
            eocd = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 50, 50, len(directory), start, 0)
            open('a.zip', 'wb').write(data[:start] + directory + eocd)
            """)
        let error = try await #require(throws: ZipArchiveError.self) { _ = try await ZipArchive(path: scratch.path("a.zip")) }
        guard case .overlappingEntries = error else { Issue.record("\(error)"); return }
    }

    @Test func compressedSizesAddingUpToMoreThanTheArchiveAreRefused() async throws {
        try scratch.run("/usr/bin/zip", "-q", "a.zip", "notes.txt", "noise.bin")
        let original = try scratch.read("a.zip")
        let directory = try #require(original.firstRange(of: [0x50, 0x4B, 0x01, 0x02])).lowerBound
        func claiming(_ size: Int) -> [UInt8] {
            var bytes = original
            for (index, byte) in withUnsafeBytes(of: UInt32(size).littleEndian, Array.init).enumerated() { bytes[directory + 20 + index] = byte }
            return bytes
        }
        // The first entry claims everything up to the central directory: alone it would fit, not with the second.
        await #expect(throws: ZipArchiveError.overlappingEntries(first: "notes.txt", second: "noise.bin")) {
            _ = try await open(claiming(directory - 30 - "notes.txt".utf8.count))
        }
        // More than the whole archive.
        await #expect(throws: ZipArchiveError.corruptArchive(reason: "an entry's data lies outside the archive")) {
            _ = try await open(claiming(original.count))
        }
    }

    @Test func aLocalHeaderWhoseExtraFieldReachesIntoTheNextEntryIsRefused() async throws {
        // The local header's extra length (unchecked by the central directory) pushes the data start.
        try scratch.run("/usr/bin/zip", "-q", "-0", "a.zip", "photos/beach.jpg", "notes.txt")
        var bytes = try scratch.read("a.zip")
        bytes[28] = 0x00
        bytes[29] = 0x20  // 8 KiB of "extra field": past the 5,000-byte entry
        let archive = try await open(bytes)
        let error = await #expect(throws: ZipArchiveError.self) { _ = try await archive.reader(for: archive.entries[0]) }
        #expect(error == .corruptArchive(reason: "the data of \"photos/beach.jpg\" runs into what follows it"))
    }

    @Test func aDeflateStreamEndingBeforeItsDeclaredCompressedSizeIsACorruptEntry() async throws {
        // 4 KiB of padding after the stream, counted in both compressed sizes.
        try scratch.python("""
            import struct, zipfile
            with zipfile.ZipFile('a.zip', 'w', zipfile.ZIP_DEFLATED) as z:
                z.writestr('notes.txt', b'line of text\\n' * 10000)
            data = bytearray(open('a.zip', 'rb').read())
            start = data.index(b'PK\\x01\\x02')
            size = struct.unpack_from('<I', data, 18)[0]
            data[30 + 9 + size:30 + 9 + size] = bytes(4096)
            start += 4096
            struct.pack_into('<I', data, 18, size + 4096)
            struct.pack_into('<I', data, start + 20, size + 4096)
            struct.pack_into('<I', data, len(data) - 6, start)
            open('a.zip', 'wb').write(bytes(data))
            """)
        let archive = try await ZipArchive(path: scratch.path("a.zip"))
        let error = try await #require(throws: ZipArchiveError.self) { try await readWhole(archive, archive.entries[0]) }
        guard case .corruptEntry(path: "notes.txt", let reason) = error else { Issue.record("\(error)"); return }
        #expect(reason.hasPrefix("its compressed data ends after ") && reason.hasSuffix(" bytes declared"), "\(reason)")
    }

    @Test func aFewBytesAreReadWithoutInflatingMore() async throws {
        try scratch.run("/usr/bin/zip", "-q", "a.zip", "notes.txt")
        let archive = try await ZipArchive(path: scratch.path("a.zip"))
        var reader = try await archive.reader(for: archive.entries[0])
        let head = try #require(try await reader.next(maxBytes: 16))
        #expect(Array(head.readableBytesView) == Array("line 1\nline 2\nli".utf8))
        #expect(archive.inflatedBytes == 16)
        var rest = Array(head.readableBytesView)
        while let chunk = try await reader.next() { rest += chunk.readableBytesView }
        #expect(rest == (try scratch.read("notes.txt")))
    }

    // MARK: Names, hostile

    @Test func namesLongerThanTheLimitAreRefusedAndNamesAtItAreRead() async throws {
        try scratch.python("""
            import zipfile
            with zipfile.ZipFile('at.zip', 'w') as z: z.writestr('a/' * 511 + 'bc', b'x')
            with zipfile.ZipFile('over.zip', 'w') as z: z.writestr('a/' * 511 + 'bcd', b'x')
            """)
        #expect(try await ZipArchive(path: scratch.path("at.zip")).entries[0].path.utf8.count == 1024)
        let error = await #expect(throws: ZipArchiveError.nameTooLong(limit: 1024)) {
            _ = try await ZipArchive(path: scratch.path("over.zip"))
        }
        #expect(error?.description == "The archive has a file name longer than 1024 bytes, the limit.")
    }

    @Test func aUnicodePathFieldLongerThanTheLimitIsRefusedToo() async throws {
        // Info-ZIP's Unicode Path extra field (0x7075) names the entry instead of its short legacy name.
        for (name, length) in [("at", 1024), ("over", 1025)] {
            try scratch.python("""
                import struct, zipfile, zlib
                info = zipfile.ZipInfo('x.txt')
                unicode = ('\\u00e9' * 512 + 'a')[:\(length - 512)].encode()
                info.extra = struct.pack('<HHBI', 0x7075, 5 + len(unicode), 1, zlib.crc32(b'x.txt')) + unicode
                with zipfile.ZipFile('\(name).zip', 'w') as z: z.writestr(info, b'x')
                """)
        }
        #expect(try await ZipArchive(path: scratch.path("at.zip")).entries[0].path.utf8.count == 1024)
        await #expect(throws: ZipArchiveError.nameTooLong(limit: 1024)) { _ = try await ZipArchive(path: scratch.path("over.zip")) }
    }

    @Test func nulBytesAndInvalidUTF8InNamesBecomeReplacementCharacters() async throws {
        // zipfile cuts names at NUL: write placeholders and patch the bytes in.
        try scratch.python("""
            import zipfile
            with zipfile.ZipFile('n.zip', 'w') as z:
                z.writestr('nulQ.jpg', b'a')
                z.writestr(zipfile.ZipInfo('bad-\\u00e9-WWW.jpg'), b'b')
            data = open('n.zip', 'rb').read()
            data = data.replace(b'nulQ.jpg', b'nul\\x00.jpg').replace(b'WWW', b'\\xff\\xfe\\xc3')
            open('n.zip', 'wb').write(data)
            """)
        let archive = try await ZipArchive(path: scratch.path("n.zip"))
        #expect(archive.entries[1].flags & 0x800 != 0)  // flagged UTF-8, yet invalid
        #expect(archive.entries.map(\.path) == ["nul\u{FFFD}.jpg", "bad-\u{E9}-\u{FFFD}\u{FFFD}\u{FFFD}.jpg"])
        #expect(archive.entries.allSatisfy { !$0.path.utf8.contains(0) })
    }

    @Test func randomlyDamagedArchivesNeverCrash() async throws {
        try scratch.write("small.txt", Array(String(repeating: "small text ", count: 50).utf8))
        try scratch.run("/usr/bin/zip", "-q", "-r", "a.zip", "small.txt", "photos", "empty.txt")
        try scratch.python(handBuiltZip64.replacingOccurrences(of: "notes.txt", with: "small.txt")
            .replacingOccurrences(of: "noise.bin", with: "empty.txt"))
        var random = SplitMix64(seed: 42)
        for original in [try scratch.read("a.zip"), try scratch.read("z64.zip")] {
            for _ in 0..<300 {
                var bytes = original
                for _ in 0...random.next(below: 4) {
                    bytes[random.next(below: bytes.count)] ^= UInt8(1 + random.next(below: 255))
                }
                if random.next(below: 4) == 0 { bytes.removeLast(random.next(below: bytes.count)) }
                try scratch.write("fuzz.zip", bytes)
                guard let archive = try? await ZipArchive(path: scratch.path("fuzz.zip")) else { continue }
                for entry in archive.entries { _ = try? await readWhole(archive, entry) }
            }
        }
    }
}

// MARK: Helpers

private func readWhole(_ archive: ZipArchive, _ entry: ZipEntry) async throws -> [UInt8] {
    var reader = try await archive.reader(for: entry)
    var bytes: [UInt8] = []
    while let chunk = try await reader.next() { bytes += chunk.readableBytesView }
    return bytes
}

/// Python writing 50 MB of zeros, deflated; with `declaring`, both size fields are patched to lie.
private func zerosArchive(declaring size: Int?) -> String {
    """
    import struct, zipfile
    with zipfile.ZipFile('zeros.zip', 'w', zipfile.ZIP_DEFLATED) as z:
        with z.open('zeros.bin', 'w') as f:
            for _ in range(50): f.write(bytes(1 << 20))
    size = \(size.map(String.init) ?? "None")
    if size is not None:
        data = bytearray(open('zeros.zip', 'rb').read())
        struct.pack_into('<I', data, 22, size)                              # local header
        struct.pack_into('<I', data, data.index(b'PK\\x01\\x02') + 24, size)  # central directory
        open('zeros.zip', 'wb').write(bytes(data))
    """
}

/// Python building, with struct, an archive whose central directory keeps every size and
/// offset in ZIP64 extra fields, with a ZIP64 end record and locator.
private let handBuiltZip64 = """
    import struct, zlib
    out, central = bytearray(), bytearray()
    files = [('notes.txt', 8), ('noise.bin', 0)]
    for name, method in files:
        data = open(name, 'rb').read()
        if method == 8:
            c = zlib.compressobj(6, zlib.DEFLATED, -15); payload = c.compress(data) + c.flush()
        else:
            payload = data
        n, crc, offset = name.encode(), zlib.crc32(data), len(out)
        extra = struct.pack('<HHQQ', 1, 16, len(data), len(payload))
        out += struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, 0, method, 0, 0x21, crc,
                           0xFFFFFFFF, 0xFFFFFFFF, len(n), len(extra))
        out += n + extra + payload
        extra = struct.pack('<HHQQQ', 1, 24, len(data), len(payload), offset)
        central += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, 0, method, 0, 0x21, crc,
                               0xFFFFFFFF, 0xFFFFFFFF, len(n), len(extra), 0, 0, 0, 0, 0xFFFFFFFF) + n + extra
    cd_offset = len(out)
    out += central
    record = len(out)
    out += struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, len(files), len(files), len(central), cd_offset)
    out += struct.pack('<IIQI', 0x07064b50, 0, record, 1)
    out += struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    open('z64.zip', 'wb').write(bytes(out))
    """

private func pseudoRandomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var random = SplitMix64(seed: seed)
    return (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
}

extension SplitMix64 {
    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// An archive held in memory.
private final class MemorySource: ZipSource {
    let data: [UInt8]
    var size: UInt64 { UInt64(data.count) }

    init(_ data: [UInt8]) { self.data = data }

    func bytes(at offset: UInt64, count: Int) -> ByteBuffer {
        ByteBuffer(bytes: data[Int(offset)..<(Int(offset) + count)])
    }
}

/// A temporary folder for one test, removed afterwards, where the tools run.
private final class ZipScratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("zip-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
    }

    func read(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: url.appendingPathComponent(name))) }

    /// Runs a tool in the folder; throws with its output when it fails.
    func run(_ tool: String, _ arguments: String...) throws { try run(tool, arguments) }

    func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.currentDirectoryURL = url
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: printed, as: UTF8.self)
            throw ZipToolFailed(message: "\(tool) \(arguments) exited \(process.terminationStatus): \(text)")
        }
    }

    func python(_ script: String) throws { try run("/usr/bin/python3", "-c", script) }
    func shell(_ script: String) throws { try run("/bin/sh", "-c", script) }
}

private struct ZipToolFailed: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
