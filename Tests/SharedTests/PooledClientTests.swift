import Foundation
import PostgresNIO
import Shared
import Testing
import TestSupport

/// The pool's limits: a bounded wait for a connection, and the session
/// timeouts every connection is opened with.
@Suite("Database pool limits")
struct PooledClientTests {
    /// Runs `body` with a one-connection pool whose only connection is held until `body` returns.
    private func withExhaustedPool(timeout: Duration, _ body: @escaping @Sendable (Database) async throws -> Void) async throws {
        try await TestDatabase.withFresh { url in
            try await TestDatabase.withDatabase(url, maximumConnections: 1, limits: .init(poolTimeout: timeout)) { database in
                let (released, release) = AsyncStream<Void>.makeStream()
                let (held, hold) = AsyncStream<Void>.makeStream()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        // Waits as long as it takes for the one connection, whatever the load.
                        defer { hold.finish() }
                        try await database.client.postgres.withConnection { _ in
                            hold.yield()
                            for await _ in released { break }
                        }
                    }
                    for await _ in held { break }
                    do {
                        try await body(database)
                        release.finish()
                    } catch {
                        release.finish()
                        throw error
                    }
                    try await group.waitForAll()
                }
                // Free again, the same pool serves at once.
                #expect(try await database.client.query("SELECT 1", logger: database.logger).one(Int.self) == 1)
            }
        }
    }

    // MARK: Tests

    @Test func aQueryWaitingLongerThanThePoolTimeoutForAConnectionFailsWithPoolTimeout() async throws {
        try await withExhaustedPool(timeout: .milliseconds(200)) { database in
            await #expect(throws: PoolTimeout.self) { try await database.client.query("SELECT 1", logger: database.logger) }
        }
    }

    @Test func aLeaseOrTransactionWaitingLongerThanThePoolTimeoutFailsWithPoolTimeoutAndRunsNothing() async throws {
        try await withExhaustedPool(timeout: .milliseconds(200)) { database in
            await #expect(throws: PoolTimeout.self) {
                try await database.client.withConnection { _ in Issue.record("the body ran without a connection") }
            }
            await #expect(throws: PoolTimeout.self) {
                try await database.client.withTransaction(logger: database.logger) { _ in Issue.record("the body ran without a connection") }
            }
        }
    }

    @Test func aLeasedConnectionIsKeptForAsLongAsItsBodyRunsPastThePoolTimeout() async throws {
        try await TestDatabase.withFresh { url in
            try await TestDatabase.withDatabase(url, maximumConnections: 1, limits: .init(poolTimeout: .seconds(1))) { database in
                // The one connection opened first, however long that takes on a busy machine.
                _ = try await database.client.postgres.query("SELECT 1", logger: database.logger).collect()
                let pid = try await database.client.withConnection { connection in
                    let before = try await connection.query("SELECT pg_backend_pid()", logger: database.logger).one(Int32.self)
                    try await Task.sleep(for: .seconds(2))
                    let after = try await connection.query("SELECT pg_backend_pid()", logger: database.logger).one(Int32.self)
                    #expect(before == after)
                    return after
                }
                #expect(try await database.client.query("SELECT pg_backend_pid()", logger: database.logger).one(Int32.self) == pid)
            }
        }
    }

    @Test func aStatementThatFailsAfterRunningLongerThanThePoolTimeoutKeepsItsOwnError() async throws {
        try await TestDatabase.withFresh { url in
            // A timeout any busy machine leases an open connection within; a statement longer than it.
            try await TestDatabase.withDatabase(url, limits: .init(poolTimeout: .seconds(2))) { database in
                _ = try await database.client.query("SELECT 1", logger: database.logger).collect()
                do {
                    _ = try await database.client.query("SELECT count(*) / 0 FROM (SELECT pg_sleep(3)) AS slept", logger: database.logger).collect()
                    Issue.record("a division by zero succeeded")
                } catch {
                    #expect(!(error is PoolTimeout), "reported as \(error)")
                    #expect((error as? PSQLError)?.serverInfo?[.sqlState] == "22012")
                }
            }
        }
    }

    @Test func sessionsRunWithTheConfiguredStatementAndIdleInTransactionTimeouts() async throws {
        try await TestDatabase.withFresh { url in
            let limits = Database.SessionLimits(statementTimeout: .milliseconds(250), idleInTransactionTimeout: .seconds(7))
            try await TestDatabase.withDatabase(url, limits: limits) { database async throws in
                let logger = database.logger
                #expect(try await database.client.query("SHOW statement_timeout", logger: logger).one(String.self) == "250ms")
                #expect(try await database.client.query("SHOW idle_in_transaction_session_timeout", logger: logger).one(String.self) == "7s")
                do {
                    _ = try await database.client.query("SELECT pg_sleep(5)", logger: logger).collect()
                    Issue.record("a statement outlived statement_timeout")
                } catch {
                    #expect(DatabaseFailure(error) == .queryCanceled)
                }
            }
        }
    }
}
