import Logging
import PostgresNIO
import ServiceLifecycle

/// Keeps one `LISTEN` connection open and hands each notification's payload
/// to `onNotification`. The connection is health-checked with a query every
/// `healthCheckInterval` (a half-open TCP connection would otherwise wait
/// forever); a dropped or silent connection is re-established with
/// exponential backoff and `onListening` runs again, so the owner can catch
/// up on whatever was notified while nobody listened. `onDeaf` runs whenever
/// the connection is lost and when the listener stops, for owners that must
/// not trust what they hold while nothing is heard.
public struct ChannelListener: Service {
    let database: Database
    let channel: String
    let logger: Logger
    let onListening: @Sendable () async -> Void
    let onNotification: @Sendable (String) async -> Void
    let onDeaf: @Sendable () async -> Void
    var initialBackoff: Duration = .milliseconds(100)
    var maximumBackoff: Duration = .seconds(10)
    var healthCheckInterval: Duration = .seconds(10)
    var healthCheckTimeout: Duration = .seconds(5)

    public init(
        database: Database, channel: String, logger: Logger,
        onListening: @escaping @Sendable () async -> Void = {},
        onNotification: @escaping @Sendable (String) async -> Void,
        onDeaf: @escaping @Sendable () async -> Void = {}
    ) {
        self.database = database
        self.channel = channel
        self.logger = logger
        self.onListening = onListening
        self.onNotification = onNotification
        self.onDeaf = onDeaf
    }

    public func run() async throws {
        var backoff = initialBackoff
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let attemptStarted = ContinuousClock.now
            do {
                try await cancelWhenGracefulShutdown {
                    try await database.client.withConnection { connection in
                        try await connection.listen(on: channel) { notifications in
                            logger.info("listening", metadata: ["channel": "\(channel)"])
                            await onListening()
                            try await withThrowingTaskGroup(of: Void.self) { group in
                                group.addTask {
                                    for try await notification in notifications {
                                        await onNotification(notification.payload)
                                    }
                                }
                                group.addTask { try await healthCheck(connection) }
                                // Either ending means the connection is no longer to be trusted.
                                try await group.next()
                                group.cancelAll()
                            }
                        }
                    }
                }
            } catch where !Task.isCancelled && !Task.isShuttingDownGracefully {
                logger.warning(
                    "listen connection lost; reconnecting",
                    metadata: ["channel": "\(channel)", "error": "\(String(reflecting: error))", "backoff": "\(backoff)"]
                )
            } catch {}
            await onDeaf()
            if Task.isCancelled || Task.isShuttingDownGracefully { break }
            // A connection that held for a while was healthy: start the backoff over.
            if ContinuousClock.now - attemptStarted > maximumBackoff { backoff = initialBackoff }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, maximumBackoff)
        }
    }

    /// Returns (or throws) once the connection fails to answer in time.
    private func healthCheck(_ connection: PostgresConnection) async throws {
        while true {
            try await Task.sleep(for: healthCheckInterval)
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    // Named so pg_stat_activity still tells an admin what this connection is for.
                    try await connection.query("SELECT /* health check of LISTEN \(unescaped: channel) */ 1", logger: logger)
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: healthCheckTimeout)
                    return false
                }
                let answered = try await group.next() ?? false
                group.cancelAll()
                guard answered else {
                    // Closing fails the hung query, so this group can end.
                    try? await connection.close()
                    throw HealthCheckTimedOut()
                }
            }
        }
    }

    struct HealthCheckTimedOut: Error {}
}
