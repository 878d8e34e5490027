import Foundation
import PostgresNIO
import Shared
import Testing
import TestSupport

/// Prepared statements (`PreparedStatement`) when their connection, the schema or the result misbehave.
@Suite("Prepared statements under failure")
struct PreparedStatementTests {
    /// A statement over a table that a test can lock.
    struct ReadLocked: PreparedStatement {
        var id: Int
        static let placeholder = ReadLocked(id: 0)
        var query: PostgresQuery { "SELECT v FROM lockable WHERE v = \(id)" }
    }

    /// Rows that come slowly: 20 batches of 500 rows, 150 ms apart (about 3 s in all).
    struct SlowRows: PreparedStatement {
        var count: Int
        static let placeholder = SlowRows(count: 0)
        var query: PostgresQuery {
            "SELECT g, pg_sleep(CASE WHEN g % 500 = 0 THEN 0.15 ELSE 0 END)::text FROM generate_series(1, \(count)::bigint) g"
        }
    }

    /// A preparation that failed once (here: `statement_timeout` while a
    /// migration-like `LOCK TABLE` held the table) must not fail every later
    /// run of the statement on that connection (postgres-nio keeps a failed
    /// preparation for the life of the connection; `rows` closes it).
    @Test func aPreparationThatTimedOutOnALockIsRetriedOnceTheLockIsGone() async throws {
        try await TestDatabase.withFresh { url in
            let limits = Database.SessionLimits(statementTimeout: .milliseconds(300))
            try await TestDatabase.withDatabase(url, maximumConnections: 1, limits: limits) { database in
                let logger = database.logger
                try await database.client.query("CREATE TABLE lockable (v int)", logger: logger)
                try await database.client.query("INSERT INTO lockable VALUES (1)", logger: logger)
                try await TestDatabase.withClient(url) { locker in
                    try await locker.withConnection { connection in
                        try await connection.query("BEGIN", logger: logger)
                        try await connection.query("LOCK TABLE lockable IN ACCESS EXCLUSIVE MODE", logger: logger)
                        do {
                            _ = try await database.client.rows(ReadLocked(id: 1), logger: logger)
                            Issue.record("read a locked table")
                        } catch {
                            #expect(DatabaseFailure(error) == .queryCanceled, "\(error)")
                        }
                        try await connection.query("COMMIT", logger: logger)
                    }
                }
                // The lock is gone; the pool's one connection is the same.
                for attempt in 1...3 {
                    do {
                        let rows = try await database.client.rows(ReadLocked(id: 1), logger: logger)
                        #expect(rows.count == 1)
                    } catch {
                        Issue.record("attempt \(attempt) after the lock was released still fails: \(String(reflecting: error))")
                    }
                }
            }
        }
    }

    /// A schema change that keeps every column but widens a type (text ->
    /// varchar, int -> bigint) is harmless to unnamed statements; a named
    /// statement prepared before it fails with 0A000 "cached plan must not
    /// change result type" on that connection, so the run goes unnamed on a
    /// fresh one and the stale connection is closed.
    @Test func aStatementPreparedBeforeAColumnTypeChangeStillRuns() async throws {
        try await TestDatabase.withFresh { url in
            try await TestDatabase.withDatabase(url, maximumConnections: 1) { database in
                let logger = database.logger
                try await database.client.query("CREATE TABLE lockable (v int)", logger: logger)
                try await database.client.query("INSERT INTO lockable VALUES (1)", logger: logger)
                #expect(try await database.client.rows(ReadLocked(id: 1), logger: logger).count == 1)
                try await database.client.query("ALTER TABLE lockable ALTER COLUMN v TYPE bigint", logger: logger)
                for attempt in 1...2 {
                    do {
                        #expect(try await database.client.rows(ReadLocked(id: 1), logger: logger).count == 1)
                    } catch {
                        Issue.record("run \(attempt) after a widened column failed: \(String(reflecting: error))")
                    }
                }
            }
        }
    }

    /// The pool timeout bounds the wait for a connection only: a result that
    /// takes longer than it to arrive is read to its end, never reported as
    /// `PoolTimeout` (503 "busy") on a free pool.
    @Test func rowsThatTakeLongerThanThePoolTimeoutToArriveAreAllReturned() async throws {
        try await TestDatabase.withFresh { url in
            try await TestDatabase.withDatabase(url, limits: .init(poolTimeout: .seconds(1))) { database in
                let logger = database.logger
                _ = try await database.client.query("SELECT 1", logger: logger).collect()
                do {
                    let rows = try await database.client.rows(SlowRows(count: 10_000), logger: logger)
                    #expect(rows.count == 10_000)
                } catch {
                    Issue.record("a free pool answered \(String(reflecting: error))")
                }
            }
        }
    }
}
