import Logging
import PostgresNIO
import ServiceLifecycle

/// Keeps one `LISTEN` connection open and hands each notification's payload
/// to `onNotification`. A dropped connection is re-established with
/// exponential backoff and `onListening` runs again, so the owner can catch
/// up on whatever was notified while nobody listened.
public struct ChannelListener: Service {
    let database: Database
    let channel: String
    let logger: Logger
    let onListening: @Sendable () async -> Void
    let onNotification: @Sendable (String) async -> Void
    var initialBackoff: Duration = .milliseconds(100)
    var maximumBackoff: Duration = .seconds(10)

    public init(
        database: Database, channel: String, logger: Logger,
        onListening: @escaping @Sendable () async -> Void = {},
        onNotification: @escaping @Sendable (String) async -> Void
    ) {
        self.database = database
        self.channel = channel
        self.logger = logger
        self.onListening = onListening
        self.onNotification = onNotification
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
                            for try await notification in notifications {
                                await onNotification(notification.payload)
                            }
                        }
                    }
                }
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                logger.warning(
                    "listen connection lost; reconnecting",
                    metadata: ["channel": "\(channel)", "error": "\(error)", "backoff": "\(backoff)"]
                )
            }
            if Task.isCancelled || Task.isShuttingDownGracefully { break }
            // A connection that held for a while was healthy: start the backoff over.
            if ContinuousClock.now - attemptStarted > maximumBackoff { backoff = initialBackoff }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, maximumBackoff)
        }
    }
}
