/// What both services answer on `/metrics`.
public enum PrometheusExposition {
    /// The media type of the Prometheus text format that swift-prometheus writes.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
