import Foundation
import PostgresNIO
import Shared
import Testing
import TestSupport

/// The worker executable as a real process against a real database.
@Suite("Worker process", .tags(.slow), .slowTestsEnabled)
struct WorkerProcessTests {
    private func environment(_ url: DatabaseURL) -> [String: String] {
        [
            "DATABASE_URL": url.environmentValue,
            "LOG_LEVEL": "info",
        ]
    }

    /// Backend pids currently LISTENing on `upload_tasks` in the database.
    private func listeners(_ client: PostgresClient, database: String) async throws -> [Int32] {
        var pids: [Int32] = []
        let rows = try await client.query(
            """
            SELECT pid FROM pg_stat_activity
            WHERE datname = \(database) AND query ILIKE '%LISTEN%upload_tasks%' AND pid <> pg_backend_pid()
            """
        )
        for try await pid in rows.decode(Int32.self) { pids.append(pid) }
        return pids
    }

    // MARK: Tests

    @Test func theWorkerListensForTasksAndStopsCleanlyOnSigterm() async throws {
        try await TestDatabase.withFresh { url in
            try await TestDatabase.withClient(url) { client in
                let worker = try ChildProcess(Binaries.worker, environment: environment(url))
                let listening = try await eventually { try await !listeners(client, database: url.database).isEmpty }
                #expect(listening, "worker output: \(worker.output)")
                worker.signal(SIGTERM)
                let status = await worker.exitStatus(within: .seconds(10))
                #expect(status == 0, "worker output: \(worker.output)")
            }
        }
    }

    @Test func theWorkerListensAgainAfterItsConnectionIsKilled() async throws {
        try await TestDatabase.withFresh { url in
            try await TestDatabase.withClient(url) { client in
                let worker = try ChildProcess(Binaries.worker, environment: environment(url))
                let listening = try await eventually { try await !listeners(client, database: url.database).isEmpty }
                #expect(listening, "worker output: \(worker.output)")
                let first = try await listeners(client, database: url.database)
                for pid in first { try await client.query("SELECT pg_terminate_backend(\(pid))") }
                let relistened = try await eventually(within: .seconds(15)) {
                    let now = try await listeners(client, database: url.database)
                    return !now.isEmpty && Set(now).isDisjoint(with: first)
                }
                #expect(relistened, "worker output: \(worker.output)")
                #expect(worker.isRunning)
                worker.signal(SIGTERM)
                #expect(await worker.exitStatus(within: .seconds(10)) == 0)
            }
        }
    }

    @Test func theWorkerRefusesBadConfigurationNamingTheVariable() async throws {
        let worker = try ChildProcess(Binaries.worker, environment: ["WORKER_CONCURRENCY": "lots"])
        #expect(await worker.exitStatus(within: .seconds(60)) == 78)
        #expect(worker.output.contains("WORKER_CONCURRENCY"))
    }

    @Test(arguments: ["0", "-5", "soon", "604801"])
    func aTaskDeadlineOutOfRangeStopsStartUp(_ value: String) async throws {
        let worker = try ChildProcess(Binaries.worker, environment: ["TASK_DEADLINE_SECONDS": value])
        #expect(await worker.exitStatus(within: .seconds(60)) == 78)
        #expect(worker.output.contains("invalid configuration: TASK_DEADLINE_SECONDS must be a number from 0.1 to 604800.0"), "\(worker.output)")
    }
}
