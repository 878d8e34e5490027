import Foundation
import Logging
import PostgresNIO
import Shared
import Testing
import TestSupport
@testable import WorkerApp

/// The queue's statements, called directly, with time pinned where it matters.
@Suite("Upload task store")
struct UploadTaskStoreTests {
    static let lease: Duration = .seconds(30)

    /// Runs `body` with the store over the database of a gateway holding one uploaded, PENDING task.
    static func withQueuedTask(_ body: @escaping @Sendable (UploadTaskStore, Database, UUID) async throws -> Void) async throws {
        try await TestGateway.run { api in
            let upload = try await PendingUpload.make(api, ArchiveBuilder.long)
            try await TestDatabase.withDatabase(api.databaseURL) { database in
                try await body(UploadTaskStore(database: database, logger: Logger(label: "store-test")), database, upload.task)
            }
        }
    }

    /// Ends the task as the processor does: lock, then COMPLETED, in one transaction.
    static func complete(_ task: ClaimedTask, on database: Database) async throws {
        try await database.transaction { connection in
            try await UploadTaskStore.lock(task, on: connection, logger: database.logger)
            try await UploadTaskStore.complete(task, counters: TaskCounters(), result: [:], on: connection, logger: database.logger)
        }
    }

    // MARK: Tests

    @Test func aRenewalRenewsItsOwnClaimStopsAfterItsOwnEndAndThrowsOnceAnotherClaimOwnsTheTask() async throws {
        try await Self.withQueuedTask { store, database, id in
            let start = Date()
            let (first, status) = try #require(try await store.claim(workerID: "test:1:0", lease: Self.lease, maxAttempts: 3, now: start))
            #expect(status == .processing && first.id == id && first.attempts == 1)
            #expect(try await store.renew(first, now: start))

            // Its lease ran out: another claim takes the task, and the first holder has lost it.
            let (second, _) = try #require(
                try await store.claim(workerID: "other:2:0", lease: Self.lease, maxAttempts: 3, now: start.addingTimeInterval(31))
            )
            #expect(second.id == id && second.attempts == 2)
            await #expect(throws: LeaseLost.self) { try await store.renew(first) }

            // As the final commit leaves it: a renewal racing it must not call the lease lost.
            try await Self.complete(second, on: database)
            #expect(try await store.renew(second) == false)
        }
    }

    @Test func aLeaseIsTakenOverOnlyOnceItHasRunOutAsOfTheClaimsTime() async throws {
        try await Self.withQueuedTask { store, _, id in
            let start = Date()
            let held = try #require(try await store.claim(workerID: "test:1:0", lease: Self.lease, maxAttempts: 3, now: start)).task
            #expect(try await store.claim(workerID: "other:2:0", lease: Self.lease, maxAttempts: 3, now: start.addingTimeInterval(29)) == nil)
            // Renewed at +20 s: held until +50 s.
            #expect(try await store.renew(held, now: start.addingTimeInterval(20)))
            #expect(try await store.claim(workerID: "other:2:0", lease: Self.lease, maxAttempts: 3, now: start.addingTimeInterval(49)) == nil)
            let (taken, status) = try #require(
                try await store.claim(workerID: "other:2:0", lease: Self.lease, maxAttempts: 3, now: start.addingTimeInterval(51))
            )
            #expect(taken.id == id && status == .processing && taken.attempts == 2)
            // Elapsed counts from the first claim.
            #expect(taken.elapsed > .milliseconds(50_999) && taken.elapsed < .milliseconds(51_001))
        }
    }

    @Test func aClaimOfATaskClaimedMaxAttemptsTimesFailsItAndNamesTheAttempts() async throws {
        try await Self.withQueuedTask { store, _, id in
            let start = Date()
            for attempt in 0..<2 {
                _ = try #require(
                    try await store.claim(workerID: "gone:1:0", lease: Self.lease, maxAttempts: 2, now: start.addingTimeInterval(Double(attempt) * 31))
                )
            }
            let (task, status) = try #require(
                try await store.claim(workerID: "test:1:0", lease: Self.lease, maxAttempts: 2, now: start.addingTimeInterval(62))
            )
            #expect(task.id == id && status == .failed && task.attempts == 2)
            let row = try #require(try await store.task(id))
            #expect(row.status == .failed && row.errorMessage == "Processing was interrupted 2 times.")
            #expect(row.completedAt != nil)
        }
    }

    @Test func aHandedBackTaskIsPendingAgainWithItsClaimUncounted() async throws {
        try await Self.withQueuedTask { store, database, id in
            let (task, _) = try #require(try await store.claim(workerID: "test:1:0", lease: Self.lease, maxAttempts: 3))
            var counters = TaskCounters()
            counters.total = 4
            counters.processed = 1
            try await store.report(task, counters)
            #expect(try await store.task(id)?.progress == 25)
            try await store.handBack(task)
            let row = try #require(try await store.task(id))
            #expect(row.status == .pending && row.processedItems == 0 && row.progress == 0)
            #expect(try await database.client.query("SELECT attempts FROM upload_tasks WHERE id = \(id)").one(Int.self) == 0)
            await #expect(throws: LeaseLost.self) { try await store.report(task, counters) }
        }
    }

    @Test func aRenewalWaitingOnTheTasksOwnFinalCommitSeesTheTaskEndedNotTheLeaseLost() async throws {
        try await Self.withQueuedTask { store, database, id in
            let (task, _) = try #require(try await store.claim(workerID: "test:1:0", lease: Self.lease, maxAttempts: 3))
            #expect(task.id == id)
            // As the apply does: the row is changed and locked until COMMIT; the renewal waits on it.
            let renewal = try await database.transaction { connection in
                try await UploadTaskStore.lock(task, on: connection, logger: database.logger)
                try await UploadTaskStore.complete(task, counters: TaskCounters(), result: [:], on: connection, logger: database.logger)
                let renewal = Task { try await store.renew(task) }
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

    @Test func skipReasonsAreTheContractsList() {
        // CONTRACT §6's, then §11's.
        #expect(
            SkipReason.allCases.map(\.rawValue) == [
                "ignored", "not_an_image", "corrupt_image", "no_matching_shot_type", "ambiguous_shot_type", "duplicate_shot_type",
                "encrypted", "unsupported_compression", "too_large", "no_matching_subject",
            ]
        )
    }
}
