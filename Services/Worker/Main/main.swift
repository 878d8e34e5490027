import Foundation
import Logging
import ServiceLifecycle
import Shared
import WorkerApp

// The worker: read config, build the services, run until SIGTERM/SIGINT.
let config: AppConfig
do {
    config = try AppConfig.load(from: ProcessInfo.processInfo.environment)
} catch {
    FileHandle.standardError.write(Data("\(error.description)\n".utf8))
    exit(78)  // EX_CONFIG
}
LogSetup.bootstrap(config)
let logger = Logger(label: "worker")
let group = WorkerServices.serviceGroup(config: config, logger: logger)
try await group.run()
