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
        let logger = database.logger
        do {
            return try await database.transaction { connection in
                // No WAL flush per blob: a blob matters once a row refers to it, and
                // that row's (synchronous) commit flushes the WAL up to it, this included.
                try await connection.query("SET LOCAL synchronous_commit = off", logger: logger)
                let id = try await connection.query(
                    "INSERT INTO blobs (key, chunk_size) VALUES (\("staging/" + UUID().lowercasedString), \(Self.chunkSize)) RETURNING id",
                    logger: logger
                ).one(Int64.self)
                var intake = BlobIntake(write)
                var pending = ByteBuffer()
                var sequence: Int32 = 0
                func store(_ ready: [ByteBuffer], final: Bool) async throws {
                    for var buffer in ready { pending.writeBuffer(&buffer) }
                    while pending.readableBytes >= Self.chunkSize || (final && pending.readableBytes > 0) {
                        let chunk = pending.readSlice(length: min(Self.chunkSize, pending.readableBytes))!
                        try await connection.query(
                            "INSERT INTO blob_chunks (blob_id, seq, data) VALUES (\(id), \(sequence), \(chunk))",
                            logger: logger
                        )
                        sequence += 1
                    }
                    pending.discardReadBytes()
                }
                while let chunk = try await next() {
                    try await store(try intake.take(chunk), final: false)
                }
                try await store(try intake.finish(), final: true)

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
