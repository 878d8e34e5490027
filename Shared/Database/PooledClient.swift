import Logging
import NIOCore
import NIOPosix
import Synchronization
import PostgresNIO
import _ConnectionPoolModule
import ServiceLifecycle

// PostgresClient waits for a free connection as long as it takes: when every
// connection is busy, each request queues behind them with no bound, and a
// stalled pool stalls every route. This wrapper gives the wait a deadline
// (`DATABASE_POOL_TIMEOUT_SECONDS`), after which the caller gets
// `PoolTimeout`, which the gateway answers 503 with `Retry-After`. postgres-nio
// has no such option; its lease is cancellable, so the deadline cancels it.
// The deadline is an event-loop timer, not a sleeping task: a task per
// statement costs a thread hop and an allocation on every request.

/// No connection of the pool became free in time.
public struct PoolTimeout: Error, Sendable {
    public let waited: Duration
}

/// The pooled Postgres client of a service, with a bounded wait for a connection.
public struct PooledClient: Sendable, Service {
    public let postgres: PostgresClient
    /// The longest wait for a free connection.
    public let leaseTimeout: Duration

    public init(configuration: PostgresClient.Configuration, leaseTimeout: Duration, backgroundLogger: Logger) {
        postgres = PostgresClient(configuration: configuration, backgroundLogger: backgroundLogger)
        self.leaseTimeout = leaseTimeout
    }

    public func run() async {
        await postgres.run()
    }

    /// One statement on a pooled connection. The deadline covers the wait for
    /// a connection; once the statement is sent, cancelling no longer stops it
    /// (postgres-nio awaits its answer regardless), so a slow statement is
    /// bounded by the server's `statement_timeout` instead.
    @discardableResult
    public func query(_ query: PostgresQuery, logger: Logger? = nil, file: String = #fileID, line: Int = #line) async throws -> PostgresRowSequence {
        let postgres = self.postgres
        return try await withDeadline { try await postgres.query(query, logger: logger, file: file, line: line) }
    }

    /// The rows of a prepared statement on a pooled connection, all read. The
    /// deadline covers the wait for the connection only, as for `query`.
    /// A statement prepared before a migration changed its result's types
    /// fails on that connection (which `rows` then closes); this run goes
    /// unnamed on another, so no request fails for it.
    public func rows(_ statement: some PreparedStatement, logger: Logger) async throws -> [PostgresRow] {
        do {
            return try await withConnection { connection in try await connection.rows(statement, logger: logger) }
        } catch let error as PSQLError where PreparedStatementFailure.isStale(error) {
            let query = statement.query
            return try await withConnection { connection in try await connection.query(query, logger: logger).collect() }
        }
    }

    /// Leases a connection for `body`, waiting at most `leaseTimeout` for it.
    /// The lease is taken by a child task that hands the connection over and
    /// keeps it until `body` is done, so that only the wait is cancelled, never `body`.
    public func withConnection<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let handoff = ConnectionHandoff()
        let postgres = self.postgres
        return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
            group.addTask {
                do {
                    try await postgres.withConnection { connection in await handoff.lend(connection) }
                } catch {
                    // A lease that fails ends the wait with its own error, not at the deadline.
                    handoff.expire(error)
                    throw error
                }
            }
            let timer = Self.timer(after: leaseTimeout) { [leaseTimeout] in handoff.expire(PoolTimeout(waited: leaseTimeout)) }
            defer { timer.cancel() }
            let connection: PostgresConnection
            do {
                connection = try await handoff.borrow()
            } catch {
                group.cancelAll()
                throw error
            }
            timer.cancel()
            defer { handoff.giveBack() }
            return try await body(connection)
        }
    }

    /// `withConnection` in a transaction: committed when `body` returns, rolled back when it throws.
    public func withTransaction<Result: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await withConnection { connection in
            try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }

    /// Runs `operation` in a task of its own and cancels it at the deadline.
    private func withDeadline<Value: Sendable>(_ operation: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task = Task { try await operation() }
        let fired = Atomic(false)
        let timer = Self.timer(after: leaseTimeout) {
            fired.store(true, ordering: .releasing)
            task.cancel()
        }
        do {
            let value = try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
            timer.cancel()
            return value
        } catch {
            // Only a cancelled wait for a connection, after the timer fired, is the
            // deadline's doing: a statement that ran keeps its error (a server error,
            // a lost connection) however long it ran.
            timer.cancel()
            if !Task.isCancelled, Self.isCancelledWait(error), fired.load(ordering: .acquiring) {
                throw PoolTimeout(waited: leaseTimeout)
            }
            throw error
        }
    }

    /// Calls `action` after `delay` on an event loop unless cancelled first.
    private static func timer(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> Scheduled<Void> {
        MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(delay), action)
    }
}

extension PooledClient {
    /// How postgres-nio reports a lease cancelled before it got a connection.
    fileprivate static func isCancelledWait(_ error: any Error) -> Bool {
        error is CancellationError || error is ConnectionPoolError || (error as? PSQLError)?.code == .queryCancelled
    }
}

/// Passes a leased connection from the task holding the lease to the task
/// using it, and the end of use back.
private final class ConnectionHandoff: Sendable {
    private enum State {
        case waiting
        case borrowerWaiting(CheckedContinuation<PostgresConnection, any Error>)
        case lent(PostgresConnection, lender: CheckedContinuation<Void, Never>)
        case inUse(lender: CheckedContinuation<Void, Never>)
        case failed(any Error)
        case returned
    }

    private let state = Mutex(State.waiting)

    /// Called by the lease holder; returns when the borrower is done, or at
    /// once when the borrower gave up waiting.
    func lend(_ connection: PostgresConnection) async {
        await withCheckedContinuation { (lender: CheckedContinuation<Void, Never>) in
            let resume: (() -> Void)? = state.withLock { state in
                switch state {
                case .waiting:
                    state = .lent(connection, lender: lender)
                    return nil
                case .borrowerWaiting(let borrower):
                    state = .inUse(lender: lender)
                    return { borrower.resume(returning: connection) }
                case .failed, .returned:
                    return { lender.resume() }
                case .lent, .inUse:
                    preconditionFailure("a connection lent twice")
                }
            }
            resume?()
        }
    }

    /// Waits for the connection; throws when the wait expired or was cancelled.
    func borrow() async throws -> PostgresConnection {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (borrower: CheckedContinuation<PostgresConnection, any Error>) in
                let outcome: Result<PostgresConnection, any Error>? = state.withLock { state in
                    switch state {
                    case .waiting:
                        state = .borrowerWaiting(borrower)
                        return nil
                    case .lent(let connection, let lender):
                        state = .inUse(lender: lender)
                        return .success(connection)
                    case .failed(let error):
                        return .failure(error)
                    case .borrowerWaiting, .inUse, .returned:
                        preconditionFailure("a connection borrowed twice")
                    }
                }
                if let outcome { borrower.resume(with: outcome) }
            }
        } onCancel: {
            expire(CancellationError())
        }
    }

    /// Ends the wait with `error` unless the connection was handed over already.
    func expire(_ error: any Error) {
        let borrower: CheckedContinuation<PostgresConnection, any Error>? = state.withLock { state in
            switch state {
            case .waiting:
                state = .failed(error)
                return nil
            case .borrowerWaiting(let borrower):
                state = .failed(error)
                return borrower
            case .lent, .inUse, .failed, .returned:
                return nil
            }
        }
        borrower?.resume(throwing: error)
    }

    /// The borrower is done: the lease holder may release the connection.
    func giveBack() {
        let lender: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard case .inUse(let lender) = state else { return nil }
            state = .returned
            return lender
        }
        lender?.resume()
    }
}
