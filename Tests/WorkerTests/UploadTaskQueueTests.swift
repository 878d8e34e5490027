import Logging
import PostgresNIO
import Shared
import Testing
import TestSupport
@testable import WorkerApp

/// The queue's fenced statements, called directly.
@Suite("Upload task queue")
struct UploadTaskQueueTests {
    // MARK: Tests

    @Test func aRenewalRenewsItsOwnClaimStopsAfterItsOwnEndAndThrowsOnceAnotherClaimOwnsTheTask() async throws {
        try await TestGateway.run { api in
            let upload = try await UploadWorkerProcessTests.upload(api, UploadWorkerProcessTests.longArchive)
            try await TestDatabase.withDatabase(api.databaseURL) { database in
                let queue = UploadTaskQueue(database: database, lease: .seconds(30), maxAttempts: 3, logger: Logger(label: "queue-test"))
                let (task, status) = try #require(try await queue.claim(workerID: "test:1:0"))
                #expect(status == .processing && task.id == upload.task)
                #expect(try await queue.renew(task))

                // As the final commit leaves it: a renewal racing it must not call the lease lost.
                try await database.client.query("UPDATE upload_tasks SET status = 'COMPLETED', lease_expires_at = NULL WHERE id = \(task.id)")
                #expect(try await queue.renew(task) == false)

                try await database.client.query(
                    "UPDATE upload_tasks SET status = 'PROCESSING', worker_id = 'other:2:0', attempts = attempts + 1 WHERE id = \(task.id)"
                )
                await #expect(throws: LeaseLost.self) { try await queue.renew(task) }
            }
        }
    }

    @Test func aRenewalWaitingOnTheTasksOwnFinalCommitSeesTheTaskEndedNotTheLeaseLost() async throws {
        try await TestGateway.run { api in
            let upload = try await UploadWorkerProcessTests.upload(api, UploadWorkerProcessTests.longArchive)
            try await TestDatabase.withDatabase(api.databaseURL) { database in
                let queue = UploadTaskQueue(database: database, lease: .seconds(30), maxAttempts: 3, logger: Logger(label: "queue-test"))
                let (task, _) = try #require(try await queue.claim(workerID: "test:1:0"))
                #expect(task.id == upload.task)
                // As the apply does: the row is changed and locked until COMMIT; the renewal waits on it.
                let renewal = try await database.transaction { connection in
                    try await connection.query(
                        "UPDATE upload_tasks SET status = 'COMPLETED', lease_expires_at = NULL WHERE id = \(task.id)", logger: database.logger
                    )
                    let renewal = Task { try await queue.renew(task) }
                    let waiting = try await eventually {
                        try await database.client.query(
                            """
                            SELECT count(*) FROM pg_stat_activity
                            WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE upload_tasks SET lease_expires_at%'
                            """
                        ).one(Int.self) == 1
                    }
                    #expect(waiting)
                    return renewal
                }
                #expect(try await renewal.value == false)
            }
        }
    }
}
