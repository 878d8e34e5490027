import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Shared

/// A tenant-owned resource with the five routes of CONTRACT §4 (list,
/// create, read, update, delete). Each supplies its table, shapes and the SQL
/// of its insert and update; `CatalogController` supplies the rest.
protocol CatalogResource: JSONRepresentable {
    associatedtype Create: OwnedCreate
    associatedtype Update: CatalogUpdate

    static var table: TenantTable { get }
    /// The id's path parameter; routes nested under the resource must use the same name.
    static var idParameter: String { get }

    init(row: PostgresRandomAccessRow) throws

    /// Inserts the row inside the request's transaction and returns its id.
    static func insert(_ body: Create, owner: Ownership, in write: CatalogWrite) async throws -> UUID

    /// Applies an update (null = no change) to a row already locked for change.
    static func update(_ id: UUID, with body: Update, in write: CatalogWrite) async throws
}

extension CatalogResource {
    static var idParameter: String { "id" }
}

/// A create body that may name the new row's owner and organization.
protocol OwnedCreate: RequestBody {
    var ownerID: UUID? { get }
    var organizationID: UUID? { get }
    /// The new row's public flag, for a resource that has one.
    var isPublic: Bool { get }
}

extension OwnedCreate {
    var isPublic: Bool { false }
}

/// An update body; one of a resource with a public flag may name it (null = no change).
protocol CatalogUpdate: RequestBody {
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

/// The five routes of any `CatalogResource`, mounted at its path.
struct CatalogController<Resource: CatalogResource> {
    let database: Database

    var endpoints: RouteCollection<AuthenticatedContext> {
        let routes = RouteCollection(context: AuthenticatedContext.self)
        routes.get("", use: list)
        routes.post("", use: create)
        let id = RouterPath(":\(Resource.idParameter)")
        routes.get(id, use: read)
        routes.put(id, use: update)
        routes.delete(id, use: delete)
        return routes
    }

    private var rows: TenantRows { TenantRows(database: database) }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let organizationID = input.queryUUID("organization_id")
        let ownerID = input.queryUUID("owner_id")
        let paging = input.paging()
        try input.check()
        let scope = try context.scope(organizationID: organizationID)
        let page = try await rows.list(Resource.table, scope: scope, ownerID: ownerID, paging: paging, logger: context.logger)
        return JSONResponse(Page(data: try page.rows.map(Resource.init(row:)), count: page.count))
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let organizationID = input.queryUUID("organization_id")
        let body = try input.validated(try await input.jsonBody(Resource.Create.self))
        let scope = try context.scope(organizationID: organizationID)
        try scope.authorizeCreation(isPublic: body.isPublic)
        let logger = context.logger
        let created = try await database.transaction { connection in
            let owner = try await scope.existingOwnership(
                requestedOwnerID: body.ownerID, requestedOrganizationID: body.organizationID, on: connection, logger: logger
            )
            let write = CatalogWrite(connection: connection, scope: scope, logger: logger)
            let id = try await Resource.insert(body, owner: Ownership(ownerID: owner.ownerID, organizationID: owner.organizationID), in: write)
            return try Resource(row: try await TenantRows.find(Resource.table, id: id, scope: scope, on: connection, logger: logger))
        }
        return JSONResponse(created)
    }

    @Sendable func read(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let id = input.pathUUID(Resource.idParameter)
        let organizationID = input.queryUUID("organization_id")
        let resourceID = try input.validated(id)
        let scope = try context.scope(organizationID: organizationID)
        return JSONResponse(try Resource(row: try await rows.find(Resource.table, id: resourceID, scope: scope, logger: context.logger)))
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let id = input.pathUUID(Resource.idParameter)
        let organizationID = input.queryUUID("organization_id")
        let (resourceID, body) = try input.validated(id, try await input.jsonBody(Resource.Update.self))
        let scope = try context.scope(organizationID: organizationID)
        let logger = context.logger
        let updated = try await database.transaction { connection in
            let current = try await TenantRows.lockForChange(Resource.table, id: resourceID, scope: scope, on: connection, logger: logger)
            try scope.authorizeChange(of: current, ownerID: nil, isPublic: body.isPublic)
            try await Resource.update(resourceID, with: body, in: CatalogWrite(connection: connection, scope: scope, logger: logger))
            return try Resource(row: try await TenantRows.find(Resource.table, id: resourceID, scope: scope, on: connection, logger: logger))
        }
        return JSONResponse(updated)
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let id = input.pathUUID(Resource.idParameter)
        let organizationID = input.queryUUID("organization_id")
        let resourceID = try input.validated(id)
        let scope = try context.scope(organizationID: organizationID)
        try await rows.delete(Resource.table, id: resourceID, scope: scope, logger: context.logger)
        return JSONResponse(Message("\(Resource.table.noun) deleted successfully"))
    }
}
