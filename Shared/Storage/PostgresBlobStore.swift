import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Blobs as 1 MiB `bytea` rows in Postgres (sql/0003), so workers on any host
/// need only the database. A blob appears whole or not at all: its chunks go
/// in under a staging name, renamed once every byte is in.
public struct PostgresBlobStore: BlobStore {
    let database: Database
    public static let chunkSize = 1 << 20

    public init(database: Database) { self.database = database }

    /// One blob from a client's stream. No connection is held while waiting
    /// for the client's bytes: each chunk is one short statement of its own,
    /// written while the next chunk is read, so slow clients cannot take the
    /// pool. A write that stops half-way (the client goes, a limit is hit)
    /// deletes its staging blob; one whose process died is swept later.
    public func put(_ write: BlobWrite, from next: () async throws -> ByteBuffer?) async throws -> StoredBlob {
        var intake = BlobIntake(write)
        var head = ByteBuffer()
        while intake.size <= Self.chunkSize {
            guard let chunk = try await next() else {
                for var ready in try intake.finish() { head.writeBuffer(&ready) }
                // At most one chunk, read already: one statement, as a batch of one.
                var remaining: ByteBuffer? = head
                return try await database.client.withConnection { connection in
                    try await pipelined(on: [connection]) { writer in
                        try await writer.put(write) { defer { remaining = nil }; return remaining }
                    }
                }
            }
            for var ready in try intake.take(chunk) { head.writeBuffer(&ready) }
        }
        let staging = "staging/" + UUID().lowercasedString
        try await database.client.query("INSERT INTO blobs (key, chunk_size) VALUES (\(staging), \(Int32(Self.chunkSize)))", logger: database.logger)
        do {
            let digest = try await writeChunks(of: staging, head: head, intake: intake, from: next)
            let key = try write.key(digest)
            try await rename(staging, to: key, digest: digest)
            return StoredBlob(key: key, digest: digest)
        } catch {
            // In a task of its own: the request's may be cancelled, and a cancelled task gets no connection.
            let (client, logger) = (database.client, database.logger)
            await Task { _ = try? await client.query("DELETE FROM blobs WHERE key = \(staging)", logger: logger) }.value
            throw error
        }
    }

    /// Streams the rest of the input into chunks of the staging blob, one
    /// statement writing while the next chunk is read; returns the digest.
    private func writeChunks(
        of staging: String, head: ByteBuffer, intake: BlobIntake, from next: () async throws -> ByteBuffer?
    ) async throws -> BlobDigest {
        var intake = intake
        var pending = head
        var sequence: Int32 = 0
        let (client, logger) = (database.client, database.logger)
        return try await withThrowingTaskGroup(of: Void.self) { writes in
            func send(final: Bool) async throws {
                while pending.readableBytes >= Self.chunkSize || (final && pending.readableBytes > 0) {
                    let chunk = pending.readSlice(length: min(Self.chunkSize, pending.readableBytes))!
                    // One write out at a time: it bounds the memory held, and keeps chunks in order.
                    _ = try await writes.next()
                    let seq = sequence
                    writes.addTask {
                        let rows = try await client.query(
                            """
                            WITH settings AS (SELECT set_config('synchronous_commit', 'off', true)),
                                 blob AS (UPDATE blobs SET touched_at = now() FROM settings WHERE key = \(staging) RETURNING id)
                            INSERT INTO blob_chunks (blob_id, seq, data) SELECT id, \(seq), \(chunk) FROM blob RETURNING seq
                            """,
                            logger: logger
                        )
                        guard try await rows.collect().count == 1 else { throw BlobStoreError.writeAbandoned }
                    }
                    sequence += 1
                }
                pending.discardReadBytes()
            }
            try await send(final: false)
            while let chunk = try await next() {
                for var ready in try intake.take(chunk) { pending.writeBuffer(&ready) }
                try await send(final: false)
            }
            for var ready in try intake.finish() { pending.writeBuffer(&ready) }
            try await send(final: true)
            try await writes.waitForAll()
            return intake.digest()
        }
    }

    /// Gives the staging blob its final name; when a blob of that name is
    /// stored already (the same content), that one stays and this copy goes.
    private func rename(_ staging: String, to key: String, digest: BlobDigest) async throws {
        var count: Int64 = 0
        do {
            // A unique violation may come with the statement's answer or while its row is read.
            let rows = try await database.client.query(
                """
                WITH stored AS (SELECT FROM blobs WHERE key = \(key)),
                     renamed AS (
                         UPDATE blobs SET key = \(key), size = \(Int64(digest.size)), sha256 = \(digest.sha256), touched_at = now()
                         WHERE key = \(staging) AND NOT EXISTS (SELECT FROM stored) RETURNING 1),
                     dropped AS (DELETE FROM blobs WHERE key = \(staging) AND EXISTS (SELECT FROM stored) RETURNING 1)
                SELECT (SELECT count(*) FROM renamed) + (SELECT count(*) FROM dropped)
                """,
                logger: database.logger
            )
            for try await value in rows.decode(Int64.self) { count = value }
        } catch let error where DatabaseFailure(error) == .uniqueViolation(constraint: "blobs_key_key") {
            // A concurrent writer of the same content committed first: its copy stays.
            try await database.client.query("DELETE FROM blobs WHERE key = \(staging)", logger: database.logger)
            return
        }
        // Otherwise the sweep took the staging blob: the write had stalled for longer than its grace period.
        guard count == 1 else { throw BlobStoreError.writeAbandoned }
    }

    /// The blobs on two connections, a blob on each by turns, so that one
    /// connection's next statement is on its way while the other's runs. See `BlobPipeline`.
    public func putMany<Result>(_ body: (BlobWriter) async throws -> Result) async throws -> Result {
        // The worker's path: it waits for connections as long as it takes, never for a client.
        try await database.client.postgres.withConnection { first in
            try await database.client.postgres.withConnection { second in try await pipelined(on: [first, second], body) }
        }
    }

    private func pipelined<Result>(
        on connections: [PostgresConnection], isolation: isolated (any Actor)? = #isolation,
        _ body: (BlobWriter) async throws -> Result
    ) async throws -> sending Result {
        let pipeline = BlobPipeline(lanes: connections, logger: database.logger)
        do {
            let result = try await body(BlobWriter(put: { write, next in try await pipeline.put(write, from: next) }))
            try await pipeline.finish()
            return result
        } catch {
            await pipeline.abandon()
            throw error
        }
    }

    public func size(of key: String) async throws -> Int? {
        let rows = try await database.client.query("SELECT size FROM blobs WHERE key = \(key)", logger: database.logger)
        for try await size in rows.decode(Int64?.self) { return size.map(Int.init) }
        return nil
    }

    /// A blob written to the end (a write in progress has no size yet).
    func stored(_ key: String) async throws -> (id: Int64, size: Int, chunkSize: Int) {
        let rows = try await database.client.query(
            "SELECT id, size, chunk_size FROM blobs WHERE key = \(key) AND size IS NOT NULL", logger: database.logger
        )
        var found: (id: Int64, size: Int, chunkSize: Int)?
        for try await (id, size, chunkSize) in rows.decode((Int64, Int64, Int32).self) {
            found = (id, Int(size), Int(chunkSize))
        }
        guard let found else { throw BlobStoreError.notFound(key) }
        return found
    }

    public func read(_ key: String, range: Range<Int>?, into consume: (ByteBuffer) async throws -> Void) async throws {
        let logger = database.logger
        let blob = try await stored(key)
        let wanted = range ?? 0..<blob.size
        guard !wanted.isEmpty else { return }
        let first = wanted.lowerBound / blob.chunkSize
        let last = (wanted.upperBound - 1) / blob.chunkSize
        // A few chunks per statement, read whole before any is handed on: a slow
        // reader (a client downloading) never holds a connection while it reads.
        for batch in stride(from: first, through: last, by: Self.readBatchChunks) {
            let rows = try await database.client.query(
                """
                SELECT seq, data FROM blob_chunks
                WHERE blob_id = \(blob.id) AND seq BETWEEN \(Int32(batch)) AND \(Int32(min(batch + Self.readBatchChunks - 1, last)))
                ORDER BY seq
                """,
                logger: logger
            )
            var chunks: [(Int32, ByteBuffer)] = []
            for try await row in rows.decode((Int32, ByteBuffer).self) { chunks.append(row) }
            for (sequence, data) in chunks {
                let chunkStart = Int(sequence) * blob.chunkSize
                let from = max(wanted.lowerBound - chunkStart, 0)
                let to = min(wanted.upperBound - chunkStart, data.readableBytes)
                guard from < to, let slice = data.getSlice(at: data.readerIndex + from, length: to - from) else { continue }
                try await consume(slice)
            }
        }
    }

    /// Chunks one read statement fetches: the memory a reader holds, and its statements per MiB.
    static let readBatchChunks = 2

    public func delete(_ key: String) async throws {
        try await database.client.query("DELETE FROM blobs WHERE key = \(key)", logger: database.logger)
    }

    /// Staging blobs are writes in progress, or stopped ones once untouched long enough.
    public func removeAbandonedWrites(untouchedSince cutoff: Date) async throws -> Int {
        // The first condition repeats the partial index's, so that the index serves the query.
        let rows = try await database.client.query(
            """
            DELETE FROM blobs WHERE (key LIKE 'staging/%' OR key LIKE 'uploads/%') AND key LIKE 'staging/%'
                AND touched_at < \(cutoff) RETURNING 1
            """,
            logger: database.logger
        )
        return try await rows.collect().count
    }

    public func uploadedArchives(untouchedSince cutoff: Date, limit: Int) async throws -> [String] {
        // The first condition repeats the partial index's, so that the index serves the query.
        let rows = try await database.client.query(
            """
            SELECT key FROM blobs WHERE (key LIKE 'staging/%' OR key LIKE 'uploads/%') AND key LIKE 'uploads/%'
                AND size IS NOT NULL AND touched_at < \(cutoff)
            ORDER BY touched_at LIMIT \(limit)
            """,
            logger: database.logger
        )
        var keys: [String] = []
        for try await key in rows.decode(String.self) { keys.append(key) }
        return keys
    }
}

/// The statements that put blobs, on one or more connections ("lanes"), a
/// blob's on one lane and each blob on the next. They are sent without
/// waiting for the last one's answer: postgres-nio queues them in order and
/// sends each once Postgres has answered the one before, so the database goes
/// on writing while the caller reads and hashes the next bytes (awaiting each
/// answer first cost a few thread hops per statement, and left Postgres idle
/// half the time). A second lane has its next statement on its way while the
/// first's runs: 0.50 s instead of 0.59 s (median of 6) for 24 photos of
/// 2.4 MB in Benchmarks/BlobStoreBenchmark. `maxOutstanding` and
/// `maxOutstandingBytes` bound the statements out and the memory they hold.
///
/// Blobs of at most one chunk go in together, up to a chunk's worth or
/// `maxBatchRows` of them by one statement: for 2,000 photos of ~100 KB,
/// 1.04-1.12 s instead of 1.27-1.44 s with a statement and a commit each
/// (Benchmarks/BlobStoreBenchmark, 4 alternating runs). A larger blob is a
/// transaction of its own whose chunks go in under a staging name, renamed
/// at the end. No WAL flush per blob (`synchronous_commit` off): a blob
/// matters once a row refers to it, and that row's synchronous commit
/// flushes the WAL up to it, this included.
private final class BlobPipeline {
    /// A connection and the statements sent on it and not yet answered,
    /// oldest first, with the bytes of blob data they carry.
    private final class Lane {
        let connection: PostgresConnection
        var outstanding: [(answer: EventLoopFuture<Void>, bytes: Int)] = []
        var outstandingBytes = 0

        init(_ connection: PostgresConnection) { self.connection = connection }
    }

    /// Small blobs read and not sent yet, by name: the next batch statement.
    private struct Batch {
        var blobs: [(key: String, digest: BlobDigest, bytes: ByteBuffer)] = []
        var keys: Set<String> = []
        var bytes = 0
    }

    private let lanes: [Lane]
    /// Counts the statements of small blobs and the large blobs: each takes the next lane.
    private var turn = 0
    private var batch = Batch()
    private var lane: Lane { lanes[turn % lanes.count] }
    let logger: Logger
    /// The first failure of a statement, whose blob may have been handed back
    /// as stored already: every later call throws it.
    private var failure: (any Error)?
    static let chunkSize = PostgresBlobStore.chunkSize
    /// Bounds on the statements out per lane: enough small ones (a few images
    /// each under a chunk) to keep Postgres busy between answers, and bytes
    /// held for the large ones.
    static let maxOutstanding = 32, maxOutstandingBytes = 4 * chunkSize
    /// Rows of one batch statement at most (four parameters each).
    static let maxBatchRows = 64

    init(lanes connections: [PostgresConnection], logger: Logger) {
        lanes = connections.map(Lane.init)
        self.logger = logger
    }

    /// Sends what is left and waits for every statement.
    func finish() async throws {
        try await sendBatch()
        for lane in lanes {
            while !lane.outstanding.isEmpty { try await settleOldest(of: lane) }
        }
    }

    /// After a failure: waits for the statements out and leaves no transaction open.
    func abandon() async {
        batch = Batch()
        for lane in lanes {
            for statement in lane.outstanding { _ = try? await statement.answer.get() }
            lane.outstanding = []
            lane.outstandingBytes = 0
            _ = try? await lane.connection.query("ROLLBACK", logger: logger)
        }
    }

    func put(_ write: BlobWrite, from next: () async throws -> ByteBuffer?) async throws -> StoredBlob {
        if let failure { throw failure }
        var intake = BlobIntake(write)
        var head = ByteBuffer()
        while intake.size <= Self.chunkSize {
            guard let chunk = try await next() else {
                for var ready in try intake.finish() { head.writeBuffer(&ready) }
                return try await putSmall(head, digest: intake.digest(), write)
            }
            for var ready in try intake.take(chunk) { head.writeBuffer(&ready) }
        }
        return try await putStaged(head: head, intake: intake, write, from: next)
    }

    private func settleOldest(of lane: Lane) async throws {
        if let failure { throw failure }
        let oldest = lane.outstanding.removeFirst()
        lane.outstandingBytes -= oldest.bytes
        do {
            try await oldest.answer.get()
        } catch {
            failure = error
            throw error
        }
    }

    /// Queues the statement, which carries `bytes` of blob data, behind those
    /// sent before on the blob's lane; `tolerating` an error makes it count as answered.
    private func send(_ query: PostgresQuery, bytes: Int = 0, tolerating tolerated: DatabaseFailure? = nil) async throws {
        if let failure { throw failure }
        while lane.outstanding.count >= Self.maxOutstanding
            || (!lane.outstanding.isEmpty && lane.outstandingBytes + bytes > Self.maxOutstandingBytes) {
            try await settleOldest(of: lane)
        }
        let answer: EventLoopFuture<PostgresQueryResult> = lane.connection.query(query, logger: logger)
        lane.outstanding.append((answer.map { _ in }.flatMapErrorThrowing { error in
            guard let tolerated, DatabaseFailure(error) == tolerated else { throw error }
        }, bytes))
        lane.outstandingBytes += bytes
    }

    /// A blob of at most one chunk joins the batch, which is sent first if it is full.
    private func putSmall(_ bytes: ByteBuffer, digest: BlobDigest, _ write: BlobWrite) async throws -> StoredBlob {
        let key = try write.key(digest)
        if !batch.keys.contains(key) {
            if batch.blobs.count == Self.maxBatchRows || batch.bytes + bytes.readableBytes > Self.chunkSize {
                try await sendBatch()
            }
            batch.blobs.append((key, digest, bytes))
            batch.keys.insert(key)
            batch.bytes += bytes.readableBytes
        }
        return StoredBlob(key: key, digest: digest)
    }

    /// The batch's blobs by one statement, its own transaction. A blob of a
    /// name stored already wins (ON CONFLICT) and nothing of it is written.
    /// Rows go in by name, so that two batches sharing names lock them in
    /// the same order and never deadlock.
    private func sendBatch() async throws {
        guard !batch.blobs.isEmpty else { return }
        let (blobs, bytes) = (batch.blobs, batch.bytes)
        batch = Batch()
        turn += 1
        var binds = PostgresBindings(capacity: 4 * blobs.count + 1)
        var rows: [String] = []
        for blob in blobs {
            binds.append(blob.key)
            binds.append(Int64(blob.digest.size))
            binds.append(blob.digest.sha256)
            binds.append(blob.bytes)
            let last = binds.count
            rows.append("($\(last - 3)::text, $\(last - 2)::bigint, $\(last - 1)::text, $\(last)::bytea)")
        }
        binds.append(Int32(Self.chunkSize))
        try await send(
            PostgresQuery(
                unsafeSQL: """
                    WITH settings AS (SELECT set_config('synchronous_commit', 'off', true)),
                         incoming (key, size, sha256, data) AS (VALUES \(rows.joined(separator: ", "))),
                         blob AS (
                             INSERT INTO blobs (key, size, sha256, chunk_size)
                             SELECT key, size, sha256, $\(binds.count) FROM incoming, settings ORDER BY key
                             ON CONFLICT (key) DO NOTHING
                             RETURNING id, key)
                    INSERT INTO blob_chunks (blob_id, seq, data)
                    SELECT blob.id, 0, incoming.data FROM blob JOIN incoming USING (key) WHERE incoming.size > 0
                    """,
                binds: binds
            ),
            bytes: bytes
        )
    }

    /// A larger blob, in its own transaction, its chunks under a staging name
    /// until the end. If a blob of its final name is stored by then, that one
    /// wins and this copy is dropped; one committed meanwhile by a concurrent
    /// writer makes the rename fail on the unique key, which rolls this copy back.
    private func putStaged(
        head: ByteBuffer, intake: BlobIntake, _ write: BlobWrite, from next: () async throws -> ByteBuffer?
    ) async throws -> StoredBlob {
        let staging = "staging/" + UUID().lowercasedString
        turn += 1
        var intake = intake
        var pending = head
        var sequence: Int32 = 0
        func send(final: Bool) async throws {
            while pending.readableBytes >= Self.chunkSize || (final && pending.readableBytes > 0) {
                let chunk = pending.readSlice(length: min(Self.chunkSize, pending.readableBytes))!
                try await self.send(
                    "INSERT INTO blob_chunks (blob_id, seq, data) SELECT id, \(sequence), \(chunk) FROM blobs WHERE key = \(staging)",
                    bytes: chunk.readableBytes
                )
                sequence += 1
            }
            pending.discardReadBytes()
        }
        try await self.send("BEGIN")
        do {
            try await self.send(
                """
                INSERT INTO blobs (key, chunk_size)
                SELECT \(staging), \(Self.chunkSize) FROM (SELECT set_config('synchronous_commit', 'off', true)) settings
                """
            )
            try await send(final: false)
            while let chunk = try await next() {
                for var ready in try intake.take(chunk) { pending.writeBuffer(&ready) }
                try await send(final: false)
            }
            for var ready in try intake.finish() { pending.writeBuffer(&ready) }
            try await send(final: true)
            let digest = intake.digest()
            let key = try write.key(digest)
            try await self.send(
                """
                WITH stored AS (SELECT FROM blobs WHERE key = \(key)),
                     renamed AS (
                         UPDATE blobs SET key = \(key), size = \(Int64(digest.size)), sha256 = \(digest.sha256)
                         WHERE key = \(staging) AND NOT EXISTS (SELECT FROM stored))
                DELETE FROM blobs WHERE key = \(staging) AND EXISTS (SELECT FROM stored)
                """,
                tolerating: .uniqueViolation(constraint: "blobs_key_key")
            )
            try await self.send("COMMIT")
            return StoredBlob(key: key, digest: digest)
        } catch {
            // Nothing of this blob stays, and the pipeline can go on with the
            // next one, unless a statement failed (then `failure` is thrown).
            let rollback: EventLoopFuture<PostgresQueryResult> = lane.connection.query("ROLLBACK", logger: logger)
            lane.outstanding.append((rollback.map { _ in }, 0))
            throw error
        }
    }
}
