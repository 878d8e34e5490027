import Foundation
import Hummingbird
import NIOCore
import Shared

/// The validated inputs of one request. Path, query and body are read through
/// it so every problem is reported in one 422, as FastAPI does; `validated`
/// then either throws that 422 or hands back the values.
struct RequestInput {
    /// JSON bodies are small; uploads stream through their own route.
    static let maxJSONBodyBytes = 4 * 1024 * 1024

    let request: Request
    let parameters: Parameters
    let issues = IssueCollector()

    init(_ request: Request, context: some RequestContext) {
        self.request = request
        self.parameters = context.parameters
    }

    // MARK: Path

    func pathUUID(_ name: String) -> UUID? {
        let raw = parameters.get(name) ?? ""
        let text = raw.removingPercentEncoding ?? raw
        return ValueReader.parseUUID(text, loc: ["path", .key(name)], issues: issues)
    }

    // MARK: Query

    private func queryValue(_ name: String) -> String? {
        request.uri.queryParameters.get(name)
    }

    func queryUUID(_ name: String) -> UUID? {
        guard let text = queryValue(name), !text.isEmpty else { return nil }
        return ValueReader.parseUUID(text, loc: ["query", .key(name)], issues: issues)
    }

    func requiredQueryUUID(_ name: String) -> UUID? {
        guard let text = queryValue(name) else {
            issues.add(.missing(["query", .key(name)], input: .null))
            return nil
        }
        return ValueReader.parseUUID(text, loc: ["query", .key(name)], issues: issues)
    }

    func queryInt(_ name: String, default defaultValue: Int, minimum: Int, maximum: Int? = nil) -> Int {
        guard let text = queryValue(name) else { return defaultValue }
        let reader = ValueReader(value: .string(text), loc: ["query", .key(name)], issues: issues)
        return reader.int(minimum: minimum, maximum: maximum) ?? defaultValue
    }

    /// `skip` (>= 0, default 0) and `limit` (1...1000, default 100) of CONTRACT §2.
    func paging() -> Paging {
        Paging(
            skip: queryInt("skip", default: 0, minimum: 0, maximum: Int(Int32.max)),
            limit: queryInt("limit", default: 100, minimum: 1, maximum: 1000)
        )
    }

    // MARK: Body

    /// Reads a JSON object body into `Body`, recording issues instead of throwing them.
    func jsonBody<Body: RequestBody>(_ type: Body.Type) async throws -> Body? {
        let buffer = try await request.body.collect(upTo: Self.maxJSONBodyBytes)
        guard buffer.readableBytes > 0 else {
            issues.add(.missing(["body"], input: .null))
            return nil
        }
        let bytes = Array(buffer.readableBytesView)
        let contentType = request.headers[.contentType].map { $0.lowercased() } ?? "application/json"
        guard contentType.hasPrefix("application/json") || contentType.contains("+json") else {
            issues.add(.modelAttributesType(["body"], input: .string(String(decoding: bytes, as: UTF8.self))))
            return nil
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            issues.add(.jsonInvalid(position: error.position, reason: error.reason))
            return nil
        }
        return ValueReader(value: document, loc: ["body"], issues: issues).object(Body.read)
    }

    /// Reads an `application/x-www-form-urlencoded` body; fields arrive as strings.
    func formBody<Body: RequestBody>(_ type: Body.Type) async throws -> Body? {
        let buffer = try await request.body.collect(upTo: Self.maxJSONBodyBytes)
        var fields = JSONObject()
        for pair in String(buffer: buffer).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (part: Substring) in
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            let key = decode(parts[0])
            if fields[key] == nil { fields[key] = .string(parts.count > 1 ? decode(parts[1]) : "") }
        }
        return Body.read(ObjectReader(object: fields, loc: ["body"], issues: issues))
    }

    // MARK: Outcome

    /// Throws the request's 422 if anything was wrong, else unwraps the values read.
    func validated<each Value>(_ value: repeat (each Value)?) throws(APIError) -> (repeat each Value) {
        guard issues.issues.isEmpty else { throw .validation(issues.issues) }
        return (repeat try Self.unwrap(each value))
    }

    /// Throws the request's 422 if anything was wrong.
    func check() throws(APIError) {
        guard issues.issues.isEmpty else { throw .validation(issues.issues) }
    }

    private static func unwrap<Value>(_ value: Value?) throws(APIError) -> Value {
        // A reader answers nil only after recording an issue, so this is unreachable.
        guard let value else { throw APIError(.internalServerError, "Internal Server Error") }
        return value
    }
}

/// The page of a list route.
struct Paging: Sendable {
    var skip: Int
    var limit: Int
}
