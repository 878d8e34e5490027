import Hummingbird
import HummingbirdCore
import HummingbirdTesting
import Logging
import NIOCore
import ServiceLifecycle

// HummingbirdTesting's `.live` harness waits for the server's port without a
// bound: when start-up throws (a `beforeServerStarts` step whose database
// wait timed out on a loaded machine), the port never comes and the test
// hangs until CI kills the run. This harness runs the application as a
// service, fails the test with the start-up error instead, and bounds the
// graceful shutdown, which an open connection could otherwise hold forever.

/// An application served on a loopback port for the length of a test.
public enum LiveServer {
    /// How long a graceful shutdown may take before the server is cancelled and the test fails.
    static let shutdownGrace: Duration = .seconds(30)
    /// How long start-up may take (migrations, the first superuser) on a loaded machine.
    static let startUpLimit: Duration = .seconds(120)

    /// Serves `app` on 127.0.0.1 (a free port) and runs `body` with a client connected to it and the port.
    public static func run<App: ApplicationProtocol, Result: Sendable>(
        _ app: App, _ body: @Sendable (TestClient, Int) async throws -> Result
    ) async throws -> Result {
        let (ports, reportPort) = AsyncStream.makeStream(of: Int.self)
        let reporting = PortReporting(base: app, ports: reportPort)
        let group = ServiceGroup(configuration: .init(services: [reporting], logger: app.logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { reportPort.finish() }
                try await group.run()
            }
            // A start-up that blocks instead of throwing ends the wait too.
            let startUpTimer = Task {
                try await Task.sleep(for: startUpLimit)
                reportPort.finish()
            }
            var iterator = ports.makeAsyncIterator()
            let listening = await iterator.next()
            startUpTimer.cancel()
            guard let port = listening else {
                // It stopped, or never got as far as listening: its error, if any, is the test's.
                tasks.cancelAll()
                try await tasks.waitForAll()
                throw TestFailure("the server did not listen within \(startUpLimit)")
            }
            let client = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(20)))
            client.connect()
            let result: Result
            do {
                result = try await body(client, port)
            } catch {
                try? await client.shutdown()
                try? await stop(group, tasks: &tasks)
                throw error
            }
            try await client.shutdown()
            try await stop(group, tasks: &tasks)
            return result
        }
    }

    /// Shuts the server down gracefully; cancels it, and fails, if that takes longer than `shutdownGrace`.
    private static func stop(_ group: ServiceGroup, tasks: inout ThrowingTaskGroup<Void, any Error>) async throws {
        await group.triggerGracefulShutdown()
        tasks.addTask {
            try await Task.sleep(for: shutdownGrace)
            throw TestFailure("the server did not stop within \(shutdownGrace) of its shutdown: a connection held it open")
        }
        defer { tasks.cancelAll() }
        // The first to end: the server (as it should) or the timer.
        try await tasks.next()
    }
}

/// The application as it is, on 127.0.0.1 and a free port, reporting the port once it listens.
private struct PortReporting<Base: ApplicationProtocol>: ApplicationProtocol {
    typealias Responder = Base.Responder
    let base: Base
    let ports: AsyncStream<Int>.Continuation

    var responder: Responder { get async throws { try await base.responder } }
    var server: HTTPServerBuilder { base.server }
    var eventLoopGroup: any EventLoopGroup { base.eventLoopGroup }
    var configuration: ApplicationConfiguration { base.configuration.with(address: .hostname("127.0.0.1", port: 0)) }
    var logger: Logger { base.logger }
    var services: [any Service] { base.services }
    var processesRunBeforeServerStart: [@Sendable () async throws -> Void] { base.processesRunBeforeServerStart }

    @Sendable func onServerRunning(_ channel: any Channel) async {
        await base.onServerRunning(channel)
        ports.yield(channel.localAddress?.port ?? 0)
        ports.finish()
    }
}
