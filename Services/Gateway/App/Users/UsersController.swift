import Hummingbird
import Shared

/// `/api/v1/users`: the caller's own account, and superuser-only user management.
struct UsersController {
    let users: UsersRepository
    let hasher: PasswordHasher

    var endpoints: RouteCollection<AuthenticatedContext> {
        let routes = RouteCollection(context: AuthenticatedContext.self)
        routes.get("me", use: me)
        routes.get("", use: list)
        routes.post("", use: create)
        return routes
    }

    @Sendable func me(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        JSONResponse(UserPublic(context.user))
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        try context.requireSuperuser()
        let input = RequestInput(request, context: context)
        let paging = input.paging()
        try input.check()
        return JSONResponse(try await users.list(paging, logger: context.logger))
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        try context.requireSuperuser()
        let input = RequestInput(request, context: context)
        let body = try input.validated(try await input.jsonBody(UserCreate.self))
        let hash = try await hasher.hash(body.password)
        return JSONResponse(try await users.create(body, hashedPassword: hash, logger: context.logger))
    }
}
