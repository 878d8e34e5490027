import Logging
import PostgresNIO
import ServiceLifecycle
import Shared

/// Keeps a `LISTEN upload_tasks` connection open and hands each notification
/// to `onNotification`. A dropped connection is re-established with
/// exponential backoff; the poll loop covers whatever was missed meanwhile.
public struct UploadTaskListener: Service {
    public static let channel = "upload_tasks"

    let database: Database
    let logger: Logger
    let onNotification: @Sendable (String) async -> Void
    var initialBackoff: Duration = .milliseconds(100)
    var maximumBackoff: Duration = .seconds(10)

    public init(database: Database, logger: Logger, onNotification: @escaping @Sendable (String) async -> Void) {
        self.database = database
        self.logger = logger
        self.onNotification = onNotification
    }

    public func run() async throws {
        var backoff = initialBackoff
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let attemptStarted = ContinuousClock.now
            do {
                try await cancelWhenGracefulShutdown {
                    try await database.client.withConnection { connection in
                        try await connection.listen(on: Self.channel) { notifications in
                            logger.info("listening", metadata: ["channel": "\(Self.channel)"])
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
                    metadata: ["channel": "\(Self.channel)", "error": "\(error)", "backoff": "\(backoff)"]
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
