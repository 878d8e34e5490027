import Foundation
import Logging
import Shared
import WorkerApp

/// The worker: read config, build the services, run until SIGTERM/SIGINT.
@main
enum Worker {
    static func main() async throws {
        let config: AppConfig
        do {
            config = try AppConfig.load(from: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("\(error.description)\n".utf8))
            exit(78)  // EX_CONFIG
        }
        LogSetup.bootstrap(config)
        try await WorkerServices.serviceGroup(config: config, logger: Logger(label: "worker")).run()
    }
}
