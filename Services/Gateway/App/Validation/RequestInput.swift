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
    /// The only form body is the login form: a user name, a password and
    /// OAuth2's few optional fields, percent-encoded. Anything longer is not a login.
    static let maxFormBodyBytes = 8 * 1024
    /// Starlette's default for a form, with its message when exceeded (400).
    static let maxFormFields = 1000

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

    /// An id that may be left out, but not sent empty (`?subject_id=` is a 422, as when it was required).
    func optionalQueryUUID(_ name: String) -> UUID? {
        guard let text = queryValue(name) else { return nil }
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
    func jsonBody<Body: RequestBody>(_ type: Body.Type, upTo maxBytes: Int = maxJSONBodyBytes) async throws -> Body? {
        let buffer = try await request.body.collect(upTo: maxBytes)
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
            document = try JSONParser.parse(bytes, limits: .requestBody)
        } catch {
            issues.add(.jsonInvalid(position: error.position, reason: error.reason))
            return nil
        }
        Self.reportNUL(in: document, at: ["body"], issues: issues)
        return ValueReader(value: document, loc: ["body"], issues: issues).object(Body.read)
    }

    /// Reads an `application/x-www-form-urlencoded` body; fields arrive as strings.
    func formBody<Body: RequestBody>(_ type: Body.Type) async throws -> Body? {
        let buffer = try await request.body.collect(upTo: Self.maxFormBodyBytes)
        let fields = try Self.formFields(Array(buffer.readableBytesView))
        Self.reportNUL(in: .object(fields), at: ["body"], issues: issues)
        return Body.read(ObjectReader(object: fields, loc: ["body"], issues: issues))
    }

    /// The fields of a urlencoded form, in order; of a repeated name the first
    /// counts. Linear in the body: one pass to split, one to decode each part.
    static func formFields(_ body: [UInt8]) throws(APIError) -> JSONObject {
        var fields = JSONObject()
        var count = 0
        for pair in body.split(separator: UInt8(ascii: "&")) {
            count += 1
            guard count <= maxFormFields else {
                throw .badRequest("Too many fields. Maximum number of fields is \(maxFormFields).")
            }
            let separator = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
            let key = formDecoded(pair[..<separator])
            let value = separator < pair.endIndex ? formDecoded(pair[(separator + 1)...]) : ""
            if fields[key] == nil { fields[key] = .string(value) }
        }
        return fields
    }

    /// `+` is a space and `%XX` a byte; a `%` without two hex digits stays as it is.
    /// Bytes that are not UTF-8 become U+FFFD.
    private static func formDecoded(_ part: ArraySlice<UInt8>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(part.count)
        var index = part.startIndex
        while index < part.endIndex {
            let byte = part[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), part.endIndex - index > 2,
                let high = hexValue(part[index + 1]), let low = hexValue(part[index + 2])
            {
                bytes.append(high << 4 | low)
                index += 2
            } else {
                bytes.append(byte)
            }
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Postgres text and jsonb cannot hold U+0000. Every string of a body,
    /// object keys and free-form objects (`margins`) included, is checked here
    /// once, so no route can hand one to the database: a 422 at the string's
    /// `loc`, never a 500 from the insert.
    static func reportNUL(in value: JSONValue, at loc: [ValidationIssue.Location], issues: IssueCollector) {
        var path = loc
        func visit(_ value: JSONValue) {
            switch value {
            case .string(let text) where text.utf8.contains(0):
                issues.add(.valueError(path, message: "Value error, text must not contain NUL characters", input: value))
            case .array(let items):
                for (index, item) in items.enumerated() {
                    path.append(.index(index))
                    visit(item)
                    path.removeLast()
                }
            case .object(let object):
                for member in object.members {
                    path.append(.key(member.key))
                    if member.key.utf8.contains(0) {
                        issues.add(.valueError(path, message: "Value error, keys must not contain NUL characters", input: .string(member.key)))
                    }
                    visit(member.value)
                    path.removeLast()
                }
            default:
                break
            }
        }
        visit(value)
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
