import Logging
import ServiceLifecycle
import Shared

/// Deletes the archives of ended tasks still in the store: a worker deletes
/// a task's archive once the task ends, and one that stopped in between (a
/// crash, a failed deletion) leaves it to this sweep. A few per run, the
/// longest ended first.
public struct EndedArchiveSweeper: Service {
    public struct Configuration: Sendable {
        /// How often the sweep runs: `WORKER_POLL_SECONDS`, as often as a worker polls for tasks.
        public var interval: Duration
        /// Archives deleted per run, at most.
        public var batchSize = 20

        public init(config: AppConfig = AppConfig()) {
            interval = .seconds(config.workerPollSeconds)
        }
    }

    let store: UploadTaskStore
    let blobs: any BlobStore
    let configuration: Configuration

    public init(database: Database, blobs: any BlobStore, configuration: Configuration, logger: Logger) {
        store = UploadTaskStore(database: database, logger: logger)
        self.blobs = blobs
        self.configuration = configuration
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: configuration.interval) }
            guard !Task.isShuttingDownGracefully else { return }
            do {
                try await sweep()
            } catch {
                store.logger.warning("sweeping ended archives failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// One run; returns how many archives it deleted.
    @discardableResult
    public func sweep() async throws -> Int {
        let archives = try await store.endedArchives(limit: configuration.batchSize)
        for (taskID, key) in archives {
            try await store.deleteArchive(taskID: taskID, key: key, from: blobs)
        }
        return archives.count
    }
}
