import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Blobs as 1 MiB `bytea` rows in Postgres (sql/0003), so workers on any host
/// need only the database. A blob is written in one transaction: it appears
/// whole or not at all, and a client that goes away leaves nothing behind.
public struct PostgresBlobStore: BlobStore {
    let database: Database
    public static let chunkSize = 1 << 20

    public init(database: Database) { self.database = database }

    /// Raised inside the write transaction to roll it back when the content is stored already.
    private struct AlreadyStored: Error {
        var blob: StoredBlob
    }

    public func put(_ write: BlobWrite, from next: () async throws -> ByteBuffer?) async throws -> StoredBlob {
        // Up to one chunk is read before the database is touched: most images
        // fit, and then the blob goes in by one statement once its name is known.
        var intake = BlobIntake(write)
        var head = ByteBuffer()
        while intake.size <= Self.chunkSize {
            guard let chunk = try await next() else {
                for var ready in try intake.finish() { head.writeBuffer(&ready) }
                return try await putWhole(head, digest: intake.digest(), write)
            }
            for var ready in try intake.take(chunk) { head.writeBuffer(&ready) }
        }
        return try await putChunked(head: head, intake: intake, write, from: next)
    }

    /// A blob of at most one chunk: one statement, its own transaction. A
    /// blob of that name stored already wins (ON CONFLICT) and nothing is written.
    private func putWhole(_ bytes: ByteBuffer, digest: BlobDigest, _ write: BlobWrite) async throws -> StoredBlob {
        let key = try write.key(digest)
        // No WAL flush per blob: a blob matters once a row refers to it, and
        // that row's (synchronous) commit flushes the WAL up to it, this included.
        let inserted = try await database.client.query(
            """
            WITH settings AS (SELECT set_config('synchronous_commit', 'off', true)),
                 blob AS (
                     INSERT INTO blobs (key, size, sha256, chunk_size)
                     SELECT \(key), \(Int64(digest.size)), \(digest.sha256), \(Self.chunkSize) FROM settings
                     ON CONFLICT (key) DO NOTHING
                     RETURNING id),
                 chunk AS (
                     INSERT INTO blob_chunks (blob_id, seq, data)
                     SELECT id, 0, \(bytes) FROM blob WHERE \(Int64(digest.size)) > 0)
            SELECT count(*) FROM blob
            """,
            logger: database.logger
        ).one(Int.self)
        return StoredBlob(key: key, size: digest.size, sha256: digest.sha256, created: inserted == 1)
    }

    /// A larger blob: chunk rows under a staging key, renamed at the end, in
    /// one transaction. The next chunk is read and hashed while the previous
    /// one is being inserted.
    private func putChunked(
        head: ByteBuffer, intake: BlobIntake, _ write: BlobWrite, from next: () async throws -> ByteBuffer?
    ) async throws -> StoredBlob {
        let logger = database.logger
        do {
            return try await database.transaction { connection in
                let id = try await connection.query(
                    """
                    INSERT INTO blobs (key, chunk_size)
                    SELECT \("staging/" + UUID().lowercasedString), \(Self.chunkSize)
                    FROM (SELECT set_config('synchronous_commit', 'off', true)) settings
                    RETURNING id
                    """,
                    logger: logger
                ).one(Int64.self)
                var intake = intake
                var pending = head
                var sequence: Int32 = 0
                try await withThrowingTaskGroup(of: Void.self) { inserts in
                    var inFlight = false
                    func store(_ ready: [ByteBuffer], final: Bool) async throws {
                        for var buffer in ready { pending.writeBuffer(&buffer) }
                        while pending.readableBytes >= Self.chunkSize || (final && pending.readableBytes > 0) {
                            let chunk = pending.readSlice(length: min(Self.chunkSize, pending.readableBytes))!
                            // One insert at a time on the connection.
                            if inFlight { try await inserts.next() }
                            inserts.addTask { [sequence] in
                                try await connection.query(
                                    "INSERT INTO blob_chunks (blob_id, seq, data) VALUES (\(id), \(sequence), \(chunk))",
                                    logger: logger
                                )
                            }
                            inFlight = true
                            sequence += 1
                        }
                        pending.discardReadBytes()
                    }
                    try await store([], final: false)
                    while let chunk = try await next() {
                        try await store(try intake.take(chunk), final: false)
                    }
                    try await store(try intake.finish(), final: true)
                    try await inserts.waitForAll()
                }

                let digest = intake.digest()
                let key = try write.key(digest)
                let blob = StoredBlob(key: key, size: digest.size, sha256: digest.sha256, created: true)
                let existing = try await connection.query("SELECT 1 FROM blobs WHERE key = \(key)", logger: logger)
                for try await _ in existing { throw AlreadyStored(blob: blob) }
                do {
                    try await connection.query(
                        "UPDATE blobs SET key = \(key), size = \(Int64(digest.size)), sha256 = \(digest.sha256) WHERE id = \(id)",
                        logger: logger
                    )
                } catch let error where DatabaseFailure(error) == .uniqueViolation(constraint: "blobs_key_key") {
                    // A concurrent writer of the same content committed first.
                    throw AlreadyStored(blob: blob)
                }
                return blob
            }
        } catch let stored as AlreadyStored {
            // The transaction rolled back: this copy's chunks are gone, the first copy stays.
            return StoredBlob(key: stored.blob.key, size: stored.blob.size, sha256: stored.blob.sha256, created: false)
        }
    }

    public func size(of key: String) async throws -> Int? {
        let rows = try await database.client.query("SELECT size FROM blobs WHERE key = \(key)", logger: database.logger)
        for try await size in rows.decode(Int64?.self) { return size.map(Int.init) }
        return nil
    }

    public func read(_ key: String, range: Range<Int>?, into consume: (ByteBuffer) async throws -> Void) async throws {
        let logger = database.logger
        let rows = try await database.client.query(
            "SELECT id, size, chunk_size FROM blobs WHERE key = \(key) AND size IS NOT NULL", logger: logger
        )
        var found: (id: Int64, size: Int, chunkSize: Int)?
        for try await (id, size, chunkSize) in rows.decode((Int64, Int64, Int32).self) {
            found = (id, Int(size), Int(chunkSize))
        }
        guard let blob = found else { throw BlobStoreError.notFound(key) }
        let wanted = range ?? 0..<blob.size
        guard !wanted.isEmpty else { return }
        let first = wanted.lowerBound / blob.chunkSize
        let last = (wanted.upperBound - 1) / blob.chunkSize
        // Rows stream with back-pressure: one chunk in memory at a time.
        let chunks = try await database.client.query(
            """
            SELECT seq, data FROM blob_chunks
            WHERE blob_id = \(blob.id) AND seq BETWEEN \(Int32(first)) AND \(Int32(last))
            ORDER BY seq
            """,
            logger: logger
        )
        for try await (sequence, data) in chunks.decode((Int32, ByteBuffer).self) {
            let chunkStart = Int(sequence) * blob.chunkSize
            let from = max(wanted.lowerBound - chunkStart, 0)
            let to = min(wanted.upperBound - chunkStart, data.readableBytes)
            guard from < to, let slice = data.getSlice(at: data.readerIndex + from, length: to - from) else { continue }
            try await consume(slice)
        }
    }

    public func delete(_ key: String) async throws {
        try await database.client.query("DELETE FROM blobs WHERE key = \(key)", logger: database.logger)
    }
}
