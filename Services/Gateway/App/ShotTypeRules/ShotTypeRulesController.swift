import Foundation
import Hummingbird
import PostgresNIO
import Shared

/// `/api/v1/guidelines/{guidelines_id}/shot-type-rules/`: the five endpoints of
/// guidelines-shot-type-rules-endpoints.txt.
struct ShotTypeRulesController {
    let database: Database

    var endpoints: RouteCollection<AuthenticatedContext> {
        let routes = RouteCollection(context: AuthenticatedContext.self)
        routes.get("", use: list)
        routes.post("", use: create)
        routes.get("grouped", use: grouped)
        routes.put("bulk-replace", use: bulkReplace)
        routes.delete(":rule_id", use: delete)
        return routes
    }

    private static let guidelines = GuidelinesPublic.table

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (guidelinesID, scope) = try await visibleGuidelines(request, context: context)
        let rules = try await ShotTypeRulesRepository.rules(of: guidelinesID, scope: scope, on: database.client, logger: context.logger)
        return JSONResponse(Page(data: rules, count: rules.count))
    }

    @Sendable func grouped(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (guidelinesID, scope) = try await visibleGuidelines(request, context: context)
        let groups = try await ShotTypeRulesRepository.groups(of: guidelinesID, scope: scope, on: database.client, logger: context.logger)
        return JSONResponse(Page(data: groups, count: groups.count))
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let id = input.pathUUID("guidelines_id")
        let organizationID = input.queryUUID("organization_id")
        let (guidelinesID, body) = try input.validated(id, try await input.jsonBody(GuidelinesShotTypeRuleCreate.self))
        let scope = try context.scope(organizationID: organizationID)
        let logger = context.logger
        let rule = try await database.transaction { connection in
            try await TenantRows.lockForChange(Self.guidelines, id: guidelinesID, scope: scope, on: connection, logger: logger)
            let issues = try await TenantRows.resolve(
                [Reference(id: body.shotTypeID, loc: ["body", "shot_type_id"])], in: ShotTypePublic.table,
                scope: scope, on: connection, logger: logger
            ).issues
            guard issues.isEmpty else { throw APIError.validation(issues) }
            do {
                return try GuidelinesShotTypeRulePublic(row: try await connection.query(
                    """
                    INSERT INTO guidelines_shot_type_rules (guidelines_id, rule_kind, rule_value, shot_type_id)
                    VALUES (\(guidelinesID), \(body.ruleKind.rawValue)::guidelines_shot_type_rule_kind, \(body.ruleValue), \(body.shotTypeID))
                    RETURNING *
                    """,
                    logger: logger
                ).oneRow())
            } catch let error where DatabaseFailure(error) == .uniqueViolation(constraint: "guidelines_shot_type_rules_unique") {
                throw APIError.conflict("This rule already exists for these guidelines")
            }
        }
        return JSONResponse(rule)
    }

    @Sendable func bulkReplace(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let id = input.pathUUID("guidelines_id")
        let organizationID = input.queryUUID("organization_id")
        let (guidelinesID, group) = try input.validated(id, try await input.jsonBody(GuidelinesShotTypeRuleGroupInput.self))
        let scope = try context.scope(organizationID: organizationID)
        let logger = context.logger
        let rules = try await database.transaction { connection in
            try await TenantRows.lockForChange(Self.guidelines, id: guidelinesID, scope: scope, on: connection, logger: logger)
            try await ShotTypeRulesRepository.replaceAll(
                guidelinesID, groups: [group], locPrefix: ["body"], groupsAreListed: false, scope: scope,
                on: connection, logger: logger
            )
            return try await ShotTypeRulesRepository.rules(
                of: guidelinesID, key: (group.ruleKind, group.ruleValue), scope: scope, on: connection, logger: logger
            )
        }
        return JSONResponse(Page(data: rules, count: rules.count))
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let id = input.pathUUID("guidelines_id")
        let ruleID = input.pathUUID("rule_id")
        let organizationID = input.queryUUID("organization_id")
        let (guidelinesID, rule) = try input.validated(id, ruleID)
        let scope = try context.scope(organizationID: organizationID)
        let logger = context.logger
        try await database.transaction { connection in
            try await TenantRows.lockForChange(Self.guidelines, id: guidelinesID, scope: scope, on: connection, logger: logger)
            let deleted = try await connection.query(
                "DELETE FROM guidelines_shot_type_rules WHERE id = \(rule) AND guidelines_id = \(guidelinesID) RETURNING id",
                logger: logger
            )
            for try await _ in deleted { return }
            throw APIError.notFound("Rule not found")
        }
        return JSONResponse(Message("Rule deleted successfully"))
    }

    /// The path's guidelines id after checking the caller may see those guidelines.
    private func visibleGuidelines(_ request: Request, context: AuthenticatedContext) async throws -> (UUID, TenantScope) {
        let input = RequestInput(request, context: context)
        let id = input.pathUUID("guidelines_id")
        let organizationID = input.queryUUID("organization_id")
        let guidelinesID = try input.validated(id)
        let scope = try context.scope(organizationID: organizationID)
        _ = try await TenantRows.find(Self.guidelines, id: guidelinesID, scope: scope, on: database.client, logger: context.logger)
        return (guidelinesID, scope)
    }
}
