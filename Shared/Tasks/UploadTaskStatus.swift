/// The Postgres enum `upload_task_status` (sql/0005), and the channels the
/// queue notifies on. Payloads are task ids only: NOTIFY caps them at 8000 bytes.
public enum UploadTaskStatus: String, Sendable, CaseIterable {
    case pending = "PENDING"
    case processing = "PROCESSING"
    case completed = "COMPLETED"
    case failed = "FAILED"

    /// COMPLETED and FAILED never change again.
    public var hasEnded: Bool { self == .completed || self == .failed }

    /// A new task is ready to be claimed.
    public static let queueChannel = "upload_tasks"
    /// A task's row changed (progress, status).
    public static let progressChannel = "upload_task_progress"
}
