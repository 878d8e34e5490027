import Foundation
import Hummingbird
import Shared

/// `/api/v1/organizations`: tenants and their members.
struct OrganizationsController {
    let organizations: OrganizationsRepository
    /// Memberships changed here are forgotten before the answer, so the
    /// next request on this gateway sees them (others hear `caller_changed`).
    let callers: CallerCache

    var endpoints: RouteCollection<AuthenticatedContext> {
        let routes = RouteCollection(context: AuthenticatedContext.self)
        routes.post("", use: create)
        routes.get("", use: list)
        routes.get(":organization_id", use: read)
        routes.get(":organization_id/members", use: listMembers)
        routes.post(":organization_id/members", use: addMember)
        routes.delete(":organization_id/members/:user_id", use: removeMember)
        return routes
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let body = try input.validated(try await input.jsonBody(OrganizationCreate.self))
        let organization = try await organizations.create(body, creatorID: context.user.id, logger: context.logger)
        callers.forget(context.user.id)
        return JSONResponse(organization)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let paging = input.paging()
        try input.check()
        return JSONResponse(try await organizations.list(for: context.user, paging: paging, logger: context.logger))
    }

    @Sendable func read(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let id = try input.validated(input.pathUUID("organization_id"))
        return JSONResponse(try await visibleOrganization(id, context: context))
    }

    @Sendable func listMembers(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let id = try input.validated(input.pathUUID("organization_id"))
        _ = try await visibleOrganization(id, context: context)
        let members = try await organizations.members(of: id, logger: context.logger)
        return JSONResponse(MembersPublic(data: members, count: members.count))
    }

    @Sendable func addMember(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let id = input.pathUUID("organization_id")
        let (organizationID, body) = try input.validated(id, try await input.jsonBody(MemberCreate.self))
        try await requireAdmin(organizationID, context: context)
        let member = try await organizations.addMember(body, to: organizationID, logger: context.logger)
        callers.forget(member.userID)
        return JSONResponse(member)
    }

    @Sendable func removeMember(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let (organizationID, userID) = try input.validated(input.pathUUID("organization_id"), input.pathUUID("user_id"))
        try await requireAdmin(organizationID, context: context)
        guard try await organizations.removeMember(userID, from: organizationID, logger: context.logger) else {
            throw APIError.notFound("Member not found")
        }
        callers.forget(userID)
        return JSONResponse(Message("Member removed"))
    }

    /// 404 for an organization the caller cannot see: its existence is not revealed.
    private func visibleOrganization(_ id: UUID, context: AuthenticatedContext) async throws -> OrganizationPublic {
        guard let organization = try await organizations.find(id, for: context.user, logger: context.logger) else {
            throw APIError.notFound("Organization not found")
        }
        return organization
    }

    /// Member management is for the organization's admins and superusers.
    private func requireAdmin(_ organizationID: UUID, context: AuthenticatedContext) async throws {
        _ = try await visibleOrganization(organizationID, context: context)
        if context.user.isSuperuser { return }
        guard try await organizations.role(of: context.user.id, in: organizationID, logger: context.logger) == .admin else {
            throw APIError.forbidden("Only an organization admin may manage its members")
        }
    }
}
