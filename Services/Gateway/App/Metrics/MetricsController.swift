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

    /// One statement: a row per status (zero when none), with the stuck, undelivered and failed counts.
    private func readQueue(logger: Logger) async throws {
        let rows = try await database.client.query(
            """
            SELECT s.status::text, coalesce(o.tasks, 0), coalesce(extract(epoch FROM o.oldest_age), 0)::float8,
                   (SELECT count(*) FROM stuck_upload_tasks),
                   (SELECT count(*) FROM operator_notifications WHERE delivered_at IS NULL AND failed_at IS NULL),
                   (SELECT count(*) FROM operator_notifications WHERE failed_at IS NOT NULL)
            FROM unnest(enum_range(NULL::upload_task_status)) s (status)
            LEFT JOIN upload_task_overview o ON o.status = s.status
            """,
            logger: logger
        )
        for try await (status, tasks, oldestAge, stuck, undelivered, failed) in rows.decode((String, Int, Double, Int, Int, Int).self) {
            registry.makeGauge(
                descriptor: .init(metricName: "upload_tasks", unitName: "", helpText: "Upload tasks by status."), labels: [("status", status)]
            ).set(Int64(tasks))
            if status == UploadTaskStatus.pending.rawValue {
                registry.makeGauge(
                    descriptor: .init(
                        metricName: "upload_task_oldest_pending_age", unitName: "seconds",
                        helpText: "Age of the oldest PENDING upload task; 0 when none waits."
                    )
                ).set(oldestAge)
            }
            registry.makeGauge(
                descriptor: .init(metricName: "upload_tasks_stuck", unitName: "", helpText: "PROCESSING upload tasks whose lease ran out.")
            ).set(Int64(stuck))
            registry.makeGauge(
                descriptor: .init(
                    metricName: "operator_notifications_backlog", unitName: "", helpText: "Operator notifications not yet delivered."
                )
            ).set(Int64(undelivered))
            registry.makeGauge(
                descriptor: .init(
                    metricName: "operator_notifications_failed", unitName: "",
                    helpText: "Operator notifications given up after WEBHOOK_MAX_ATTEMPTS."
                )
            ).set(Int64(failed))
        }
    }
}
