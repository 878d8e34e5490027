import Logging
import PostgresNIO

/// The Postgres client both services share, with transactions whose errors
/// come back as thrown (not wrapped) so callers can tell a client error from a
/// database failure.
public struct Database: Sendable {
    public let client: PooledClient
    public let logger: Logger

    /// Limits of every session of the pool; nil or zero = none.
    public struct SessionLimits: Sendable {
        /// Longest wait for a free connection.
        public var poolTimeout: Duration = .seconds(10)
        /// Postgres `statement_timeout`.
        public var statementTimeout: Duration?
        /// Postgres `idle_in_transaction_session_timeout`: a transaction left open by a stalled
        /// process does not hold its locks and connection for ever.
        public var idleInTransactionTimeout: Duration? = .seconds(60)

        public init(poolTimeout: Duration = .seconds(10), statementTimeout: Duration? = nil, idleInTransactionTimeout: Duration? = .seconds(60)) {
            self.poolTimeout = poolTimeout
            self.statementTimeout = statementTimeout
            self.idleInTransactionTimeout = idleInTransactionTimeout
        }
    }

    public init(url: DatabaseURL, maximumConnections: Int = 20, limits: SessionLimits = SessionLimits(), logger: Logger) {
        var configuration = url.clientConfiguration(maximumConnections: maximumConnections)
        for (parameter, limit) in [("statement_timeout", limits.statementTimeout), ("idle_in_transaction_session_timeout", limits.idleInTransactionTimeout)] {
            if let limit, limit > .zero {
                configuration.options.additionalStartupParameters.append((parameter, "\(Self.milliseconds(limit))ms"))
            }
        }
        self.client = PooledClient(configuration: configuration, leaseTimeout: limits.poolTimeout, backgroundLogger: logger)
        self.logger = logger
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Runs `body` in one transaction; rolls back when it throws and rethrows the original error.
    public func transaction<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }
}

/// The database errors callers translate into API errors (SQLSTATE classes).
public enum DatabaseFailure: Equatable, Sendable {
    case uniqueViolation(constraint: String?)
    case foreignKeyViolation(constraint: String?)
    case checkViolation(constraint: String?)
    case invalidTextRepresentation
    /// `statement_timeout` (or a cancel request) ended the statement.
    case queryCanceled

    /// Classifies a Postgres error; nil for anything else (connection loss, bugs).
    public init?(_ error: any Error) {
        let underlying = (error as? PostgresTransactionError)?.closureError ?? error
        guard let psql = underlying as? PSQLError, let state = psql.serverInfo?[.sqlState] else { return nil }
        let constraint = psql.serverInfo?[.constraintName]
        switch state {
        case "23505": self = .uniqueViolation(constraint: constraint)
        case "23503": self = .foreignKeyViolation(constraint: constraint)
        case "23514": self = .checkViolation(constraint: constraint)
        case "22P02": self = .invalidTextRepresentation
        case "57014": self = .queryCanceled
        default: return nil
        }
    }
}

extension Database.SessionLimits {
    /// The configured limits; `statement_timeout` only where `boundingStatements` (the gateway's
    /// request paths), since a worker's statements carry whole archives.
    public init(_ config: AppConfig, boundingStatements: Bool) {
        self.init(
            poolTimeout: .seconds(config.databasePoolTimeoutSeconds),
            statementTimeout: boundingStatements ? .seconds(config.databaseStatementTimeoutSeconds) : nil,
            idleInTransactionTimeout: .seconds(config.databaseIdleInTransactionTimeoutSeconds)
        )
    }
}
