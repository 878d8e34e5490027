import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Partial blobs in Postgres: the same 1 MiB `blob_chunks` rows as any blob
/// (all full but the last), written as the bytes come, each statement short
/// so no connection waits on a client. A request that ends mid-chunk leaves
/// a short last chunk; the next one fills it up first (`data || bytes`), so
/// a finished upload reads as any blob does.
extension PostgresBlobStore {
    public func createPartial(_ key: String) async throws {
        try await database.client.query(
            "INSERT INTO blobs (key, chunk_size) VALUES (\(key), \(Int32(Self.chunkSize)))", logger: database.logger
        )
    }

    public func openPartial(_ key: String, at length: Int) async throws -> (writer: any PartialBlobWriter, length: Int) {
        let rows = try await database.client.query(
            """
            SELECT b.id, b.chunk_size, coalesce(last.seq::int8 * b.chunk_size + length(last.data), 0)
            FROM blobs b LEFT JOIN LATERAL (
                SELECT seq, data FROM blob_chunks WHERE blob_id = b.id ORDER BY seq DESC LIMIT 1
            ) last ON true
            WHERE b.key = \(key) AND b.size IS NULL
            """,
            logger: database.logger
        )
        for try await (id, chunkSize, stored) in rows.decode((Int64, Int32, Int64).self) {
            let writer = PostgresPartialBlobWriter(
                client: database.client, logger: database.logger, blobID: id, chunkSize: Int(chunkSize), length: Int(stored)
            )
            if writer.length > length { try await writer.truncate(to: length) }
            return (writer, writer.length)
        }
        throw BlobStoreError.notFound(key)
    }

    public func completePartial(_ key: String, as finalKey: String, size: Int) async throws {
        let rows = try await database.client.query(
            "UPDATE blobs SET key = \(finalKey), size = \(Int64(size)), touched_at = now() WHERE key = \(key) AND size IS NULL RETURNING 1",
            logger: database.logger
        )
        guard try await rows.collect().count == 1 else { throw BlobStoreError.notFound(key) }
    }

    public func partialBlobs(untouchedSince cutoff: Date, limit: Int) async throws -> [String] {
        // The first condition is the partial index's, so that the index serves the query.
        let rows = try await database.client.query(
            """
            SELECT key FROM blobs WHERE key LIKE 'resumable/%' AND size IS NULL AND touched_at < \(cutoff)
            ORDER BY touched_at LIMIT \(limit)
            """,
            logger: database.logger
        )
        var keys: [String] = []
        for try await key in rows.decode(String.self) { keys.append(key) }
        return keys
    }
}

/// One request's appends: bytes are held until they fill the current chunk,
/// then written; `sync` writes the rest as a short last chunk.
/// Used by one request at a time, which awaits each call: unchecked.
final class PostgresPartialBlobWriter: PartialBlobWriter, @unchecked Sendable {
    let client: PooledClient
    let logger: Logger
    let blobID: Int64
    let chunkSize: Int
    /// Bytes in the database.
    private var stored: Int
    /// Bytes after `stored`, not written yet (less than what fills the current chunk).
    private var pending = ByteBuffer()

    init(client: PooledClient, logger: Logger, blobID: Int64, chunkSize: Int, length: Int) {
        self.client = client
        self.logger = logger
        self.blobID = blobID
        self.chunkSize = chunkSize
        stored = length
    }

    var length: Int { stored + pending.readableBytes }

    func write(_ bytes: ByteBuffer) async throws {
        var bytes = bytes
        pending.writeBuffer(&bytes)
        while pending.readableBytes >= chunkSize - stored % chunkSize {
            try await flush(chunkSize - stored % chunkSize)
        }
    }

    /// Written chunks are in the database; the short rest waits for `sync`,
    /// so a chunk is not written again and again as it fills.
    func checkpoint() async throws -> Int { stored }

    func sync() async throws -> Int {
        if pending.readableBytes > 0 { try await flush(pending.readableBytes) }
        return stored
    }

    /// Writes the first `count` pending bytes, which stay within the current chunk.
    /// They leave `pending` only once written: a failed statement loses nothing.
    private func flush(_ count: Int) async throws {
        let bytes = pending.getSlice(at: pending.readerIndex, length: count)!
        let sequence = Int32(stored / chunkSize)
        // No WAL flush per chunk: the upload's offset is committed after it, and that commit flushes this too.
        let query: PostgresQuery =
            stored % chunkSize == 0
            ? """
            WITH settings AS (SELECT set_config('synchronous_commit', 'off', true)),
                 blob AS (UPDATE blobs SET touched_at = now() FROM settings WHERE id = \(blobID) AND size IS NULL RETURNING id)
            INSERT INTO blob_chunks (blob_id, seq, data) SELECT id, \(sequence), \(bytes) FROM blob RETURNING seq
            """
            : """
            WITH settings AS (SELECT set_config('synchronous_commit', 'off', true)),
                 blob AS (UPDATE blobs SET touched_at = now() FROM settings WHERE id = \(blobID) AND size IS NULL RETURNING id)
            UPDATE blob_chunks SET data = data || \(bytes) FROM blob
            WHERE blob_chunks.blob_id = blob.id AND seq = \(sequence) RETURNING seq
            """
        // The blob is gone when the upload was ended or swept meanwhile.
        guard try await client.query(query, logger: logger).collect().count == 1 else { throw BlobStoreError.notFound("partial blob") }
        stored += count
        pending.moveReaderIndex(forwardBy: count)
        pending.discardReadBytes()
    }

    func truncate(to length: Int) async throws {
        if length >= stored {
            pending.moveWriterIndex(to: pending.readerIndex + min(length - stored, pending.readableBytes))
            return
        }
        pending.clear()
        let keptChunks = Int32((length + chunkSize - 1) / chunkSize)
        let lastLength = Int32(length % chunkSize)
        // Only while the blob is partial: a complete one is an archive now, whoever still holds this writer.
        try await client.query(
            """
            WITH blob AS (SELECT id FROM blobs WHERE id = \(blobID) AND size IS NULL),
                 gone AS (DELETE FROM blob_chunks USING blob WHERE blob_id = blob.id AND seq >= \(keptChunks))
            UPDATE blob_chunks SET data = substring(data FROM 1 FOR \(lastLength)) FROM blob
            WHERE blob_id = blob.id AND \(lastLength) > 0 AND seq = \(Int32(length / chunkSize))
            """,
            logger: logger
        )
        stored = length
    }

    func close() async {}
}
