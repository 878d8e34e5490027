import Foundation
import Logging
import PostgresNIO

/// The upload task queue (CONTRACT §6): every statement on `upload_tasks`.
/// The gateway enqueues and reads; workers claim, renew, report and end tasks;
/// the sweepers find archives to delete. Every write after the claim is fenced
/// on `worker_id` and `attempts` and throws `LeaseLost` when it matched no row.
/// Statements that depend on the time take an optional `now` (default: the
/// database's `now()`) so tests pin time instead of rewriting timestamps.
public struct UploadTaskStore: Sendable {
    public let database: Database
    public let logger: Logger

    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    // MARK: Enqueue and read (the gateway)

    /// The task's columns as `UploadTask` decodes them, over alias `u`.
    /// The select list of a task over alias `u`, as `task(from:)` reads it.
    public static let columns = """
        u.id, u.owner_id, u.set_design_id, u.subject_id, u.status::text, u.progress, u.total_items, u.processed_items,
        u.images_processed, u.images_skipped, u.error_message, u.created_at, u.started_at, u.completed_at,
        u.result_data::text, u.updated_at, u.subject_ids, u.rematch_of
        """

    /// Queues a PENDING task for an uploaded archive in the caller's
    /// transaction, and wakes a worker when it commits. Nil, with nothing
    /// inserted, when the set design no longer exists. Without a subject the
    /// archive's folders name them.
    public static func enqueue(
        id: UUID, ownerID: UUID, setDesignID: UUID, subjectID: UUID?, archiveKey: String, archiveSize: Int,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> UploadTask? {
        let rows = try await connection.query(
            """
            INSERT INTO upload_tasks AS u (id, owner_id, set_design_id, subject_id, subject_ids, archive_blob_key, archive_size)
            SELECT \(id), \(ownerID), d.id, \(subjectID), array_remove(ARRAY[\(subjectID)::uuid], NULL), \(archiveKey), \(Int64(archiveSize))
            FROM set_designs d WHERE d.id = \(setDesignID)
            RETURNING \(unescaped: columns)
            """,
            logger: logger
        )
        return try await notifyQueued(try await first(of: rows), on: connection, logger: logger)
    }

    /// Queues a task without an archive that matches again the images the
    /// COMPLETED task `sourceID` kept (CONTRACT §11), for the same design and
    /// subject, in the caller's transaction. Nil, with nothing inserted, when
    /// that task no longer exists or has not COMPLETED.
    public static func enqueueRematch(
        id: UUID, ownerID: UUID, of sourceID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> UploadTask? {
        let rows = try await connection.query(
            """
            INSERT INTO upload_tasks AS u (id, owner_id, set_design_id, subject_id, subject_ids, archive_size, rematch_of)
            SELECT \(id), \(ownerID), s.set_design_id, s.subject_id, array_remove(ARRAY[s.subject_id], NULL), 0, s.id
            FROM upload_tasks s WHERE s.id = \(sourceID) AND s.status = 'COMPLETED'
            RETURNING \(unescaped: columns)
            """,
            logger: logger
        )
        return try await notifyQueued(try await first(of: rows), on: connection, logger: logger)
    }

    /// Wakes a worker for the inserted task when the transaction commits.
    private static func notifyQueued(_ task: UploadTask?, on connection: PostgresConnection, logger: Logger) async throws -> UploadTask? {
        guard let task else { return nil }
        try await connection.query("SELECT pg_notify(\(UploadTaskStatus.queueChannel), \(task.id.lowercasedString))", logger: logger)
        return task
    }

    /// The task, whoever may see it: callers check its set design's visibility.
    public func task(_ id: UUID) async throws -> UploadTask? {
        try await Self.first(
            of: try await database.client.query("SELECT \(unescaped: Self.columns) FROM upload_tasks u WHERE u.id = \(id)", logger: logger)
        )
    }

    /// The newest task of a set design that touched the subject (any task without one).
    public func latestTask(setDesignID: UUID, subjectID: UUID?) async throws -> UploadTask? {
        try await Self.first(
            of: try await database.client.query(
                """
                SELECT \(unescaped: Self.columns) FROM upload_tasks u
                WHERE u.set_design_id = \(setDesignID) AND (\(subjectID)::uuid IS NULL OR \(subjectID) = ANY (u.subject_ids))
                ORDER BY u.created_at DESC, u.id DESC LIMIT 1
                """,
                logger: logger
            )
        )
    }

    /// Keys of the archives a set design's tasks still hold, read in the
    /// transaction that deletes the design (and its tasks with it).
    public static func archiveKeys(ofSetDesign setDesignID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let rows = try await connection.query(
            "SELECT archive_blob_key FROM upload_tasks WHERE set_design_id = \(setDesignID) AND archive_blob_key IS NOT NULL",
            logger: logger
        )
        var keys: [String] = []
        for try await key in rows.decode(String.self) { keys.append(key) }
        return keys
    }

    private static func first(of rows: PostgresRowSequence) async throws -> UploadTask? {
        for try await row in rows { return try task(from: row) }
        return nil
    }

    /// A task from a row whose select list is `columns`.
    public static func task(from row: PostgresRow) throws -> UploadTask {
        let (id, owner, design, subject, status, progress, total, processed, images, skipped, error, created, started, completed, result, updated,
             subjects, rematchOf) = try row.decode(
            (UUID, UUID, UUID, UUID?, String, Int32, Int32, Int32, Int32, Int32, String?, Date, Date?, Date?, String?, Date, [UUID], UUID?).self
        )
        return UploadTask(
            id: id, ownerID: owner, setDesignID: design, subjectID: subject, subjectIDs: subjects, rematchOf: rematchOf,
            status: try Self.status(status),
            progress: Int(progress), totalItems: Int(total), processedItems: Int(processed), imagesProcessed: Int(images),
            imagesSkipped: Int(skipped), errorMessage: error, createdAt: created, startedAt: started, completedAt: completed,
            resultData: try result.map { try JSONParser.parse(Array($0.utf8)) } ?? .null, updatedAt: updated
        )
    }

    /// A status the enum `upload_task_status` has but this build does not know.
    struct UnknownStatus: Error {
        var text: String
    }

    private static func status(_ text: String) throws -> UploadTaskStatus {
        guard let status = UploadTaskStatus(rawValue: text) else { throw UnknownStatus(text: text) }
        return status
    }

    // MARK: Claim and lease (the worker)

    /// Claims the oldest PENDING task, or PROCESSING one whose lease ran out,
    /// in one statement. A task already claimed `maxAttempts` times is failed
    /// instead of tried again; it comes back with status FAILED.
    public func claim(
        workerID: String, lease: Duration, maxAttempts: Int, now: Date? = nil
    ) async throws -> (task: ClaimedTask, status: UploadTaskStatus)? {
        let rows = try await database.client.query(
            """
            WITH clock AS (
                SELECT coalesce(\(now)::timestamptz, now()) AS now
            ), next AS (
                SELECT id FROM upload_tasks
                WHERE status = 'PENDING' OR (status = 'PROCESSING' AND lease_expires_at < (SELECT now FROM clock))
                ORDER BY created_at, id
                LIMIT 1
                FOR UPDATE SKIP LOCKED
            ), decided AS (
                SELECT u.id, u.attempts >= \(maxAttempts) AS exhausted FROM upload_tasks u JOIN next USING (id)
            )
            UPDATE upload_tasks u SET
                status = CASE WHEN exhausted THEN 'FAILED' ELSE 'PROCESSING' END::upload_task_status,
                error_message = CASE WHEN exhausted THEN format('Processing was interrupted %s times.', u.attempts) END,
                completed_at = CASE WHEN exhausted THEN clock.now END,
                worker_id = \(workerID),
                attempts = CASE WHEN exhausted THEN u.attempts ELSE u.attempts + 1 END,
                lease_expires_at = CASE WHEN exhausted THEN NULL ELSE clock.now + \(Self.seconds(lease)) * interval '1 second' END,
                started_at = coalesce(u.started_at, clock.now),
                updated_at = clock_timestamp()
            FROM decided, set_designs d, clock
            WHERE u.id = decided.id AND d.id = u.set_design_id
            RETURNING u.id, u.status::text, u.set_design_id, u.subject_id, d.owner_id, d.organization_id,
                      u.archive_blob_key, u.attempts, extract(epoch FROM clock.now - u.started_at)::float8, u.rematch_of,
                      pg_notify(\(UploadTaskStatus.progressChannel), u.id::text)::text
            """,
            logger: logger
        )
        for try await (id, status, design, subject, owner, organization, archive, attempts, elapsed, rematchOf, _) in rows.decode(
            (UUID, String, UUID, UUID?, UUID, UUID?, String?, Int32, Double, UUID?, String).self
        ) {
            let task = ClaimedTask(
                id: id, setDesignID: design, subjectID: subject, rematchOf: rematchOf, ownerID: owner, organizationID: organization,
                archiveKey: archive, workerID: workerID, attempts: Int(attempts), lease: lease, elapsed: .seconds(elapsed)
            )
            return (task, try Self.status(status))
        }
        return nil
    }

    /// Extends the lease a full term from `now`. False when this claim has
    /// already ended the task (the renewal raced the final commit): nothing is
    /// left to renew. Throws `LeaseLost` when another claim owns it.
    public func renew(_ task: ClaimedTask, now: Date? = nil) async throws -> Bool {
        let renewed = try await database.client.query(
            """
            UPDATE upload_tasks SET lease_expires_at = coalesce(\(now)::timestamptz, now()) + \(Self.seconds(task.lease)) * interval '1 second'
            WHERE \(fence: task) RETURNING id
            """,
            logger: logger
        )
        for try await _ in renewed { return true }
        // A second statement: a renewal that waited on the final commit's row
        // lock still had the older snapshot and would see the task PROCESSING.
        let endedByUs = try await database.client.query(
            """
            SELECT EXISTS (SELECT 1 FROM upload_tasks WHERE id = \(task.id) AND worker_id = \(task.workerID)
                           AND attempts = \(task.attempts) AND status IN ('COMPLETED', 'FAILED'))
            """,
            logger: logger
        ).one(Bool.self)
        if endedByUs { return false }
        throw LeaseLost()
    }

    // MARK: Progress and the end of a claim (the worker)

    /// Writes the counters; `progress` follows from them. Without a WAL flush
    /// (`synchronous_commit` off): the archive's loop waits for this write, and
    /// a flush here would wait for every image written since the last one
    /// (0.74 s instead of 0.45 s for the 24 images of the typical archive in
    /// Benchmarks/run_ingest_benchmark). A progress write lost in a crash is
    /// redone by the next claim; the final state is flushed.
    public func report(_ task: ClaimedTask, _ counters: TaskCounters) async throws {
        try await fenced(
            """
            WITH settings AS (SELECT set_config('synchronous_commit', 'off', true)),
                 w AS (
                     UPDATE upload_tasks SET \(counters: counters), updated_at = clock_timestamp()
                     WHERE \(fence: task) RETURNING id
                 )
            SELECT pg_notify(\(UploadTaskStatus.progressChannel), id::text) FROM w, settings
            """
        )
    }

    /// Records the subjects an archive's folders name, once its names are read,
    /// so the latest-task route finds the task by any of them.
    public func recordSubjects(_ task: ClaimedTask, _ subjectIDs: [UUID]) async throws {
        try await fenced("UPDATE upload_tasks SET subject_ids = \(subjectIDs) WHERE \(fence: task) RETURNING id")
    }

    /// Locks the task in the caller's transaction if the lease still holds,
    /// so nothing else ends it before `complete` in the same transaction.
    public static func lock(_ task: ClaimedTask, on connection: PostgresConnection, logger: Logger) async throws {
        let rows = try await connection.query("SELECT 1 FROM upload_tasks WHERE \(fence: task) FOR UPDATE", logger: logger)
        for try await _ in rows { return }
        throw LeaseLost()
    }

    /// Ends the task as COMPLETED with its result, in the caller's transaction
    /// (the one that applies the result); the progress stream hears of it on commit.
    public static func complete(
        _ task: ClaimedTask, counters: TaskCounters, result: JSONValue, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let rows = try await connection.query(
            """
            WITH w AS (
                UPDATE upload_tasks SET status = 'COMPLETED', \(counters: counters),
                    result_data = \(JSONWriter.string(result))::jsonb, completed_at = now(), lease_expires_at = NULL,
                    updated_at = clock_timestamp()
                WHERE \(fence: task) RETURNING id
            )
            SELECT pg_notify(\(UploadTaskStatus.progressChannel), id::text) FROM w
            """,
            logger: logger
        )
        for try await _ in rows { return }
        throw LeaseLost()
    }

    /// Ends the task as FAILED with a sentence for people, with these counters
    /// (nil: those last reported stay).
    public func fail(_ task: ClaimedTask, message: String, counters: TaskCounters?) async throws {
        try await fenced(
            """
            WITH w AS (
                UPDATE upload_tasks SET status = 'FAILED', error_message = \(message), completed_at = now(),
                    lease_expires_at = NULL, \(counters: counters), updated_at = clock_timestamp()
                WHERE \(fence: task) RETURNING id
            )
            SELECT pg_notify(\(UploadTaskStatus.progressChannel), id::text) FROM w
            """
        )
    }

    /// Gives the task back untouched for another worker at once (shutdown);
    /// the claim is not counted against the task.
    public func handBack(_ task: ClaimedTask) async throws {
        try await fenced(
            """
            WITH w AS (
                UPDATE upload_tasks SET status = 'PENDING', worker_id = NULL, lease_expires_at = NULL,
                    attempts = attempts - 1, \(counters: TaskCounters()), updated_at = clock_timestamp()
                WHERE \(fence: task) RETURNING id
            )
            SELECT pg_notify(\(UploadTaskStatus.queueChannel), id::text), pg_notify(\(UploadTaskStatus.progressChannel), id::text)
            FROM w
            """
        )
    }

    /// Runs a fenced statement: no row back means the lease is lost.
    private func fenced(_ query: PostgresQuery) async throws {
        let rows = try await database.client.query(query, logger: logger)
        for try await _ in rows { return }
        throw LeaseLost()
    }

    // MARK: Archives (the worker and the sweepers)

    /// Deletes an ended task's archive from the store, then forgets its key.
    public func deleteArchive(taskID: UUID, key: String, from blobs: any BlobStore) async throws {
        try await blobs.delete(key)
        try await database.client.query(
            "UPDATE upload_tasks SET archive_blob_key = NULL WHERE id = \(taskID) AND archive_blob_key = \(key)", logger: logger
        )
    }

    /// Up to `limit` archives of ended tasks still in the store (their worker
    /// stopped between the end and the deletion), the longest ended first.
    public func endedArchives(limit: Int) async throws -> [(taskID: UUID, key: String)] {
        let rows = try await database.client.query(
            """
            SELECT id, archive_blob_key FROM upload_tasks
            WHERE archive_blob_key IS NOT NULL AND status IN ('COMPLETED', 'FAILED')
            ORDER BY completed_at LIMIT \(limit)
            """,
            logger: logger
        )
        var archives: [(taskID: UUID, key: String)] = []
        for try await (id, key) in rows.decode((UUID, String).self) { archives.append((id, key)) }
        return archives
    }

    /// The keys among `keys` that no task refers to.
    public func keysWithoutTask(_ keys: [String]) async throws -> [String] {
        guard !keys.isEmpty else { return [] }
        let rows = try await database.client.query(
            """
            SELECT key FROM unnest(\(keys)::text[]) key
            WHERE NOT EXISTS (SELECT FROM upload_tasks WHERE archive_blob_key = key)
            """,
            logger: logger
        )
        var orphans: [String] = []
        for try await key in rows.decode(String.self) { orphans.append(key) }
        return orphans
    }

    private static func seconds(_ duration: Duration) -> Double { duration / .seconds(1) }
}

extension PostgresQuery.StringInterpolation {
    /// `\(fence: task)`: the row is the task and its holder is still this claim.
    fileprivate mutating func appendInterpolation(fence task: ClaimedTask) {
        appendLiteral("id = ")
        appendInterpolation(task.id)
        appendLiteral(" AND worker_id = ")
        appendInterpolation(task.workerID)
        appendLiteral(" AND attempts = ")
        appendInterpolation(task.attempts)
        appendLiteral(" AND status = 'PROCESSING'")
    }

    /// `\(counters: counters)`: the counter columns and `progress`; nil leaves them as they are.
    fileprivate mutating func appendInterpolation(counters: TaskCounters?) {
        guard let counters else {
            appendLiteral("progress = progress")
            return
        }
        appendLiteral("total_items = ")
        appendInterpolation(counters.total)
        appendLiteral(", processed_items = ")
        appendInterpolation(counters.processed)
        appendLiteral(", images_processed = ")
        appendInterpolation(counters.imagesProcessed)
        appendLiteral(", images_skipped = ")
        appendInterpolation(counters.imagesSkipped)
        appendLiteral(", progress = ")
        appendInterpolation(counters.progress)
    }
}
