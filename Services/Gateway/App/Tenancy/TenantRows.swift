import Foundation
import Logging
import PostgresNIO
import Shared

/// A table of tenant-owned rows (`owner_id`, `organization_id`), described so
/// the visibility, paging, edit and delete rules are written once for all.
struct TenantTable: Sendable {
    /// The SQL table; always aliased `t` in queries.
    var name: String
    /// The resource's name in messages: "Subject not found".
    var noun: String
    /// Rows have a `public` column that makes them visible to everyone.
    var hasPublicFlag = false
    /// Deleting sets `deleted_at`; deleted rows behave as missing.
    var softDeletes = false
    /// A column naming a row for people (messages, webhooks), over alias `t`.
    var labelColumn = "t.name"
}

/// The columns of a tenant row that only a superuser may change (CONTRACT §3),
/// as they stand before an update.
struct PrivilegedColumns: Sendable {
    var ownerID: UUID?
    /// Always false for a table without a public flag.
    var isPublic: Bool
}

/// An id a request refers to, and where in the request it stands.
struct Reference: Sendable {
    var id: UUID
    var loc: [ValidationIssue.Location]
}

extension PostgresQuery.StringInterpolation {
    /// `\(visible: table, in: scope)`: the row `t` is visible in the scope
    /// (CONTRACT §3, with public rows) and not deleted.
    mutating func appendInterpolation(visible table: TenantTable, in scope: TenantScope) {
        appendLiteral("catalog_row_visible(\(table.hasPublicFlag ? "t.public" : "false"), t.owner_id, t.organization_id, ")
        appendViewer(scope)
        appendLiteral(")")
        if table.softDeletes { appendLiteral(" AND t.deleted_at IS NULL") }
    }

    /// `\(changeableIn: scope)`: the row `t` is visible without its public flag,
    /// so the caller may change it.
    mutating func appendInterpolation(changeableIn scope: TenantScope) {
        appendLiteral("row_visible(t.owner_id, t.organization_id, ")
        appendViewer(scope)
        appendLiteral(")")
    }

    /// `\(pageOf: table, in: scope, ...)`: a page of the visible rows `t`, all
    /// columns, with `total`: the count of every visible row (the window is
    /// counted before OFFSET and LIMIT apply).
    mutating func appendInterpolation(pageOf table: TenantTable, in scope: TenantScope, ownerID: UUID?, paging: Paging) {
        appendLiteral("SELECT t.*, count(*) OVER () AS total FROM \(table.name) t WHERE ")
        appendInterpolation(visible: table, in: scope)
        appendLiteral(" AND (")
        appendInterpolation(ownerID)
        appendLiteral("::uuid IS NULL OR t.owner_id = ")
        appendInterpolation(ownerID)
        appendLiteral(") ORDER BY \(TenantRows.pageOrder) OFFSET ")
        appendInterpolation(paging.skip)
        appendLiteral(" LIMIT ")
        appendInterpolation(paging.limit)
    }

    private mutating func appendViewer(_ scope: TenantScope) {
        appendInterpolation(scope.viewerID)
        appendLiteral(", ")
        appendInterpolation(scope.viewerIsSuperuser)
        appendLiteral(", ")
        appendInterpolation(scope.viewerOrganizationIDs)
        appendLiteral(", ")
        appendInterpolation(scope.organizationID)
        appendLiteral("::uuid")
    }
}

/// Reads and deletes rows of any `TenantTable` under a `TenantScope`.
struct TenantRows: Sendable {
    let database: Database

    /// The order of every page: newest first.
    static let pageOrder = "t.created_at DESC, t.id DESC"

    /// The count of visible rows, for a page that came back empty (and so
    /// without its `total`): none when it was the first page.
    func count(_ table: TenantTable, scope: TenantScope, ownerID: UUID?, paging: Paging, logger: Logger) async throws -> Int {
        guard paging.skip > 0 else { return 0 }
        let rows = try await database.client.query(
            """
            SELECT count(*) FROM \(unescaped: table.name) t
            WHERE \(visible: table, in: scope) AND (\(ownerID)::uuid IS NULL OR t.owner_id = \(ownerID))
            """,
            logger: logger
        )
        return try await rows.one(Int.self)
    }

    /// 404 unless the row exists, is not deleted and is visible in the scope.
    func find(_ table: TenantTable, id: UUID, scope: TenantScope, logger: Logger) async throws {
        _ = try await Self.find(table, RowReader(columns: "t.id") { try $0.next(UUID.self) }, id: id, scope: scope, on: database.client, logger: logger)
    }

    /// One visible row; 404 when it does not exist, is deleted or is not visible.
    static func find<Row>(
        _ table: TenantTable, _ reader: RowReader<Row>, id: UUID, scope: TenantScope, on client: some PostgresQueryable, logger: Logger
    ) async throws -> Row {
        let rows = try await client.run(
            """
            SELECT \(unescaped: reader.columns) FROM \(unescaped: table.name) t
            WHERE t.id = \(id) AND \(visible: table, in: scope)
            """,
            logger: logger
        )
        for try await row in rows { return try reader.decode(row) }
        throw APIError.notFound("\(table.noun) not found")
    }

    /// Locks a row for a change in the caller's transaction: 404 when the
    /// caller cannot see it, 403 when they see it only because it is public.
    /// Returns what an update may change only as a superuser, so the caller
    /// can tell a change of it from a repeat of the current value.
    @discardableResult
    static func lockForChange(
        _ table: TenantTable, id: UUID, scope: TenantScope, on connection: PostgresConnection, logger: Logger
    ) async throws -> PrivilegedColumns {
        let rows = try await connection.query(
            """
            SELECT \(changeableIn: scope), t.owner_id, \(unescaped: table.hasPublicFlag ? "t.public" : "false")
            FROM \(unescaped: table.name) t
            WHERE t.id = \(id) AND \(visible: table, in: scope)
            FOR UPDATE
            """,
            logger: logger
        )
        // owner_id is NULL once a shot type's creator is deleted.
        for try await (changeable, ownerID, isPublic) in rows.decode((Bool, UUID?, Bool).self) {
            guard changeable else {
                throw APIError.forbidden("Not enough permissions to change this \(table.noun.lowercased())")
            }
            return PrivilegedColumns(ownerID: ownerID, isPublic: isPublic)
        }
        throw APIError.notFound("\(table.noun) not found")
    }

    /// Resolves ids a request refers to: their labels, and a 422 `value_error`
    /// at each one that is unknown, deleted or invisible to the caller (the
    /// request's organization filter does not apply to references). In a
    /// transaction, the rows found stay locked as a foreign key locks them
    /// (FOR KEY SHARE) until it ends: a concurrent delete waits for the write
    /// that refers to them instead of failing it.
    static func resolve(
        _ references: [Reference], in table: TenantTable, scope: TenantScope,
        on client: some PostgresQueryable, logger: Logger
    ) async throws -> (labels: [UUID: String], issues: [ValidationIssue]) {
        guard !references.isEmpty else { return ([:], []) }
        let viewer = try TenantScope(viewer: scope.viewer, organizationID: nil)
        let rows = try await client.run(
            """
            SELECT t.id, (\(unescaped: table.labelColumn))::text FROM \(unescaped: table.name) t
            WHERE t.id = ANY (\(Array(Set(references.map(\.id))))) AND \(visible: table, in: viewer)
            FOR KEY SHARE OF t
            """,
            logger: logger
        )
        var labels: [UUID: String] = [:]
        for try await (id, label) in rows.decode((UUID, String).self) { labels[id] = label }
        let issues = references.filter { labels[$0.id] == nil }.map {
            ValidationIssue.valueError($0.loc, message: "\(table.noun) not found", input: .uuid($0.id))
        }
        return (labels, issues)
    }

    /// Deletes (or soft-deletes) a row the caller may change.
    func delete(_ table: TenantTable, id: UUID, scope: TenantScope, logger: Logger) async throws {
        try await database.transaction { connection in
            try await Self.lockForChange(table, id: id, scope: scope, on: connection, logger: logger)
            if table.softDeletes {
                try await connection.query(
                    "UPDATE \(unescaped: table.name) SET deleted_at = now(), updated_at = now() WHERE id = \(id)",
                    logger: logger
                )
            } else {
                try await connection.query("DELETE FROM \(unescaped: table.name) WHERE id = \(id)", logger: logger)
            }
        }
    }
}

/// Both a pooled client and a connection inside a transaction can run a query.
protocol PostgresQueryable: Sendable {
    func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence
    func rows(_ statement: some PreparedStatement, logger: Logger) async throws -> [PostgresRow]
}

extension PooledClient: PostgresQueryable {
    func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await self.query(query, logger: logger)
    }
}

extension PostgresConnection: PostgresQueryable {
    func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await self.query(query, logger: logger)
    }
}

extension PostgresRandomAccessRow {
    /// The named column's value; a missing column is a programming error.
    func value<Value: PostgresDecodable>(_ column: String, as type: Value.Type = Value.self) throws -> Value {
        try self[column].decode(Value.self)
    }
}
