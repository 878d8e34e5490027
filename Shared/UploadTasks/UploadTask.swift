import Foundation

/// An upload task's row as clients see it (CONTRACT §6), read by `UploadTaskStore`.
public struct UploadTask: Sendable, Equatable {
    public var id: UUID
    public var ownerID: UUID
    public var setDesignID: UUID
    public var subjectID: UUID
    public var status: UploadTaskStatus
    public var progress: Int
    public var totalItems: Int
    public var processedItems: Int
    public var imagesProcessed: Int
    public var imagesSkipped: Int
    public var errorMessage: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var completedAt: Date?
    /// `null` until the task has COMPLETED.
    public var resultData: JSONValue
    /// The version of the row: the id of its progress event.
    public var updatedAt: Date
}

/// A task a worker holds: what to process, and the fencing token (`workerID`
/// with `attempts`) every later write must present.
public struct ClaimedTask: Sendable {
    public var id: UUID
    public var setDesignID: UUID
    public var subjectID: UUID
    /// The design's tenant: stored images belong to it.
    public var ownerID: UUID
    public var organizationID: UUID?
    public var archiveKey: String?
    public var workerID: String
    public var attempts: Int
    /// How long the claim holds unless renewed.
    public var lease: Duration
    /// Time since the task's first claim, as the database saw it at this claim.
    public var elapsed: Duration
}

/// Thrown by a fenced write that matched no row: the lease was lost (expired
/// and taken over, handed back, or the task deleted with its set design).
public struct LeaseLost: Error {
    public init() {}
}

/// A task's counters as CONTRACT §6 defines them.
public struct TaskCounters: Sendable, Equatable {
    public var total = 0
    public var processed = 0
    public var imagesProcessed = 0
    public var imagesSkipped = 0

    public init() {}

    public var progress: Int { total == 0 ? 0 : 100 * processed / total }
}

/// Why an archive entry did not become a base image: CONTRACT §6's list, the
/// texts of task results (`result_data.skipped[].reason`) and of the worker's
/// `worker_images_skipped` metric.
public enum SkipReason: String, Sendable, CaseIterable {
    case ignored
    case notAnImage = "not_an_image"
    case corruptImage = "corrupt_image"
    case noMatchingShotType = "no_matching_shot_type"
    case ambiguousShotType = "ambiguous_shot_type"
    case duplicateShotType = "duplicate_shot_type"
    case encrypted
    case unsupportedCompression = "unsupported_compression"
    case tooLarge = "too_large"
}
