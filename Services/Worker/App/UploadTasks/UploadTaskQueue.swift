import Foundation
import Logging
import PostgresNIO
import Shared

/// A task a worker holds: what to process, and the fencing token (`workerID`
/// with `attempts`) every later write must present.
struct ClaimedTask: Sendable {
    var id: UUID
    var setDesignID: UUID
    var subjectID: UUID
    /// The design's tenant: stored images belong to it.
    var ownerID: UUID
    var organizationID: UUID?
    var archiveKey: String?
    var workerID: String
    var attempts: Int
    /// Time since the task's first claim, as the database saw it at this claim.
    var elapsed: Duration = .zero
}

/// Thrown by a fenced write that matched no row: the lease was lost (expired
/// and taken over, handed back, or the task deleted with its set design).
struct LeaseLost: Error {}

/// The upload task queue's SQL (CONTRACT §6). Every write after the claim is
/// fenced on `worker_id` and `attempts`, and says so when it loses the lease.
struct UploadTaskQueue: Sendable {
    let database: Database
    let lease: Duration
    let maxAttempts: Int
    let logger: Logger

    private var leaseSeconds: Double { lease / .seconds(1) }

    /// Claims the oldest PENDING task, or PROCESSING one whose lease ran out,
    /// in one statement. A task already claimed `maxAttempts` times is failed
    /// instead of tried again; it comes back with status FAILED.
    func claim(workerID: String) async throws -> (task: ClaimedTask, status: UploadTaskStatus)? {
        let rows = try await database.client.query(
            """
            WITH next AS (
                SELECT id FROM upload_tasks
                WHERE status = 'PENDING' OR (status = 'PROCESSING' AND lease_expires_at < now())
                ORDER BY created_at, id
                LIMIT 1
                FOR UPDATE SKIP LOCKED
            ), decided AS (
                SELECT u.id, u.attempts >= \(maxAttempts) AS exhausted FROM upload_tasks u JOIN next USING (id)
            )
            UPDATE upload_tasks u SET
                status = CASE WHEN exhausted THEN 'FAILED' ELSE 'PROCESSING' END::upload_task_status,
                error_message = CASE WHEN exhausted THEN format('Processing was interrupted %s times.', u.attempts) END,
                completed_at = CASE WHEN exhausted THEN now() END,
                worker_id = \(workerID),
                attempts = CASE WHEN exhausted THEN u.attempts ELSE u.attempts + 1 END,
                lease_expires_at = CASE WHEN exhausted THEN NULL ELSE now() + \(leaseSeconds) * interval '1 second' END,
                started_at = coalesce(u.started_at, now()),
                updated_at = clock_timestamp()
            FROM decided, set_designs d
            WHERE u.id = decided.id AND d.id = u.set_design_id
            RETURNING u.id, u.status::text, u.set_design_id, u.subject_id, d.owner_id, d.organization_id,
                      u.archive_blob_key, u.attempts, extract(epoch FROM now() - u.started_at)::float8,
                      pg_notify(\(UploadTaskStatus.progressChannel), u.id::text)::text
            """,
            logger: logger
        )
        for try await (id, status, design, subject, owner, organization, archive, attempts, elapsed, _) in rows.decode(
            (UUID, String, UUID, UUID, UUID, UUID?, String?, Int32, Double, String).self
        ) {
            let task = ClaimedTask(
                id: id, setDesignID: design, subjectID: subject, ownerID: owner, organizationID: organization,
                archiveKey: archive, workerID: workerID, attempts: Int(attempts), elapsed: .seconds(elapsed)
            )
            return (task, UploadTaskStatus(rawValue: status) ?? .failed)
        }
        return nil
    }

    /// Pushes the lease a full term ahead.
    /// Extends the lease. False when this claim has already ended the task
    /// (the renewal raced the final commit): nothing is left to renew.
    /// Throws `LeaseLost` when another claim owns it.
    func renew(_ task: ClaimedTask) async throws -> Bool {
        let renewed = try await database.client.query(
            """
            UPDATE upload_tasks SET lease_expires_at = now() + \(leaseSeconds) * interval '1 second'
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

    /// Writes the counters; `progress` follows from them. Without a WAL flush
    /// (`synchronous_commit` off): the archive's loop waits for this write, and
    /// a flush here would wait for every image written since the last one
    /// (0.74 s instead of 0.45 s for the 24 images of the typical archive in
    /// Benchmarks/run_ingest_benchmark). A progress write lost in a crash is
    /// redone by the next claim; the final state is flushed.
    func report(_ task: ClaimedTask, _ counters: TaskCounters) async throws {
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

    /// Ends the task as FAILED with a sentence for people, with these counters
    /// (nil: those last reported stay).
    func fail(_ task: ClaimedTask, message: String, counters: TaskCounters?) async throws {
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
    func handBack(_ task: ClaimedTask) async throws {
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

    /// Locks the task in the caller's transaction if the lease still holds.
    static func lockFenced(_ task: ClaimedTask, on connection: PostgresConnection, logger: Logger) async throws {
        let rows = try await connection.query("SELECT 1 FROM upload_tasks WHERE \(fence: task) FOR UPDATE", logger: logger)
        for try await _ in rows { return }
        throw LeaseLost()
    }

    /// Runs a fenced statement: no row back means the lease is lost.
    private func fenced(_ query: PostgresQuery) async throws {
        let rows = try await database.client.query(query, logger: logger)
        for try await _ in rows { return }
        throw LeaseLost()
    }

    /// Archives of ended tasks still in the store (their worker stopped
    /// between the end and the deletion): deletes a few per call.
    func deleteEndedArchives(in blobs: any BlobStore, limit: Int = 20) async throws {
        let rows = try await database.client.query(
            """
            SELECT id, archive_blob_key FROM upload_tasks
            WHERE archive_blob_key IS NOT NULL AND status IN ('COMPLETED', 'FAILED')
            ORDER BY completed_at LIMIT \(limit)
            """,
            logger: logger
        )
        for try await (id, key) in rows.decode((UUID, String).self) {
            try await deleteArchive(taskID: id, key: key, in: blobs)
        }
    }

    func deleteArchive(taskID: UUID, key: String, in blobs: any BlobStore) async throws {
        try await blobs.delete(key)
        try await database.client.query(
            "UPDATE upload_tasks SET archive_blob_key = NULL WHERE id = \(taskID) AND archive_blob_key = \(key)", logger: logger
        )
    }
}

/// A task's counters as CONTRACT §6 defines them.
struct TaskCounters: Sendable, Equatable {
    var total = 0
    var processed = 0
    var imagesProcessed = 0
    var imagesSkipped = 0

    var progress: Int { total == 0 ? 0 : 100 * processed / total }
}

extension PostgresQuery.StringInterpolation {
    /// `\(fence: task)`: the row is the task and its holder is still this claim.
    mutating func appendInterpolation(fence task: ClaimedTask) {
        appendLiteral("id = ")
        appendInterpolation(task.id)
        appendLiteral(" AND worker_id = ")
        appendInterpolation(task.workerID)
        appendLiteral(" AND attempts = ")
        appendInterpolation(task.attempts)
        appendLiteral(" AND status = 'PROCESSING'")
    }

    /// `\(counters: counters)`: the counter columns and `progress`; nil leaves them as they are.
    mutating func appendInterpolation(counters: TaskCounters?) {
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
