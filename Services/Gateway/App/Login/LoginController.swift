import Foundation
import Hummingbird
import Shared

/// `POST /api/v1/login/access-token`: the OAuth2 password flow.
struct LoginController {
    let users: UsersRepository
    let hasher: PasswordHasher
    let tokens: TokenService
    let throttle: LoginThrottle

    /// The form of FastAPI's `OAuth2PasswordRequestForm`.
    struct PasswordForm: RequestBody {
        var username: String
        var password: String

        static func read(_ reader: ObjectReader) -> PasswordForm? {
            let username = reader.required("username") { $0.string() }
            let password = reader.required("password") { $0.string() }
            _ = reader.optional("grant_type") { grant -> String? in
                guard let value = grant.string() else { return nil }
                guard value == "password" || value.isEmpty else {
                    grant.issues.add(
                        ValidationIssue(
                            type: "string_pattern_mismatch", loc: grant.loc,
                            msg: "String should match pattern '^password$'", input: grant.value,
                            ctx: ["pattern": "^password$"]
                        )
                    )
                    return nil
                }
                return value
            }
            guard let username, let password else { return nil }
            return PasswordForm(username: username, password: password)
        }
    }

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("access-token", use: accessToken)
        return routes
    }

    @Sendable func accessToken(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let form = try input.validated(try await input.formBody(PasswordForm.self))
        let attempt = throttle.attempt(username: form.username, request: request, context: context)
        try await throttle.admit(attempt, logger: context.logger)
        let account: UsersRepository.Credentials?
        let passwordMatches: Bool
        do {
            account = try await users.credentials(email: form.username, logger: context.logger)
            passwordMatches = try await hasher.verify(form.password, hash: account?.hashedPassword ?? hasher.decoyHash)
        } catch {
            // Not a failed guess: the server could not check it (e.g. the hashing queue was full).
            let (throttle, logger) = (throttle, context.logger)
            await Task { try? await throttle.withdraw(attempt, logger: logger) }.value
            throw error
        }
        guard let account, passwordMatches, account.isActive else {
            try await throttle.recordFailure(attempt, logger: context.logger)
            throw APIError.badRequest("Incorrect email or password")
        }
        try await throttle.recordSuccess(attempt, logger: context.logger)
        let token = try await tokens.issue(userID: account.id)
        return JSONResponse(.object(["access_token": .string(token), "token_type": "bearer"]))
    }
}
