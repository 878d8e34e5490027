import Shared
import Testing
@testable import WorkerApp

/// The worker's services take their settings from `AppConfig`.
@Suite("Worker configuration")
struct WorkerConfigurationTests {
    // MARK: Tests

    @Test func theClaimLoopAndTheArchiveSweepTakeTheEnvironmentsValues() throws {
        let config = try AppConfig.load(from: [
            "WORKER_CONCURRENCY": "7", "WORKER_POLL_SECONDS": "0.5", "TASK_LEASE_SECONDS": "12", "TASK_MAX_ATTEMPTS": "9",
            "WORKER_SHUTDOWN_GRACE_SECONDS": "4", "TASK_DEADLINE_SECONDS": "99",
        ])
        let worker = UploadTaskWorker.Configuration(config: config)
        #expect(worker.concurrency == 7 && worker.pollInterval == .milliseconds(500) && worker.lease == .seconds(12))
        #expect(worker.maxAttempts == 9 && worker.shutdownGrace == .seconds(4) && worker.deadline == .seconds(99))
        #expect(EndedArchiveSweeper.Configuration(config: config).interval == .milliseconds(500))
    }
}
