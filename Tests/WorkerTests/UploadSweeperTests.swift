import Foundation
import Logging
import NIOCore
import PostgresNIO
import Shared
import Testing
import TestSupport
@testable import WorkerApp

/// The sweeps of what dead processes leave behind of uploads.
@Suite("Upload sweeper")
struct UploadSweeperTests {
    // MARK: Tests

    @Test func anArchiveNoTaskRefersToAndAStoppedWriteAreSweptOnceUntouchedForTheGracePeriod() async throws {
        try await TestGateway.run { api in
            // A task whose archive waits for a worker: never swept.
            let upload = try await PendingUpload.make(api, ArchiveBuilder.long)
            try await TestDatabase.withDatabase(api.databaseURL) { database in
                let store = PostgresBlobStore(database: database)
                // A gateway that died between storing an archive and inserting its task.
                let orphan = UploadArchive.key(taskID: UUID())
                var bytes: ByteBuffer? = ByteBuffer(bytes: [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))
                _ = try await store.put(BlobWrite(maxBytes: 100) { _ in orphan }) { defer { bytes = nil }; return bytes }
                // One that died mid-upload.
                try await database.client.query("INSERT INTO blobs (key, chunk_size) VALUES ('staging/dead', 1048576)")
                let sweeper = UploadSweeper(
                    database: database, blobs: store, configuration: .init(grace: .seconds(600), interval: .seconds(60)),
                    logger: Logger(label: "sweeper-test")
                )
                let early = try await sweeper.sweep(now: Date())
                #expect(early.writes == 0 && early.archives == 0)
                let late = try await sweeper.sweep(now: Date().addingTimeInterval(601))
                #expect(late.writes == 1 && late.archives == 1)
                #expect(try await store.size(of: orphan) == nil)
                let kept = try await database.client.query(
                    "SELECT archive_blob_key FROM upload_tasks WHERE id = \(upload.task)"
                ).one(String.self)
                #expect(try await store.size(of: kept) != nil)
            }
        }
    }

    @Test func theArchiveOfAnEndedTaskLeftInTheStoreIsDeletedByTheEndedArchiveSweep() async throws {
        try await TestGateway.run { api in
            let ended = try await PendingUpload.make(api, ArchiveBuilder.long)
            let second = try await api.upload(ended.path, token: ended.token, form: .file(ArchiveBuilder.long))
            let queued = try #require(second.json["id"].uuid)
            try await TestDatabase.withDatabase(api.databaseURL) { database in
                let logger = Logger(label: "sweeper-test")
                let (store, blobs) = (UploadTaskStore(database: database, logger: logger), PostgresBlobStore(database: database))
                // A worker that failed its task and stopped before deleting the archive.
                let (task, _) = try #require(try await store.claim(workerID: "test:1:0", lease: .seconds(30), maxAttempts: 3))
                #expect(task.id == ended.task)
                let key = try #require(task.archiveKey)
                try await store.fail(task, message: "The archive is empty.", counters: nil)

                let sweeper = EndedArchiveSweeper(database: database, blobs: blobs, configuration: .init(), logger: logger)
                #expect(try await sweeper.sweep() == 1)
                #expect(try await blobs.size(of: key) == nil)
                #expect(try await store.endedArchives(limit: 10).isEmpty)
                #expect(try await sweeper.sweep() == 0)
                // A queued task keeps its archive.
                #expect(try await blobs.size(of: UploadArchive.key(taskID: queued)) != nil)
            }
        }
    }
}
