import Foundation
import Hummingbird
import Logging
import Shared

/// Turns `Authorization: Bearer <jwt>` into the request's `CurrentUser`, or
/// answers 401. Routes behind it take an `AuthenticatedContext`.
struct BearerAuthenticator: RouterMiddleware {
    typealias Context = AppRequestContext

    let tokens: TokenService
    let users: UsersRepository
    let callers: CallerCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let user = try await authenticate(request, logger: context.logger)
        var context = context
        context.currentUser = user
        context.logger[metadataKey: "user_id"] = .string(user.id.lowercasedString)
        return try await next(request, context)
    }

    /// The request's user, or the 401 (or 400 for an inactive user) to answer.
    func authenticate(_ request: Request, logger: Logger) async throws -> CurrentUser {
        guard let token = Self.token(of: request) else { throw APIError.notAuthenticated }
        guard let userID = await tokens.userID(from: token),
            let user = try await callers.user(userID, read: { try await users.currentUser(id: userID, logger: logger) })
        else { throw APIError.invalidCredentials }
        guard user.isActive else { throw APIError.badRequest("Inactive user") }
        return user
    }

    /// The bearer token; the progress stream also takes `?access_token=`
    /// because browsers' EventSource cannot send headers.
    static func token(of request: Request) -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
            return String(parts[1]).trimmingCharacters(in: .whitespaces)
        }
        if request.uri.path.hasSuffix("/events"), let token = request.uri.queryParameters.get("access_token") {
            return token
        }
        return nil
    }
}
