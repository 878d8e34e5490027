import Hummingbird

/// The context of every request; `currentUser` is set by `BearerAuthenticator`.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    var currentUser: CurrentUser?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

/// The context of routes that need a user: it cannot exist without one, so
/// handlers never re-check the token.
public struct AuthenticatedContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let user: CurrentUser

    public init(context: AppRequestContext) throws {
        guard let user = context.currentUser else { throw APIError.notAuthenticated }
        coreContext = context.coreContext
        self.user = user
    }

    /// 403 unless the caller is a superuser.
    func requireSuperuser() throws(APIError) {
        guard user.isSuperuser else { throw .superuserRequired }
    }
}
