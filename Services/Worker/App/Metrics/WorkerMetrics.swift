import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Shared

/// What one worker process did, for Prometheus. The queue itself (tasks by
/// status, the oldest PENDING task) is read from Postgres by the gateway's
/// `/metrics`; these are the numbers only the worker knows.
public struct WorkerMetrics: Sendable {
    /// How a claimed task ended for this worker.
    enum Outcome: String {
        case completed, failed
        /// Shutdown outlasted the grace period: back to PENDING for another worker.
        case handedBack = "handed_back"
        /// Another worker took it over (this one stalled past its lease).
        case leaseLost = "lease_lost"
        /// A database or storage error: the lease runs out and it is retried.
        case interrupted
    }

    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    static var taskDurationBuckets: [Duration] {
        [.milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
         .seconds(10), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600)]
    }

    func tasksRunning(_ change: Double) {
        registry.makeGauge(
            descriptor: .init(metricName: "worker_tasks_running", unitName: "", helpText: "Upload tasks this worker is processing now.")
        ).increment(by: change)
    }

    func taskEnded(_ outcome: Outcome, after duration: Duration) {
        let labels = [("outcome", outcome.rawValue)]
        registry.makeCounter(
            descriptor: .init(metricName: "worker_tasks", unitName: "total", helpText: "Upload tasks this worker claimed, by how they ended."),
            labels: labels
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(metricName: "worker_task_duration", unitName: "seconds", helpText: "Time from claiming an upload task to its end."),
            labels: labels, buckets: Self.taskDurationBuckets
        ).record(duration)
    }

    /// Counts the entries of an archive this worker applied (or failed).
    func imagesHandled(processed: Int, skipReasons: [SkipReason]) {
        registry.makeCounter(
            descriptor: .init(metricName: "worker_images_processed", unitName: "total", helpText: "Archive entries stored as base images.")
        ).increment(by: Int64(processed))
        for (reason, count) in Dictionary(grouping: skipReasons, by: { $0 }).mapValues(\.count) {
            registry.makeCounter(
                descriptor: .init(metricName: "worker_images_skipped", unitName: "total", helpText: "Archive entries skipped, by reason."),
                labels: [("reason", reason.rawValue)]
            ).increment(by: Int64(count))
        }
    }

    /// An HTTP server answering `GET /metrics` on `host:port`, run as one more service.
    func server(host: String, port: Int, logger: Logger) -> some Service {
        let router = Router()
        router.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: PrometheusExposition.contentType],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "worker"), logger: logger
        )
    }
}
