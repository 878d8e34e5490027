import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Removes what uploads leave behind when a process dies at the wrong moment:
/// a blob write that stopped half-way (the gateway died mid-upload), and an
/// uploaded archive that no task refers to (the gateway died between storing
/// it and inserting its task). Both are left alone until untouched for
/// `grace`, longer than any gateway takes from its last byte to its insert.
/// Also resumable uploads past their expiry, with their bytes, and the bytes
/// of resumable uploads that are gone (deleted with their design).
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

    /// What one sweep removed.
    public struct Swept: Sendable, Equatable {
        public var writes = 0
        public var archives = 0
        /// Resumable uploads past their expiry.
        public var expiredUploads = 0
        /// Partial blobs of resumable uploads that are gone.
        public var partialBlobs = 0
    }

    /// One sweep as of `now`.
    @discardableResult
    public func sweep(now: Date) async throws -> Swept {
        let (seconds, attoseconds) = configuration.grace.components
        let cutoff = now.addingTimeInterval(-(Double(seconds) + Double(attoseconds) / 1e18))
        let writes = try await blobs.removeAbandonedWrites(untouchedSince: cutoff)
        let candidates = try await blobs.uploadedArchives(untouchedSince: cutoff, limit: configuration.batchSize)
        var archives = 0
        for key in try await UploadTaskStore(database: database, logger: logger).keysWithoutTask(candidates) {
            try await blobs.delete(key)
            archives += 1
        }
        var swept = Swept(writes: writes, archives: archives)
        let resumable = ResumableUploadStore(database: database, logger: logger)
        for upload in try await resumable.deleteExpired(now: now, limit: configuration.batchSize) {
            // A complete upload's bytes are its task's archive now.
            if !upload.isComplete { try await blobs.delete(upload.blobKey) }
            swept.expiredUploads += 1
        }
        let partial = try await blobs.partialBlobs(untouchedSince: cutoff, limit: configuration.batchSize)
        for key in try await resumable.keysWithoutUpload(partial) {
            try await blobs.delete(key)
            swept.partialBlobs += 1
        }
        if swept != Swept() {
            logger.info(
                "swept abandoned uploads",
                metadata: [
                    "stopped_writes": "\(writes)", "orphaned_archives": "\(archives)", "expired_resumable_uploads": "\(swept.expiredUploads)",
                    "orphaned_partial_blobs": "\(swept.partialBlobs)",
                ]
            )
        }
        return swept
    }
}
