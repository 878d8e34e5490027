import Foundation

/// An upload task's row as clients see it (CONTRACT §6), read by `UploadTaskStore`.
public struct UploadTask: Sendable, Equatable {
    public var id: UUID
    public var ownerID: UUID
    public var setDesignID: UUID
    /// Nil when the archive's first folders name the subjects.
    public var subjectID: UUID?
    /// The subjects the task touched: its `subjectID`, or those its archive's folders name.
    public var subjectIDs: [UUID]
    /// The task whose kept images this one matches again; nil for an archive.
    public var rematchOf: UUID?
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
    /// Nil when the archive's first folders name the subjects.
    public var subjectID: UUID?
    /// Set for a rematch: the task whose kept images to match again (and no archive).
    public var rematchOf: UUID?
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
    /// Without a `subject_id`, the entry's first folder names no subject of the design's scope, or several.
    case noMatchingSubject = "no_matching_subject"

    /// An image skipped for its name alone is kept (stored as media) for a
    /// person to place, or for a rematch once the catalog changed (CONTRACT §11).
    public var keepsImage: Bool {
        switch self {
        case .noMatchingShotType, .ambiguousShotType, .duplicateShotType, .noMatchingSubject: true
        case .ignored, .notAnImage, .corruptImage, .encrypted, .unsupportedCompression, .tooLarge: false
        }
    }
}
