import Hummingbird
import Prometheus

/// Counts requests and records their latency by method, route template and
/// status. The route is the router's template (`/api/v1/shot-types/{id}`),
/// never the raw path, so the number of series stays bounded; a request no
/// route matches is counted as `NotFound`, the router's name for it.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry

    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered.")
    }
    static var duration: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "http_request_duration", unitName: "seconds",
            helpText: "Time from receiving a request to sending the last byte of its answer."
        )
    }
    static var latencyBuckets: [Duration] {
        [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
         .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10)]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            var response = try await next(request, context)
            let (status, body) = (response.status, response.body)
            // Streamed bodies (downloads, progress events) count until their last byte.
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                defer { record(request.method, context.endpointPath, status, since: start) }
                try await body.write(writer)
            }
            return response
        } catch {
            record(request.method, context.endpointPath, (error as? any HTTPResponseError)?.status ?? .internalServerError, since: start)
            throw error
        }
    }

    private func record(_ method: HTTPRequest.Method, _ route: String?, _ status: HTTPResponse.Status, since start: ContinuousClock.Instant) {
        let labels = [("method", method.rawValue), ("route", route ?? "NotFound"), ("status", String(status.code))]
        registry.makeCounter(descriptor: Self.requests, labels: labels).increment()
        registry.makeDurationHistogram(descriptor: Self.duration, labels: labels, buckets: Self.latencyBuckets)
            .record(ContinuousClock.now - start)
    }
}
