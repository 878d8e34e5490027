import Hummingbird
import NIOCore
import PostgresNIO
import Prometheus
import Shared

/// `GET /metrics` in the Prometheus text format: the HTTP metrics this
/// gateway recorded, and the queue as Postgres sees it at scrape time (the
/// same numbers as the `upload_task_overview` view admins query, so every
/// gateway reports the same queue).
struct MetricsController {
    let database: Database
    let registry: PrometheusCollectorRegistry

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get("metrics", use: metrics)
    }

    @Sendable func metrics(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await readQueue(logger: context.logger)
        return Response(
            status: .ok,
            headers: [.contentType: PrometheusExposition.contentType],
            body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
        )
    }

    private func readQueue(logger: Logger) async throws {
        var tasks: [String: Int] = [:]
        var oldestPendingAge = 0.0
        let rows = try await database.client.query(
            "SELECT status::text, tasks, extract(epoch FROM oldest_age)::float8 FROM upload_task_overview", logger: logger
        )
        for try await (status, count, oldestAge) in rows.decode((String, Int, Double).self) {
            tasks[status] = count
            if status == UploadTaskStatus.pending.rawValue { oldestPendingAge = oldestAge }
        }
        for status in UploadTaskStatus.allCases {
            registry.makeGauge(descriptor: .init(metricName: "upload_tasks", unitName: "", helpText: "Upload tasks by status."), labels: [("status", status.rawValue)])
                .set(Int64(tasks[status.rawValue] ?? 0))
        }
        registry.makeGauge(
            descriptor: .init(
                metricName: "upload_task_oldest_pending_age", unitName: "seconds",
                helpText: "Age of the oldest PENDING upload task; 0 when none waits."
            )
        ).set(oldestPendingAge)

        let backlog = try await database.client.query(
            """
            SELECT (SELECT count(*) FROM stuck_upload_tasks),
                   (SELECT count(*) FROM operator_notifications WHERE delivered_at IS NULL)
            """,
            logger: logger
        )
        for try await (stuck, undelivered) in backlog.decode((Int, Int).self) {
            registry.makeGauge(
                descriptor: .init(metricName: "upload_tasks_stuck", unitName: "", helpText: "PROCESSING upload tasks whose lease ran out.")
            ).set(Int64(stuck))
            registry.makeGauge(
                descriptor: .init(
                    metricName: "operator_notifications_backlog", unitName: "", helpText: "Operator notifications not yet delivered."
                )
            ).set(Int64(undelivered))
        }
    }
}
