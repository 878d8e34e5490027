import Hummingbird
import NIOCore
import NIOPosix

/// Runs each request on the event loop of its connection.
///
/// The gateway makes NIO's event loops Swift's global executor (see `gateway
/// serve`), which keeps every job on the loop that enqueued it: left alone,
/// all request tasks would run on the loop that accepted the connections while
/// the other loop idles. Preferring the connection's own loop spreads requests
/// over every loop, as the connections already are. NIO has no `TaskExecutor`
/// for its loops yet, so this adapter is ours.
struct EventLoopAffinityMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let executor = context.connectionExecutor else { return try await next(request, context) }
        return try await withTaskExecutorPreference(executor) { try await next(request, context) }
    }
}

/// Runs jobs on one event loop.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// One executor per loop of the group the server runs on, made once.
    static let ofSingletonLoops: [EventLoopTaskExecutor] = MultiThreadedEventLoopGroup.singleton.makeIterator().map(EventLoopTaskExecutor.init)

    /// The executor of `eventLoop`, when it is one of the server's loops.
    static func of(_ eventLoop: any EventLoop) -> EventLoopTaskExecutor? {
        ofSingletonLoops.first { $0.eventLoop === eventLoop }
    }
}
