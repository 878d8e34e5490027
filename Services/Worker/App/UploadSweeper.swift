import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Removes what uploads leave behind when a process dies at the wrong moment:
/// a blob write that stopped half-way (the gateway died mid-upload), and an
/// uploaded archive that no task refers to (the gateway died between storing
/// it and inserting its task). Both are left alone until untouched for
/// `grace`, longer than any gateway takes from its last byte to its insert.
/// Archives of ended tasks are deleted by their worker (or `EndedArchiveSweeper`).
public struct UploadSweeper: Service {
    public struct Configuration: Sendable {
        /// How long a write or an archive must be untouched before it is removed.
        public var grace: Duration
        /// How often the sweep runs.
        public var interval: Duration
        /// Archives looked at per sweep, at most.
        public var batchSize = 1000

        public init(grace: Duration, interval: Duration) {
            self.grace = grace
            self.interval = interval
        }

        /// `UPLOAD_SWEEP_GRACE_SECONDS`; the sweep runs every tenth of it, at most once a minute.
        public init(config: AppConfig) {
            grace = .seconds(config.uploadSweepGraceSeconds)
            interval = .seconds(min(60, config.uploadSweepGraceSeconds / 10))
        }
    }

    let database: Database
    let blobs: any BlobStore
    let configuration: Configuration
    let logger: Logger

    public init(database: Database, blobs: any BlobStore, configuration: Configuration, logger: Logger) {
        self.database = database
        self.blobs = blobs
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                try await sweep(now: Date())
            } catch {
                logger.warning("sweeping abandoned uploads failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: configuration.interval) }
        }
    }

    /// One sweep as of `now`; returns the stopped writes and the orphaned archives it removed.
    @discardableResult
    public func sweep(now: Date) async throws -> (writes: Int, archives: Int) {
        let (seconds, attoseconds) = configuration.grace.components
        let cutoff = now.addingTimeInterval(-(Double(seconds) + Double(attoseconds) / 1e18))
        let writes = try await blobs.removeAbandonedWrites(untouchedSince: cutoff)
        let candidates = try await blobs.uploadedArchives(untouchedSince: cutoff, limit: configuration.batchSize)
        var archives = 0
        for key in try await UploadTaskStore(database: database, logger: logger).keysWithoutTask(candidates) {
            try await blobs.delete(key)
            archives += 1
        }
        if writes + archives > 0 {
            logger.info("swept abandoned uploads", metadata: ["stopped_writes": "\(writes)", "orphaned_archives": "\(archives)"])
        }
        return (writes, archives)
    }
}
