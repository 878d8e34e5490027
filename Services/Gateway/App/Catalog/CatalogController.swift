import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Shared

/// A page of a catalog resource's visible rows, with `total`.
struct CatalogPage<Repository: CatalogRepository>: PreparedStatement {
    var scope: TenantScope
    var ownerID: UUID?
    var paging: Paging

    static var placeholder: Self { Self(scope: .placeholder, ownerID: nil, paging: Paging(skip: 0, limit: 1)) }
    var query: PostgresQuery {
        """
        SELECT \(unescaped: Repository.reader.columns), t.total
        FROM (\(pageOf: Repository.table, in: scope, ownerID: ownerID, paging: paging)) t
        ORDER BY \(unescaped: TenantRows.pageOrder)
        """
    }
}

/// The repository of a tenant-owned resource with the five routes of
/// CONTRACT §4 (list, create, read, update, delete). Each resource's own
/// repository holds its table, its select list and the SQL of its insert and
/// update; the reads and the delete follow the tenancy rules of `TenantRows`.
protocol CatalogRepository: Sendable {
    associatedtype Public: JSONRepresentable
    associatedtype Create: OwnedCreate
    associatedtype Update: CatalogUpdate

    static var table: TenantTable { get }
    /// The id's path parameter; routes nested under the resource must use the same name.
    static var idParameter: String { get }
    /// The resource's select list over alias `t`, and its decoding.
    static var reader: RowReader<Public> { get }

    var database: Database { get }

    /// Inserts the row inside the request's transaction and returns its id.
    func insert(_ body: Create, owner: Ownership, in write: CatalogWrite) async throws -> UUID

    /// Applies an update (null = no change) to a row already locked for change.
    func update(_ id: UUID, with body: Update, in write: CatalogWrite) async throws
}

extension CatalogRepository {
    static var idParameter: String { "id" }

    /// A page of visible rows, newest first, with the count of all of them:
    /// one statement, unless the page is past the last row.
    func list(scope: TenantScope, ownerID: UUID?, paging: Paging, logger: Logger) async throws -> Page<Public> {
        var items: [Public] = []
        var total: Int?
        for row in try await database.client.rows(CatalogPage<Self>(scope: scope, ownerID: ownerID, paging: paging), logger: logger) {
            var cells = RowCells(row)
            items.append(try Self.reader.read(&cells))
            total = try cells.next(Int.self)
            try cells.requireEnd()
        }
        guard let total else {
            let count = try await TenantRows(database: database).count(Self.table, scope: scope, ownerID: ownerID, paging: paging, logger: logger)
            return Page(data: items, count: count)
        }
        return Page(data: items, count: total)
    }

    func find(_ id: UUID, scope: TenantScope, on client: some PostgresQueryable, logger: Logger) async throws -> Public {
        try await TenantRows.find(Self.table, Self.reader, id: id, scope: scope, on: client, logger: logger)
    }

    /// Creates the row with its owner checked to exist, and reads it back.
    func create(_ body: Create, scope: TenantScope, logger: Logger) async throws -> Public {
        try await database.transaction { connection in
            let owner = try await scope.existingOwnership(
                requestedOwnerID: body.ownerID, requestedOrganizationID: body.organizationID, on: connection, logger: logger
            )
            let write = CatalogWrite(connection: connection, scope: scope, logger: logger)
            let id = try await insert(body, owner: Ownership(ownerID: owner.ownerID, organizationID: owner.organizationID), in: write)
            return try await find(id, scope: scope, on: connection, logger: logger)
        }
    }

    /// Locks the row for a change the caller may make, applies it, reads it back.
    func update(_ id: UUID, with body: Update, scope: TenantScope, logger: Logger) async throws -> Public {
        try await database.transaction { connection in
            let current = try await TenantRows.lockForChange(Self.table, id: id, scope: scope, on: connection, logger: logger)
            try scope.authorizeChange(of: current, ownerID: nil, isPublic: body.isPublic)
            try await update(id, with: body, in: CatalogWrite(connection: connection, scope: scope, logger: logger))
            return try await find(id, scope: scope, on: connection, logger: logger)
        }
    }

    func delete(_ id: UUID, scope: TenantScope, logger: Logger) async throws {
        try await TenantRows(database: database).delete(Self.table, id: id, scope: scope, logger: logger)
    }
}

/// A create body that may name the new row's owner and organization.
protocol OwnedCreate: RequestBody, Sendable {
    var ownerID: UUID? { get }
    var organizationID: UUID? { get }
    /// The new row's public flag, for a resource that has one.
    var isPublic: Bool { get }
}

extension OwnedCreate {
    var isPublic: Bool { false }
}

/// An update body; one of a resource with a public flag may name it (null = no change).
protocol CatalogUpdate: RequestBody, Sendable {
    var isPublic: Bool? { get }
}

extension CatalogUpdate {
    var isPublic: Bool? { nil }
}

/// Who owns a new row, as `TenantScope.ownership` decided.
struct Ownership: Sendable {
    var ownerID: UUID
    var organizationID: UUID?
}

/// What a resource's insert or update runs with: the transaction's connection,
/// the caller's scope and the request's logger.
struct CatalogWrite {
    let connection: PostgresConnection
    let scope: TenantScope
    let logger: Logger
}

/// The five routes of any `CatalogRepository`'s resource, mounted at its path.
struct CatalogController<Repository: CatalogRepository> {
    let repository: Repository

    var endpoints: RouteCollection<AuthenticatedContext> {
        let routes = RouteCollection(context: AuthenticatedContext.self)
        routes.get("", use: list)
        routes.post("", use: create)
        let id = RouterPath(":\(Repository.idParameter)")
        routes.get(id, use: read)
        routes.put(id, use: update)
        routes.delete(id, use: delete)
        return routes
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        // owner_id may be absent: `.some` of nil is a valid "no filter".
        let (ownerID, paging, scope) = try await context.scoped(request) { (.some($0.queryUUID("owner_id")), $0.paging()) }
        return JSONResponse(try await repository.list(scope: scope, ownerID: ownerID, paging: paging, logger: context.logger))
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (body, scope) = try await context.scoped(request) { try await $0.jsonBody(Repository.Create.self) }
        try scope.authorizeCreation(isPublic: body.isPublic)
        return JSONResponse(try await repository.create(body, scope: scope, logger: context.logger))
    }

    @Sendable func read(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (id, scope) = try await context.scoped(request, id: Repository.idParameter)
        return JSONResponse(try await repository.find(id, scope: scope, on: repository.database.client, logger: context.logger))
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (id, body, scope) = try await context.scoped(request, id: Repository.idParameter) {
            try await $0.jsonBody(Repository.Update.self)
        }
        return JSONResponse(try await repository.update(id, with: body, scope: scope, logger: context.logger))
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (id, scope) = try await context.scoped(request, id: Repository.idParameter)
        try await repository.delete(id, scope: scope, logger: context.logger)
        return JSONResponse(Message("\(Repository.table.noun) deleted successfully"))
    }
}
