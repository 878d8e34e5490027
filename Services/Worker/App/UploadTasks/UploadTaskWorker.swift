import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import Shared

/// The claim loop (CONTRACT §6): `WORKER_CONCURRENCY` slots, each claiming
/// and processing one task at a time. Slots are woken by `NOTIFY
/// upload_tasks`, by a poll every `WORKER_POLL_SECONDS` (a lost notification
/// only delays a task), and whenever the listening connection (re)connects.
/// On SIGTERM slots stop claiming; a task still running after the grace
/// period is handed back for another worker at once. A task still running
/// `TASK_DEADLINE_SECONDS` after its first claim is failed.
public struct UploadTaskWorker: Service {
    /// The loop's settings; each comes from `AppConfig`, which documents it and holds its default.
    public struct Configuration: Sendable {
        /// `WORKER_CONCURRENCY`: slots.
        public var concurrency: Int
        /// `WORKER_POLL_SECONDS`.
        public var pollInterval: Duration
        /// `TASK_LEASE_SECONDS`.
        public var lease: Duration
        /// `TASK_MAX_ATTEMPTS`.
        public var maxAttempts: Int
        /// `WORKER_SHUTDOWN_GRACE_SECONDS`.
        public var shutdownGrace: Duration
        /// `TASK_DEADLINE_SECONDS`: from a task's first claim to its failure if it has not ended.
        public var deadline: Duration
        public var limits = ZipLimits()
        /// Names this process in `worker_id` (host:pid); slots add their number.
        public var name = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"

        public init(config: AppConfig = AppConfig()) {
            concurrency = config.workerConcurrency
            pollInterval = .seconds(config.workerPollSeconds)
            lease = .seconds(config.taskLeaseSeconds)
            maxAttempts = config.taskMaxAttempts
            shutdownGrace = .seconds(config.workerShutdownGraceSeconds)
            deadline = .seconds(config.taskDeadlineSeconds)
        }
    }

    let database: Database
    let blobs: any BlobStore
    let configuration: Configuration
    let metrics: WorkerMetrics
    let logger: Logger

    public init(
        database: Database, blobs: any BlobStore, configuration: Configuration, metrics: WorkerMetrics = WorkerMetrics(),
        logger: Logger
    ) {
        self.database = database
        self.blobs = blobs
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    var store: UploadTaskStore { UploadTaskStore(database: database, logger: logger) }

    public func run() async throws {
        let doorbell = Doorbell(slots: configuration.concurrency)
        let listener = ChannelListener(
            database: database, channel: UploadTaskStatus.queueChannel, logger: logger,
            onListening: { doorbell.ring() },
            onNotification: { _ in doorbell.ring() }
        )
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await listener.run() }
                group.addTask {
                    while !Task.isShuttingDownGracefully {
                        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: configuration.pollInterval) }
                        doorbell.ring()
                    }
                }
                for slot in 0..<configuration.concurrency {
                    group.addTask { await runSlot(slot, rings: doorbell.rings(of: slot)) }
                }
            }
        } onGracefulShutdown: {
            doorbell.close()
        }
    }

    /// Claims until nothing is left, then waits for the next ring.
    private func runSlot(_ slot: Int, rings: AsyncStream<Void>) async {
        let workerID = "\(configuration.name):\(slot)"
        for await _ in rings {
            while !Task.isShuttingDownGracefully {
                do {
                    let claim = try await store.claim(workerID: workerID, lease: configuration.lease, maxAttempts: configuration.maxAttempts)
                    guard let (task, status) = claim else { break }
                    guard status == .processing else {
                        logger.warning("task failed after too many interrupted attempts", metadata: ["task_id": "\(task.id)"])
                        if let key = task.archiveKey { try? await store.deleteArchive(taskID: task.id, key: key, from: blobs) }
                        continue
                    }
                    await run(task)
                } catch {
                    logger.error("claiming a task failed", metadata: ["error": "\(error)"])
                    break
                }
            }
        }
    }

    /// Processes the task while renewing its lease; stops quietly when the
    /// lease is lost, hands it back when shutdown outlasts the grace period,
    /// fails it when it outlasts its deadline.
    func run(_ task: ClaimedTask) async {
        let metadata: Logger.Metadata = ["task_id": "\(task.id)", "worker_id": "\(task.workerID)", "attempt": "\(task.attempts)"]
        logger.info("task claimed", metadata: metadata)
        let processor = UploadTaskProcessor(database: database, blobs: blobs, store: store, limits: configuration.limits, logger: logger)
        let (store, lease, grace) = (store, configuration.lease, configuration.shutdownGrace)
        let deadline = configuration.deadline
        enum Ending { case finished(UploadTaskProcessor.Ending), handBack, deadlinePassed }
        let (metrics, start) = (self.metrics, ContinuousClock.now)
        metrics.tasksRunning(1)
        defer { metrics.tasksRunning(-1) }
        do {
            let ending = try await withThrowingTaskGroup(of: Ending.self) { group in
                group.addTask { .finished(try await processor.process(task)) }
                group.addTask {
                    // Once a renewal finds the task ended by this claim (it raced the final
                    // commit), the processing child is about to return: just wait for it.
                    var held = true
                    while true {
                        try await Task.sleep(for: lease / 3)
                        guard held else { continue }
                        do { held = try await store.renew(task) } catch is LeaseLost { throw LeaseLost() } catch {
                            // A database hiccup: the next renewal may still make it in time.
                            logger.warning("renewing a lease failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                        }
                    }
                }
                group.addTask {
                    try await gracefulShutdown()
                    try await Task.sleep(for: grace)
                    return .handBack
                }
                group.addTask {
                    // Failed here, not after the group: a processing child stuck in a
                    // call that ignores cancellation would hold the group open.
                    if task.elapsed < deadline { try await Task.sleep(for: deadline - task.elapsed) }
                    try await store.fail(task, message: Self.deadlineMessage(deadline), counters: nil)
                    return .deadlinePassed
                }
                defer { group.cancelAll() }
                return try await group.next() ?? .handBack
            }
            switch ending {
            case .handBack:
                try await store.handBack(task)
                metrics.taskEnded(.handedBack, after: .now - start)
                logger.notice("task handed back at shutdown", metadata: metadata)
            case .deadlinePassed:
                metrics.taskEnded(.failed, after: .now - start)
                logger.warning("task failed: past its deadline", metadata: metadata)
            case .finished(let result):
                metrics.taskEnded(result.status == .completed ? .completed : .failed, after: .now - start)
                if result.status == .completed {
                    metrics.imagesHandled(processed: result.counters.imagesProcessed, skipReasons: result.skipReasons)
                }
                logger.info("task ended", metadata: metadata.merging(["status": "\(result.status.rawValue)"]) { $1 })
            }
        } catch is LeaseLost {
            metrics.taskEnded(.leaseLost, after: .now - start)
            logger.notice("task lease lost; stopped", metadata: metadata)
        } catch {
            // The lease runs out and another attempt starts over.
            metrics.taskEnded(.interrupted, after: .now - start)
            logger.error("task processing failed", metadata: metadata.merging(["error": "\(String(reflecting: error))"]) { $1 })
        }
    }

    static func deadlineMessage(_ deadline: Duration) -> String {
        let seconds = Double(deadline.components.seconds) + Double(deadline.components.attoseconds) / 1e18
        let text = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
        return "Processing took longer than \(text) seconds, the limit for one upload."
    }
}

/// Wakes every slot: each has its own stream holding at most one ring, so a
/// burst of notifications costs one claim attempt per slot.
final class Doorbell: Sendable {
    private let continuations: NIOLockedValueBox<[AsyncStream<Void>.Continuation]>
    private let streams: [AsyncStream<Void>]

    init(slots: Int) {
        var continuations: [AsyncStream<Void>.Continuation] = []
        var streams: [AsyncStream<Void>] = []
        for _ in 0..<slots {
            let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
            streams.append(stream)
            continuations.append(continuation)
        }
        self.streams = streams
        self.continuations = NIOLockedValueBox(continuations)
    }

    func rings(of slot: Int) -> AsyncStream<Void> { streams[slot] }

    func ring() {
        continuations.withLockedValue { $0.forEach { $0.yield() } }
    }

    /// Ends every slot's stream once its current task is done.
    func close() {
        continuations.withLockedValue { $0.forEach { $0.finish() } }
    }
}
