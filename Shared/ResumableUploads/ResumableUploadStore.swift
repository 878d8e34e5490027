import Foundation
import Logging
import PostgresNIO

/// A resumable upload (tus 1.0) as its owner sees it.
public struct ResumableUpload: Sendable {
    public var id: UUID
    public var ownerID: UUID
    public var setDesignID: UUID
    public var subjectID: UUID?
    public var length: Int
    public var offset: Int
    /// `Upload-Metadata` as sent at creation.
    public var metadata: String?
    public var blobKey: String
    public var expiresAt: Date
    public var isExpired: Bool
    /// Set once complete: the task its archive became.
    public var taskID: UUID?
    public var isComplete: Bool
}

/// Every statement on `resumable_uploads`: the gateway creates, claims,
/// advances and ends uploads; the worker's sweep removes expired ones. A
/// PATCH writes only under a claim (`writer`, held until `writer_until`
/// unless renewed), so two requests never append to one upload at once; each
/// write after the claim is fenced on it. Statements that depend on the time
/// take an optional `now` (default: the database's) so tests pin time.
public struct ResumableUploadStore: Sendable {
    public let database: Database
    public let logger: Logger

    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    static let columns = """
        id, owner_id, set_design_id, subject_id, upload_length, upload_offset, metadata, blob_key, expires_at,
        expires_at <= now() AND completed_at IS NULL, task_id, completed_at IS NOT NULL
        """

    private static func uploads(_ rows: PostgresRowSequence) async throws -> [ResumableUpload] {
        var uploads: [ResumableUpload] = []
        for try await (id, owner, design, subject, length, offset, metadata, key, expires, expired, task, complete) in rows.decode(
            (UUID, UUID, UUID, UUID?, Int64, Int64, String?, String, Date, Bool, UUID?, Bool).self
        ) {
            uploads.append(
                ResumableUpload(
                    id: id, ownerID: owner, setDesignID: design, subjectID: subject, length: Int(length), offset: Int(offset),
                    metadata: metadata, blobKey: key, expiresAt: expires, isExpired: expired, taskID: task, isComplete: complete
                )
            )
        }
        return uploads
    }

    /// A new upload of `length` bytes, expiring `ttl` from now.
    public func create(
        id: UUID, ownerID: UUID, setDesignID: UUID, subjectID: UUID?, length: Int, metadata: String?, filename: String?, ttl: Duration
    ) async throws -> ResumableUpload? {
        try await Self.uploads(
            try await database.client.query(
                """
                INSERT INTO resumable_uploads (id, owner_id, set_design_id, subject_id, upload_length, metadata, filename, blob_key, expires_at)
                SELECT \(id), \(ownerID), d.id, \(subjectID), \(Int64(length)), \(metadata), \(filename), \(PartialBlob.key(uploadID: id)),
                       now() + \(Self.seconds(ttl)) * interval '1 second'
                FROM set_designs d WHERE d.id = \(setDesignID)
                RETURNING \(unescaped: Self.columns)
                """,
                logger: logger
            )
        ).first
    }

    /// The upload if `ownerID` created it (an upload is its creator's alone).
    public func find(_ id: UUID, ownerID: UUID) async throws -> ResumableUpload? {
        try await Self.uploads(
            try await database.client.query(
                "SELECT \(unescaped: Self.columns) FROM resumable_uploads WHERE id = \(id) AND owner_id = \(ownerID)", logger: logger
            )
        ).first
    }

    /// The owner's uploads that are neither complete nor expired.
    public func unfinishedCount(ownerID: UUID) async throws -> Int {
        try await database.client.query(
            "SELECT count(*) FROM resumable_uploads WHERE owner_id = \(ownerID) AND completed_at IS NULL AND expires_at > now()",
            logger: logger
        ).one(Int.self)
    }

    /// Why a claim was refused, or the upload claimed.
    public enum Claim: Sendable {
        case claimed(ResumableUpload)
        /// No such upload of this owner, or it expired, or it is complete: see the upload.
        case refused(ResumableUpload?)
        /// Another request is writing to it.
        case busy
    }

    /// Claims the upload for one PATCH at `offset` for `lease`: only an
    /// unfinished, unexpired upload of this owner at that offset, with no
    /// other live claim.
    public func claim(_ id: UUID, ownerID: UUID, offset: Int, writer: UUID, lease: Duration) async throws -> Claim {
        let claimed = try await Self.uploads(
            try await database.client.query(
                """
                UPDATE resumable_uploads SET writer = \(writer), writer_until = now() + \(Self.seconds(lease)) * interval '1 second'
                WHERE id = \(id) AND owner_id = \(ownerID) AND completed_at IS NULL AND expires_at > now()
                    AND upload_offset = \(Int64(offset)) AND (writer IS NULL OR writer_until <= now())
                RETURNING \(unescaped: Self.columns)
                """,
                logger: logger
            )
        )
        if let upload = claimed.first { return .claimed(upload) }
        let current = try await find(id, ownerID: ownerID)
        if let current, !current.isExpired, !current.isComplete, current.offset == offset { return .busy }
        return .refused(current)
    }

    /// Records the bytes stored so far under the claim, renews it, and
    /// pushes the expiry `ttl` past now. False when the claim was lost.
    public func advance(_ id: UUID, writer: UUID, offset: Int, lease: Duration, ttl: Duration) async throws -> Bool {
        let rows = try await database.client.query(
            """
            UPDATE resumable_uploads SET upload_offset = \(Int64(offset)), updated_at = now(),
                writer_until = now() + \(Self.seconds(lease)) * interval '1 second',
                expires_at = now() + \(Self.seconds(ttl)) * interval '1 second'
            WHERE id = \(id) AND writer = \(writer) AND upload_length >= \(Int64(offset))
            RETURNING 1
            """,
            logger: logger
        )
        return try await rows.collect().count == 1
    }

    /// Ends the claim (the PATCH is over).
    public func release(_ id: UUID, writer: UUID) async throws {
        try await database.client.query(
            "UPDATE resumable_uploads SET writer = NULL, writer_until = NULL WHERE id = \(id) AND writer = \(writer)", logger: logger
        )
    }

    /// Marks the claimed, complete upload as the task `taskID`, in the
    /// caller's transaction (the one that queues the task). False when the claim was lost.
    public static func complete(_ id: UUID, writer: UUID, taskID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE resumable_uploads SET task_id = \(taskID), completed_at = now(), writer = NULL, writer_until = NULL
            WHERE id = \(id) AND writer = \(writer) AND upload_offset = upload_length
            RETURNING 1
            """,
            logger: logger
        )
        return try await rows.collect().count == 1
    }

    /// Deletes the owner's upload; answers it as it was (its bytes are the caller's to delete).
    public func delete(_ id: UUID, ownerID: UUID) async throws -> ResumableUpload? {
        try await Self.uploads(
            try await database.client.query(
                "DELETE FROM resumable_uploads WHERE id = \(id) AND owner_id = \(ownerID) RETURNING \(unescaped: Self.columns)", logger: logger
            )
        ).first
    }

    // MARK: The sweep (the worker)

    /// Deletes up to `limit` uploads past their expiry as of `now` (complete
    /// ones too: their archive is their task's now); answers them.
    public func deleteExpired(now: Date? = nil, limit: Int) async throws -> [ResumableUpload] {
        try await Self.uploads(
            try await database.client.query(
                """
                DELETE FROM resumable_uploads WHERE id IN (
                    SELECT id FROM resumable_uploads WHERE expires_at <= coalesce(\(now)::timestamptz, now())
                    ORDER BY expires_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
                )
                RETURNING \(unescaped: Self.columns)
                """,
                logger: logger
            )
        )
    }

    /// The keys among `keys` that no upload refers to (its design was deleted with it).
    public func keysWithoutUpload(_ keys: [String]) async throws -> [String] {
        guard !keys.isEmpty else { return [] }
        let rows = try await database.client.query(
            "SELECT key FROM unnest(\(keys)::text[]) key WHERE NOT EXISTS (SELECT FROM resumable_uploads WHERE blob_key = key)",
            logger: logger
        )
        var orphans: [String] = []
        for try await key in rows.decode(String.self) { orphans.append(key) }
        return orphans
    }

    private static func seconds(_ duration: Duration) -> Double { duration / .seconds(1) }
}
