import Logging
import PostgresNIO

/// The Postgres client both services share, with transactions whose errors
/// come back as thrown (not wrapped) so callers can tell a client error from a
/// database failure.
public struct Database: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(url: DatabaseURL, maximumConnections: Int = 20, logger: Logger) {
        self.client = PostgresClient(
            configuration: url.clientConfiguration(maximumConnections: maximumConnections),
            backgroundLogger: logger
        )
        self.logger = logger
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
        default: return nil
        }
    }
}
