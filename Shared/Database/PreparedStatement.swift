import Logging
import PostgresNIO
import Synchronization

/// A hot statement, run as a named prepared statement: Postgres parses and
/// plans it once per connection instead of at every request (planning the
/// read of a set design took four times as long as running it).
///
/// It is written as any other query, with the same interpolations, in
/// `query`; `sql` is that text, taken once from `placeholder`. The values
/// bound at each run must not change the text (interpolate values, never
/// choose SQL by them): debug builds check it at every run. Postgres infers
/// the parameters' types when it prepares, while values go as their Swift
/// type: cast a parameter whose context could infer another (`\(n)::bigint`).
///
/// postgres-nio's `PostgresPreparedStatement` wants the text as a static
/// property; this protocol derives it from the query, so a statement is still
/// read where it is used, and generic statements (one per repository) work.
public protocol PreparedStatement: PostgresPreparedStatement where Row == PostgresRow {
    /// The statement with this run's values.
    var query: PostgresQuery { get }
    /// Any values: only the text of its `query` is used.
    static var placeholder: Self { get }
}

extension PreparedStatement {
    public static var sql: String { PreparedStatementTexts.shared.text(of: Self.self).sql }
    public static var name: String { PreparedStatementTexts.shared.text(of: Self.self).name }

    public func makeBindings() throws -> PostgresBindings {
        let query = self.query
        assert(query.sql == PreparedStatementTexts.shared.text(of: Self.self).written, "the values of \(Self.self) changed its SQL text")
        return query.binds
    }

    public func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// The text and name of each prepared statement type, made once per process.
/// Names are short and numbered (Postgres cuts names at 63 bytes); the text
/// starts with the type's name, so `pg_prepared_statements` tells an admin
/// which statement it is.
final class PreparedStatementTexts: Sendable {
    static let shared = PreparedStatementTexts()

    struct Text: Sendable {
        var name: String
        var sql: String
        /// `sql` as `query` writes it, without the leading comment.
        var written: String
    }

    private let texts = Mutex<[ObjectIdentifier: Text]>([:])

    func text<Statement: PreparedStatement>(of type: Statement.Type) -> Text {
        if let text = texts.withLock({ $0[ObjectIdentifier(type)] }) { return text }
        // Made outside the lock: `placeholder` may itself be anything.
        let written = Statement.placeholder.query.sql
        return texts.withLock { texts in
            if let text = texts[ObjectIdentifier(type)] { return text }
            let text = Text(name: "prepared_\(texts.count + 1)", sql: "/* \(String(reflecting: type)) */ " + written, written: written)
            texts[ObjectIdentifier(type)] = text
            return text
        }
    }
}

extension PostgresConnection {
    /// The rows of a prepared statement, all read.
    ///
    /// A connection on which the statement failed is closed, so the pool
    /// replaces it: postgres-nio keeps a failed preparation (a lock wait cut
    /// off by `statement_timeout`, a cancel) and answers every later run of
    /// the statement on that connection with the same error, and Postgres
    /// answers every run of a statement prepared before a migration changed
    /// its result's types with 0A000. Both last as long as the connection.
    public func rows(_ statement: some PreparedStatement, logger: Logger) async throws -> [PostgresRow] {
        do {
            var rows: [PostgresRow] = []
            for try await row in try await execute(statement, logger: logger) { rows.append(row) }
            return rows
        } catch let error as PSQLError where error.serverInfo != nil {
            logger.warning(
                "closing a connection after its prepared statement failed",
                metadata: ["statement": "\(type(of: statement))", "sqlstate": "\(error.serverInfo?[.sqlState] ?? "")"]
            )
            try? await close()
            throw error
        }
    }
}

enum PreparedStatementFailure {
    /// The statement's plan no longer fits the schema (0A000 "cached plan
    /// must not change result type") or the statement is gone (26000).
    static func isStale(_ error: PSQLError) -> Bool {
        ["0A000", "26000"].contains(error.serverInfo?[.sqlState])
    }
}
