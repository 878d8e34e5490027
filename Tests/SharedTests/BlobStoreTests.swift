import Crypto
import Foundation
import NIOCore
import PostgresNIO
import Shared
import Testing
import TestSupport

/// Both blob stores, through the same tests.
@Suite("Blob stores")
struct BlobStoreTests {
    enum Backend: String, CaseIterable, Sendable { case postgres, filesystem }

    /// Runs `body` with a store of the given kind over a fresh database or directory.
    private func withStore(_ backend: Backend, _ body: (any BlobStore, Database, String) async throws -> Void) async throws {
        try await TestDatabase.withFresh { url in
            try await TestDatabase.withDatabase(url) { database in
                let directory = NSTemporaryDirectory() + "blobs-" + UUID().uuidString
                defer { try? FileManager.default.removeItem(atPath: directory) }
                let store: any BlobStore =
                    switch backend {
                    case .postgres: PostgresBlobStore(database: database)
                    case .filesystem: try FilesystemBlobStore(root: directory)
                    }
                try await body(store, database, directory)
            }
        }
    }

    /// Deterministic bytes that do not repeat with the chunk size.
    private func bytes(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
        var state = UInt32(seed) &* 2_654_435_761
        return (0..<count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }

    /// A source yielding `data` in uneven chunks, as a network would.
    private func source(_ data: [UInt8]) -> () async throws -> ByteBuffer? {
        var offset = 0
        var step = 1
        return {
            guard offset < data.count else { return nil }
            step = step * 7 % 300_007 + 1000
            let end = min(offset + step, data.count)
            defer { offset = end }
            return ByteBuffer(bytes: data[offset..<end])
        }
    }

    private func readAll(_ store: any BlobStore, _ key: String, range: Range<Int>? = nil) async throws -> [UInt8] {
        var result: [UInt8] = []
        try await store.read(key, range: range) { result += $0.readableBytesView }
        return result
    }

    private func sha256(_ data: [UInt8]) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    private func storedCount(_ backend: Backend, _ database: Database, _ directory: String) async throws -> Int {
        switch backend {
        case .postgres:
            return try await database.client.query("SELECT count(*) FROM blobs").one(Int.self)
        case .filesystem:
            let files = FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []
            return files.filter { !$0.hasPrefix(".staging") && $0.hasPrefix("sha256/") && $0.split(separator: "/").count == 3 }.count
        }
    }

    // MARK: Tests

    @Test(arguments: Backend.allCases)
    func aBlobReadsBackAsWrittenWholeAndInRanges(_ backend: Backend) async throws {
        try await withStore(backend) { store, _, _ in
            let data = bytes(3 * 1024 * 1024 + 12_345)
            let blob = try await store.put(.contentAddressed(maxBytes: 10 << 20), from: source(data))
            #expect(blob.size == data.count && blob.sha256 == sha256(data))
            #expect(blob.key == "sha256/\(blob.sha256.prefix(2))/\(blob.sha256)")
            #expect(try await store.size(of: blob.key) == data.count)
            #expect(try await readAll(store, blob.key) == data)
            let mebibyte = 1 << 20
            for range in [0..<10, mebibyte - 5..<mebibyte + 5, data.count - 3..<data.count, 2 * mebibyte..<3 * mebibyte + 1, 7..<7] {
                #expect(try await readAll(store, blob.key, range: range) == Array(data[range]), "\(range)")
            }
        }
    }

    /// How the worker reads an uploaded archive from the postgres store: in
    /// place, any range as stored; in order, each chunk is fetched once; and
    /// what a reader fetches is what `fetches(reading:)` said it would.
    @Test func aPostgresBlobReadInPlaceGivesAnyRangeAndFetchesEachChunkOnceInOrder() async throws {
        try await withStore(.postgres) { store, _, _ in
            let postgres = try #require(store as? PostgresBlobStore)
            let chunk = PostgresBlobStore.chunkSize
            let data = bytes(20 * chunk + 12_345)
            let blob = try await store.put(.contentAddressed(maxBytes: 100 << 20), from: source(data))
            let size = UInt64(data.count)

            let ranges: [Range<UInt64>] = [
                0..<10, UInt64(chunk) - 5..<UInt64(chunk) + 5, size - 3..<size, 2 * UInt64(chunk)..<5 * UInt64(chunk) + 1, 7..<7,
            ]
            let reader = try await postgres.reader(of: blob.key)
            #expect(reader.size == size && reader.chunkCount == 21)
            for range in ranges {
                let read = try await reader.bytes(at: range.lowerBound, count: range.count)
                #expect(Array(read.readableBytesView) == Array(data[Int(range.lowerBound)..<Int(range.upperBound)]), "\(range)")
            }

            let pieces = stride(from: UInt64(0), to: size, by: 100_000).map { $0..<Swift.min($0 + 100_000, size) }
            var random = SplitMix64(seed: 3)
            for order in [pieces, pieces.shuffled(using: &random)] {
                let fresh = try await postgres.reader(of: blob.key)
                var read: [UInt8] = []
                for piece in order { read += try await fresh.bytes(at: piece.lowerBound, count: piece.count).readableBytesView }
                #expect(read.count == data.count)
                #expect(fresh.fetchedChunks == fresh.fetches(reading: order))
                if order == pieces {
                    #expect(read == data)
                    #expect(fresh.fetchedChunks == 21)
                } else {
                    #expect(fresh.fetchedChunks > 2 * 21, "out of order, most reads miss the chunks kept")
                }
            }
        }
    }

    /// Both stores read in place: the filesystem's file at any cost, the
    /// postgres blob while the order fetches its chunks at most twice over.
    @Test(arguments: Backend.allCases)
    func aStoredBlobIsReadInPlaceAndItsReaderSaysWhichOrdersAreCheap(_ backend: Backend) async throws {
        try await withStore(backend) { store, _, _ in
            let chunk = UInt64(PostgresBlobStore.chunkSize)
            let data = bytes(11 * Int(chunk) + 99)
            let blob = try await store.put(.contentAddressed(maxBytes: 100 << 20), from: source(data))
            let reader = try #require(try await store.readerInPlace(of: blob.key))
            #expect(reader.size == UInt64(data.count))
            let read = try await reader.bytes(at: chunk - 3, count: 10)
            #expect(Array(read.readableBytesView) == Array(data[Int(chunk) - 3..<Int(chunk) + 7]))

            let inOrder = (0..<12).map { $0 * chunk..<Swift.min(($0 + 1) * chunk, UInt64(data.count)) }
            // Three passes over more chunks than a postgres reader keeps: each fetches them all again.
            let threePasses = inOrder + inOrder + inOrder
            #expect(reader.readsCheaply(inOrder: inOrder))
            #expect(reader.readsCheaply(inOrder: threePasses) == (backend == .filesystem))

            await #expect(throws: BlobStoreError.notFound("sha256/00/missing")) {
                _ = try await store.readerInPlace(of: "sha256/00/missing")
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func anEmptyBlobIsStoredAndReadBack(_ backend: Backend) async throws {
        try await withStore(backend) { store, _, _ in
            let blob = try await store.put(.contentAddressed(maxBytes: 10), from: source([]))
            #expect(blob.size == 0)
            #expect(try await store.size(of: blob.key) == 0)
            #expect(try await readAll(store, blob.key).isEmpty)
        }
    }

    /// One chunk or less, and more (the second copy then written and dropped).
    @Test(arguments: Backend.allCases, [100_000, 1_500_000])
    func theSameBytesAreStoredOnce(_ backend: Backend, size: Int) async throws {
        try await withStore(backend) { store, database, directory in
            let data = bytes(size, seed: 2)
            let first = try await store.put(.contentAddressed(maxBytes: 2 << 20), from: source(data))
            let second = try await store.put(.contentAddressed(maxBytes: 2 << 20), from: source(data))
            #expect(first == second)
            #expect(try await storedCount(backend, database, directory) == 1)
            #expect(try await readAll(store, first.key) == data)
            if backend == .postgres {
                let chunks = try await database.client.query("SELECT count(*) FROM blob_chunks").one(Int.self)
                #expect(chunks == (size + PostgresBlobStore.chunkSize - 1) / PostgresBlobStore.chunkSize)
            }
        }
    }

    /// One chunk or less is written by one statement, more in a transaction: both race the same way.
    @Test(arguments: Backend.allCases, [100_000, 1_500_000])
    func concurrentWritesOfTheSameBytesNeitherFailNorDuplicate(_ backend: Backend, size: Int) async throws {
        try await withStore(backend) { store, database, directory in
            let data = bytes(size, seed: 3)
            let results = try await withThrowingTaskGroup(of: StoredBlob.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await store.put(.contentAddressed(maxBytes: 2 << 20), from: source(data)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 6)
            #expect(Set(results.map(\.key)).count == 1)
            #expect(try await storedCount(backend, database, directory) == 1)
            #expect(try await readAll(store, results[0].key) == data)
        }
    }

    /// Small blobs beyond one statement's worth, repeats among them, an empty
    /// one, and blobs of several chunks, through one `putMany`.
    @Test(arguments: Backend.allCases)
    func putManyStoresEveryBlobOnceByTheTimeItReturns(_ backend: Backend) async throws {
        try await withStore(backend) { store, database, directory in
            var blobs = (0..<300).map { bytes(2_000 + $0 * 37, seed: UInt8($0 % 200)) }
            blobs += [[], blobs[5], bytes(2_500_000, seed: 4), bytes(900_000, seed: 5), bytes(1_048_577, seed: 6), blobs[0]]
            let stored = try await store.putMany { writer in
                var stored: [StoredBlob] = []
                for data in blobs { stored.append(try await writer.put(.contentAddressed(maxBytes: 4 << 20), from: source(data))) }
                if backend == .filesystem {
                    // Named only after the one flush at the end.
                    #expect(try await store.size(of: stored[0].key) == nil)
                }
                return stored
            }
            #expect(stored.map(\.size) == blobs.map(\.count))
            #expect(stored.map(\.sha256) == blobs.map(sha256))
            #expect(try await storedCount(backend, database, directory) == Set(blobs).count)
            for (blob, data) in zip(stored, blobs) {
                #expect(try await readAll(store, blob.key) == data, "\(data.count) bytes")
            }
        }
    }

    /// Two archives of the same small images, written at once in opposite
    /// orders: each batch statement takes its names in one order, so neither
    /// waits on the other in a cycle (Postgres would fail one as a deadlock).
    @Test func writersOfTheSameSmallBlobsInOppositeOrdersBothSucceedAndStoreEachOnce() async throws {
        try await withStore(.postgres) { store, database, _ in
            for round in 0..<4 {
                let blobs = (0..<40).map { bytes(20_000, seed: UInt8(round * 40 + $0)) }
                let write = BlobWrite.contentAddressed(maxBytes: 1 << 20)
                try await withThrowingTaskGroup(of: [StoredBlob].self) { group in
                    for order in [blobs, Array(blobs.reversed())] {
                        group.addTask {
                            try await store.putMany { writer in
                                var stored: [StoredBlob] = []
                                for data in order { stored.append(try await writer.put(write, from: source(data))) }
                                return stored
                            }
                        }
                    }
                    for try await stored in group { #expect(Set(stored.map(\.sha256)) == Set(blobs.map(sha256))) }
                }
            }
            #expect(try await storedCount(.postgres, database, "") == 160)
            let chunks = try await database.client.query("SELECT count(*) FROM blob_chunks").one(Int.self)
            #expect(chunks == 160)
        }
    }

    /// A source that fails halfway through a blob of several chunks (part of
    /// it already sent) costs that blob only; the others, before and after, are stored.
    @Test(arguments: Backend.allCases)
    func aBlobThatFailsWithinPutManyLeavesNothingAndTheOthersAreStored(_ backend: Backend) async throws {
        struct SourceBroke: Error {}
        try await withStore(backend) { store, database, directory in
            let kept = [bytes(50_000, seed: 7), bytes(1_500_000, seed: 8), bytes(60_000, seed: 9), bytes(3_000_000, seed: 10)]
            let write = BlobWrite.contentAddressed(maxBytes: 8 << 20)
            let stored = try await store.putMany { writer in
                var stored = [try await writer.put(write, from: source(kept[0])), try await writer.put(write, from: source(kept[1]))]
                let broken = source(bytes(5_000_000, seed: 11))
                var yielded = 0
                await #expect(throws: SourceBroke.self) {
                    _ = try await writer.put(write) {
                        // Two full chunks are out by then.
                        guard yielded < 2_500_000, let chunk = try await broken() else { throw SourceBroke() }
                        yielded += chunk.readableBytes
                        return chunk
                    }
                }
                stored.append(try await writer.put(write, from: source(kept[2])))
                stored.append(try await writer.put(write, from: source(kept[3])))
                return stored
            }
            #expect(try await storedCount(backend, database, directory) == kept.count)
            for (blob, data) in zip(stored, kept) { #expect(try await readAll(store, blob.key) == data) }
            if backend == .postgres {
                let leftovers = try await database.client.query(
                    "SELECT count(*) FROM blob_chunks WHERE blob_id NOT IN (SELECT id FROM blobs WHERE size IS NOT NULL)"
                ).one(Int.self)
                #expect(leftovers == 0)
            } else {
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/.staging").isEmpty)
            }
        }
    }

    /// The postgres store may still be writing a blob when its `put` returns:
    /// a blob the database then refuses (here a name with a NUL) fails the
    /// `putMany`, never passes as stored.
    @Test func aBlobTheDatabaseRefusesAfterItsPutReturnedFailsPutMany() async throws {
        try await withStore(.postgres) { store, _, _ in
            let refused = BlobWrite(maxBytes: 1 << 20) { digest in "named/\u{0}/\(digest.sha256)" }
            var handedBack = false
            await #expect(throws: PSQLError.self) {
                try await store.putMany { writer in
                    _ = try await writer.put(refused, from: source(bytes(10_000, seed: 12)))
                    handedBack = true
                    // The refusal shows on one of these puts or at the end.
                    for seed in 13..<20 {
                        _ = try await writer.put(.contentAddressed(maxBytes: 4 << 20), from: source(bytes(1_000_000, seed: UInt8(seed))))
                    }
                }
            }
            #expect(handedBack)
        }
    }

    @Test(arguments: Backend.allCases)
    func aBlobOverTheLimitIsRefusedWhileStreamingAndLeavesNothing(_ backend: Backend) async throws {
        try await withStore(backend) { store, database, directory in
            var yielded = 0
            let endless: () async throws -> ByteBuffer? = {
                yielded += 1
                return ByteBuffer(repeating: 7, count: 64 * 1024)
            }
            await #expect(throws: BlobStoreError.tooLarge(limit: 1 << 20)) {
                _ = try await store.put(.contentAddressed(maxBytes: 1 << 20), from: endless)
            }
            #expect(yielded == 17)  // stopped at the first chunk past 1 MiB
            let stored = try await storedCount(backend, database, directory)
            #expect(stored == 0)
            if backend == .postgres {
                let chunks = try await database.client.query("SELECT count(*) FROM blob_chunks").one(Int.self)
                #expect(chunks == 0)
            } else {
                let staging = try FileManager.default.contentsOfDirectory(atPath: directory + "/.staging")
                #expect(staging.isEmpty)
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func aRejectedPrefixOrAFailingSourceStoresNothing(_ backend: Backend) async throws {
        struct NotWanted: Error {}
        try await withStore(backend) { store, database, directory in
            let rejecting = BlobWrite.contentAddressed(maxBytes: 1 << 20, prefixLength: 4) { prefix in
                throw NotWanted()
            }
            await #expect(throws: NotWanted.self) { _ = try await store.put(rejecting, from: source(bytes(5000))) }
            let recording = BlobWrite.contentAddressed(maxBytes: 1 << 20, prefixLength: 4) { _ in }
            var calls = 0
            let failing: () async throws -> ByteBuffer? = {
                calls += 1
                if calls == 3 { throw NotWanted() }
                return ByteBuffer(bytes: [1, 2, 3])
            }
            await #expect(throws: NotWanted.self) { _ = try await store.put(recording, from: failing) }
            let stored = try await storedCount(backend, database, directory)
            #expect(stored == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func thePrefixCheckSeesTheFirstBytesEvenOfAShortBlob(_ backend: Backend) async throws {
        try await withStore(backend) { store, _, _ in
            let data = bytes(10, seed: 9)
            let expected = Array(data.prefix(10))
            let write = BlobWrite.contentAddressed(maxBytes: 100, prefixLength: 64) { prefix in
                guard prefix == expected else { throw BlobStoreError.invalidKey("prefix \(prefix)") }
            }
            let blob = try await store.put(write, from: source(data))
            #expect(blob.size == 10)
        }
    }

    @Test(arguments: Backend.allCases)
    func aDeletedBlobIsGone(_ backend: Backend) async throws {
        try await withStore(backend) { store, _, _ in
            let blob = try await store.put(.contentAddressed(maxBytes: 1000), from: source(bytes(10)))
            try await store.delete(blob.key)
            try await store.delete(blob.key)
            #expect(try await store.size(of: blob.key) == nil)
            await #expect(throws: BlobStoreError.notFound(blob.key)) { try await readAll(store, blob.key) }
        }
    }

    /// What a process that died mid-write leaves: a staging blob with a first chunk, or a staging file.
    private func abandonWrite(_ backend: Backend, _ database: Database, _ directory: String) async throws {
        switch backend {
        case .postgres:
            try await database.client.query(
                """
                WITH blob AS (INSERT INTO blobs (key, chunk_size) VALUES ('staging/' || gen_random_uuid(), 1048576) RETURNING id)
                INSERT INTO blob_chunks (blob_id, seq, data) SELECT id, 0, '\\x0102'::bytea FROM blob
                """,
                logger: database.logger
            )
        case .filesystem:
            #expect(FileManager.default.createFile(atPath: directory + "/.staging/" + UUID().uuidString, contents: Data([1, 2])))
        }
    }

    @Test(arguments: Backend.allCases)
    func aWriteThatStoppedIsRemovedOnceUntouchedPastTheCutoffAndNotBefore(_ backend: Backend) async throws {
        try await withStore(backend) { store, database, directory in
            try await abandonWrite(backend, database, directory)
            let kept = try await store.put(.contentAddressed(maxBytes: 1000), from: source(bytes(10)))
            #expect(try await store.removeAbandonedWrites(untouchedSince: Date().addingTimeInterval(-60)) == 0)
            #expect(try await store.removeAbandonedWrites(untouchedSince: Date().addingTimeInterval(5)) == 1)
            #expect(try await store.removeAbandonedWrites(untouchedSince: Date().addingTimeInterval(5)) == 0)
            #expect(try await readAll(store, kept.key) == bytes(10))
            if backend == .postgres {
                #expect(try await database.client.query("SELECT count(*) FROM blob_chunks", logger: database.logger).one(Int.self) == 1)
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func uploadedArchivesAreListedByTheirLastWriteAndOthersNever(_ backend: Backend) async throws {
        try await withStore(backend) { store, _, _ in
            let key = UploadArchive.key(taskID: UUID())
            _ = try await store.put(BlobWrite(maxBytes: 3 << 20) { _ in key }, from: source(bytes(2 << 20)))
            _ = try await store.put(.contentAddressed(maxBytes: 1000), from: source(bytes(10)))
            #expect(try await store.uploadedArchives(untouchedSince: Date().addingTimeInterval(-60), limit: 10) == [])
            #expect(try await store.uploadedArchives(untouchedSince: Date().addingTimeInterval(5), limit: 10) == [key])
            #expect(try await store.uploadedArchives(untouchedSince: Date().addingTimeInterval(5), limit: 0) == [])
        }
    }

    @Test func filesystemKeysCannotEscapeTheRoot() throws {
        let store = try FilesystemBlobStore(root: NSTemporaryDirectory() + "blobs-keys-" + UUID().uuidString)
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        for key in ["../etc/passwd", "/etc/passwd", "a/../../b", ".staging/x", "a/.hidden", "UPPER", "a b"] {
            #expect(throws: BlobStoreError.invalidKey(key)) { _ = try store.path(of: key) }
        }
        #expect(try store.path(of: "uploads/0a1b.zip") == store.root + "/uploads/0a1b.zip")
    }
}
