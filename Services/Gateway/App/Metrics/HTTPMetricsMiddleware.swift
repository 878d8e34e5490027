import Hummingbird
import Prometheus
import Synchronization

/// Counts requests and records their latency by method, route template and
/// status. The route is the router's template (`/api/v1/shot-types/{id}`),
/// never the raw path, so the number of series stays bounded; a request no
/// route matches is counted as `NotFound`, the router's name for it.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let series: HTTPSeries

    init(registry: PrometheusCollectorRegistry) {
        series = HTTPSeries(registry: registry)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            var response = try await next(request, context)
            let (status, body) = (response.status, response.body)
            // Streamed bodies (downloads, progress events) count until their last byte.
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                defer { series.record(request.method, context.endpointPath, status, since: start) }
                try await body.write(writer)
            }
            return response
        } catch {
            series.record(request.method, context.endpointPath, (error as? any HTTPResponseError)?.status ?? .internalServerError, since: start)
            throw error
        }
    }
}

/// The counter and histogram of each method, route and status, made once:
/// the registry checks names, labels and help text on every lookup, which a
/// request should not pay for.
final class HTTPSeries: Sendable {
    private struct Key: Hashable {
        var method: HTTPRequest.Method
        var route: String
        var status: Int
    }

    private let registry: PrometheusCollectorRegistry
    private let made = Mutex<[Key: (requests: Counter, duration: DurationHistogram)]>([:])

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func record(_ method: HTTPRequest.Method, _ route: String?, _ status: HTTPResponse.Status, since start: ContinuousClock.Instant) {
        let key = Key(method: method, route: route ?? "NotFound", status: status.code)
        let metrics = made.withLock { made in
            if let existing = made[key] { return existing }
            let labels = [("method", method.rawValue), ("route", key.route), ("status", String(status.code))]
            let new = (
                requests: registry.makeCounter(
                    descriptor: .init(metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered."), labels: labels
                ),
                duration: registry.makeDurationHistogram(
                    descriptor: .init(
                        metricName: "http_request_duration", unitName: "seconds",
                        helpText: "Time from receiving a request to sending the last byte of its answer."
                    ),
                    labels: labels,
                    buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                              .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10)]
                )
            )
            made[key] = new
            return new
        }
        metrics.requests.increment()
        metrics.duration.record(ContinuousClock.now - start)
    }
}
