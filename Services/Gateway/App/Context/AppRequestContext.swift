import Hummingbird
import NIOCore

/// The context of every request; `currentUser` is set by `BearerAuthenticator`.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    var currentUser: CurrentUser?
    /// The TCP peer: the client, or the reverse proxy in front of the gateway.
    let peerAddress: SocketAddress?
    /// The event loop of the connection, as an executor (`EventLoopAffinityMiddleware`).
    let connectionExecutor: EventLoopTaskExecutor?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress
        connectionExecutor = EventLoopTaskExecutor.of(source.channel.eventLoop)
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
