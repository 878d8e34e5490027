import Foundation
import Logging
import Shared

/// Fans `NOTIFY upload_task_progress` out to the server-sent event streams of
/// this gateway: one `LISTEN` connection for all clients, one read of the
/// task row per change, whatever the number of clients watching it.
actor UploadTaskProgressHub {
    enum Event: Sendable {
        case changed(UploadTask)
        /// The task no longer exists (its set design was deleted).
        case gone
        case keepAlive
    }

    let database: Database
    let logger: Logger
    private var subscribers: [UUID: [Int: AsyncStream<Event>.Continuation]] = [:]
    private var nextToken = 0

    init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// The service that feeds the hub; after each (re)connect every watched
    /// task is read again, since changes may have gone unheard meanwhile.
    nonisolated var listener: ChannelListener {
        ChannelListener(
            database: database, channel: UploadTaskStatus.progressChannel, logger: logger,
            onListening: { await self.refreshAll() },
            onNotification: { await self.taskChanged($0) }
        )
    }

    /// Registers `continuation` for the task's changes until `unsubscribe`.
    func subscribe(_ taskID: UUID, _ continuation: AsyncStream<Event>.Continuation) -> Int {
        nextToken += 1
        subscribers[taskID, default: [:]][nextToken] = continuation
        return nextToken
    }

    func unsubscribe(_ taskID: UUID, token: Int) {
        subscribers[taskID]?[token] = nil
        if subscribers[taskID]?.isEmpty == true { subscribers[taskID] = nil }
    }

    private func taskChanged(_ payload: String) async {
        guard let taskID = UUID(uuidString: payload), subscribers[taskID] != nil else { return }
        await publish(taskID)
    }

    private func refreshAll() async {
        for taskID in subscribers.keys { await publish(taskID) }
    }

    private func publish(_ taskID: UUID) async {
        let event: Event
        do {
            event = try await UploadTaskStore(database: database, logger: logger).task(taskID).map(Event.changed) ?? .gone
        } catch {
            // The listener's reconnect reads every watched task again.
            logger.warning("reading a task for its progress stream failed", metadata: ["task_id": "\(taskID)", "error": "\(error)"])
            return
        }
        for continuation in (subscribers[taskID] ?? [:]).values { continuation.yield(event) }
    }
}
