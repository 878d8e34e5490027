import Foundation

/// A Prometheus text exposition, its samples keyed by the series exactly as
/// written: `name{label="value",...}`.
public struct PrometheusSamples: Sendable {
    public var values: [String: Double] = [:]

    public init(parsing text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
    }

    public subscript(_ series: String) -> Double? { values[series] }
}
