import Logging
import ServiceLifecycle
import Shared
import WorkerApp

/// The upload worker running in the test process against a test database.
public enum TestWorker {
    /// Runs a worker until `body` returns, then shuts it down gracefully.
    public static func run<Result: Sendable>(
        _ config: AppConfig, name: String = "test-worker",
        configure: (inout UploadTaskWorker.Configuration) -> Void = { _ in },
        _ body: @Sendable () async throws -> Result
    ) async throws -> Result {
        var logger = Logger(label: name)
        logger.logLevel = config.logLevel
        let database = Database(url: config.database, maximumConnections: 6, logger: logger)
        var configuration = UploadTaskWorker.Configuration(config: config)
        configuration.name = name
        configuration.pollInterval = .milliseconds(200)
        configure(&configuration)
        let worker = UploadTaskWorker(
            database: database, blobs: try makeBlobStore(config.blobStore, database: database),
            configuration: configuration, logger: logger
        )
        let group = ServiceGroup(services: [database.client, worker], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let result = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
