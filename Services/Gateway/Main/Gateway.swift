import ArgumentParser
import Foundation
import GatewayApp
import Logging
import NIOCore
import NIOPosix
import Shared

/// `gateway` serves the HTTP API; `gateway migrate` only applies migrations.
@main
struct Gateway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The set-design HTTP API.",
        subcommands: [Serve.self, Migrate.self],
        defaultSubcommand: Serve.self
    )

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Migrate, then serve the API (the default).")

        func run() async throws {
            // Tasks run on the event loops that do the I/O: each database answer
            // resumes its request on the thread that read it instead of hopping
            // to Swift's own pool. Blocking work stays off them (bcrypt and file
            // I/O have their own thread pools).
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
            let config = try loadConfig()
            do {
                let app = try await buildApplication(config: config, logger: Logger(label: "gateway"))
                try await app.runService()
            } catch let error as APIDocumentation.LoadError {
                // A missing or broken OpenAPI directory is an installation error, like a bad variable.
                FileHandle.standardError.write(Data("\(error.description)\n".utf8))
                throw ExitCode(78)  // EX_CONFIG
            }
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending migrations and exit.")

        func run() async throws {
            let config = try loadConfig()
            let logger = Logger(label: "gateway.migrate")
            let database = Database(url: config.database, maximumConnections: 2, logger: logger)
            let migrator = try Migrator.fromDefaultLocation()
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await database.client.run() }
                let applied = try await migrator.migrate(database.client.postgres, logger: logger)
                logger.info("migrations done", metadata: ["applied": "\(applied)", "latest": "\(migrator.latestVersion)"])
                group.cancelAll()
            }
        }
    }
}

/// Reads the environment; a bad value stops the process with the variable's name.
func loadConfig() throws -> AppConfig {
    do {
        let config = try AppConfig.load(from: ProcessInfo.processInfo.environment)
        LogSetup.bootstrap(config)
        return config
    } catch {
        FileHandle.standardError.write(Data("\(error.description)\n".utf8))
        throw ExitCode(78)  // EX_CONFIG
    }
}
