import Foundation
import Hummingbird

/// The preamble of every tenant-scoped route, written once: read the path's
/// ids, the `organization_id` query value, then the route's own query values
/// and body (FastAPI's order: path, query, body, so a 422 lists its issues as
/// FastAPI does); report every problem of them in one 422; then apply the
/// organization rule of CONTRACT §3 (403 for a non-member).
/// A body with rules across its fields is checked once every field is valid,
/// before the organization rule, as pydantic runs a model validator.
extension AuthenticatedContext {
    /// A route without a path id: `let (body, scope) = try await context.scoped(request) { try await $0.jsonBody(...) }`.
    /// `read` answers nil only after recording an issue; a value that may be
    /// absent is read as `.some(...)`.
    func scoped<each Value>(
        _ request: Request, _ read: (RequestInput) async throws -> (repeat (each Value)?) = { _ in () }
    ) async throws -> (repeat each Value, TenantScope) {
        let (_, values, scope) = try await scopedInput(request, ids: [], read)
        return (repeat each values, scope)
    }

    /// A route under one resource: `let (id, scope) = try await context.scoped(request, id: "id")`.
    func scoped<each Value>(
        _ request: Request, id: String, _ read: (RequestInput) async throws -> (repeat (each Value)?) = { _ in () }
    ) async throws -> (UUID, repeat each Value, TenantScope) {
        let (ids, values, scope) = try await scopedInput(request, ids: [id], read)
        return (ids[0], repeat each values, scope)
    }

    /// A route under a resource of a resource (a rule of guidelines).
    func scoped<each Value>(
        _ request: Request, ids first: String, _ second: String,
        _ read: (RequestInput) async throws -> (repeat (each Value)?) = { _ in () }
    ) async throws -> (UUID, UUID, repeat each Value, TenantScope) {
        let (ids, values, scope) = try await scopedInput(request, ids: [first, second], read)
        return (ids[0], ids[1], repeat each values, scope)
    }

    private func scopedInput<each Value>(
        _ request: Request, ids names: [String], _ read: (RequestInput) async throws -> (repeat (each Value)?)
    ) async throws -> (ids: [UUID], values: (repeat each Value), scope: TenantScope) {
        let input = RequestInput(request, context: self)
        let ids = names.map { input.pathUUID($0) }
        let organizationID = input.queryUUID("organization_id")
        let read = try await read(input)
        let values = try input.validated(repeat each read)
        for value in repeat each values {
            if let body = value as? any WholeBodyChecked {
                let issues = body.wholeBodyIssues()
                guard issues.isEmpty else { throw APIError.validation(issues) }
            }
        }
        // Every issue was reported above: each id is present now.
        let validIDs = try ids.map { id throws(APIError) in try input.validated(id) }
        return (validIDs, values, try scope(organizationID: organizationID))
    }
}

/// A request body with rules that span its fields (pydantic's model
/// validators): checked only once each field is valid on its own.
protocol WholeBodyChecked {
    func wholeBodyIssues() -> [ValidationIssue]
}
