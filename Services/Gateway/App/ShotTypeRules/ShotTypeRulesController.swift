import Foundation
import Hummingbird
import Shared

/// `/api/v1/guidelines/{guidelines_id}/shot-type-rules/`: the five endpoints of
/// guidelines-shot-type-rules-endpoints.txt.
struct ShotTypeRulesController {
    let rules: ShotTypeRulesRepository

    var endpoints: RouteCollection<AuthenticatedContext> {
        let routes = RouteCollection(context: AuthenticatedContext.self)
        routes.get("", use: list)
        routes.post("", use: create)
        routes.get("grouped", use: grouped)
        routes.put("bulk-replace", use: bulkReplace)
        routes.delete(":rule_id", use: delete)
        return routes
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (guidelinesID, scope) = try await context.scoped(request, id: "guidelines_id")
        try await rules.requireVisibleGuidelines(guidelinesID, scope: scope, logger: context.logger)
        let page = try await rules.rules(of: guidelinesID, scope: scope, on: rules.database.client, logger: context.logger)
        return JSONResponse(GuidelinesShotTypeRulesPublic(data: page, count: page.count))
    }

    @Sendable func grouped(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (guidelinesID, scope) = try await context.scoped(request, id: "guidelines_id")
        try await rules.requireVisibleGuidelines(guidelinesID, scope: scope, logger: context.logger)
        let groups = try await rules.groups(of: guidelinesID, scope: scope, logger: context.logger)
        return JSONResponse(GuidelinesShotTypeRuleGroupsPublic(data: groups, count: groups.count))
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (guidelinesID, body, scope) = try await context.scoped(request, id: "guidelines_id") {
            try await $0.jsonBody(GuidelinesShotTypeRuleCreate.self)
        }
        return JSONResponse(try await rules.create(body, in: guidelinesID, scope: scope, logger: context.logger))
    }

    @Sendable func bulkReplace(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (guidelinesID, group, scope) = try await context.scoped(request, id: "guidelines_id") {
            try await $0.jsonBody(GuidelinesShotTypeRuleGroupInput.self)
        }
        let replaced = try await rules.bulkReplace(guidelinesID, group: group, scope: scope, logger: context.logger)
        return JSONResponse(GuidelinesShotTypeRulesPublic(data: replaced, count: replaced.count))
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (guidelinesID, ruleID, scope) = try await context.scoped(request, ids: "guidelines_id", "rule_id")
        try await rules.delete(ruleID, of: guidelinesID, scope: scope, logger: context.logger)
        return JSONResponse(Message("Rule deleted successfully"))
    }
}
