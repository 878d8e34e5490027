import Foundation
import Shared

/// Collects the validation issues of one request, so all are reported together.
final class IssueCollector {
    var issues: [ValidationIssue] = []
    func add(_ issue: ValidationIssue) { issues.append(issue) }
}

/// A string enum of the API; its cases are listed in `enum` errors.
protocol APIEnum: RawRepresentable<String>, CaseIterable, Sendable {}

/// Reads one JSON value at a `loc`, recording pydantic-style issues instead of
/// stopping, and answering nil when the value is unusable.
struct ValueReader {
    let value: JSONValue
    let loc: [ValidationIssue.Location]
    let issues: IssueCollector

    func string(minLength: Int = 0, maxLength: Int? = nil) -> String? {
        guard case .string(let text) = value else {
            issues.add(.stringType(loc, input: value))
            return nil
        }
        // pydantic counts characters (code points), not bytes.
        let length = text.unicodeScalars.count
        if length < minLength {
            issues.add(.stringTooShort(loc, input: value, minLength: minLength))
            return nil
        }
        if let maxLength, length > maxLength {
            issues.add(.stringTooLong(loc, input: value, maxLength: maxLength))
            return nil
        }
        // U+0000, which Postgres cannot store, is refused for the whole body by `RequestInput.reportNUL`.
        return text
    }

    func email() -> String? {
        guard let text = string() else { return nil }
        if let problem = EmailAddress.problem(text) {
            issues.add(.valueError(loc, message: "value is not a valid email address: \(problem)", input: value))
            return nil
        }
        return text
    }

    func uuid() -> UUID? {
        guard case .string(let text) = value else {
            issues.add(.uuidType(loc, input: value))
            return nil
        }
        return Self.parseUUID(text, loc: loc, issues: issues)
    }

    static func parseUUID(_ text: String, loc: [ValidationIssue.Location], issues: IssueCollector) -> UUID? {
        var candidate = Substring(text)
        if candidate.lowercased().hasPrefix("urn:uuid:") { candidate = candidate.dropFirst(9) }
        // pydantic also accepts the 32-digit form without hyphens.
        if candidate.count == 32, candidate.allSatisfy(\.isHexDigit) {
            let digits = Array(candidate)
            candidate = Substring(
                [digits[0..<8], digits[8..<12], digits[12..<16], digits[16..<20], digits[20..<32]]
                    .map { String($0) }.joined(separator: "-")
            )
        }
        guard let uuid = UUID(uuidString: String(candidate)) else {
            issues.add(.uuidParsing(loc, input: text))
            return nil
        }
        return uuid
    }

    func bool() -> Bool? {
        switch value {
        case .bool(let flag): return flag
        case .int(0): return false
        case .int(1): return true
        case .string(let text):
            // pydantic's lax mode accepts these spellings.
            switch text.lowercased() {
            case "true", "t", "yes", "y", "on", "1": return true
            case "false", "f", "no", "n", "off", "0": return false
            default:
                issues.add(.boolParsing(loc, input: value))
                return nil
            }
        default:
            issues.add(.boolType(loc, input: value))
            return nil
        }
    }

    func int(minimum: Int? = nil, maximum: Int? = nil) -> Int? {
        let number: Int
        switch value {
        case .int(let integer): number = integer
        case .double(let double) where double.rounded() == double && abs(double) < 9e15: number = Int(double)
        case .string(let text):
            guard let parsed = Int(text.trimmingCharacters(in: .whitespaces)) else {
                issues.add(.intParsing(loc, input: value))
                return nil
            }
            number = parsed
        default:
            issues.add(.intType(loc, input: value))
            return nil
        }
        if let minimum, number < minimum {
            issues.add(.greaterThanEqual(loc, input: value, bound: minimum))
            return nil
        }
        if let maximum, number > maximum {
            issues.add(.lessThanEqual(loc, input: value, bound: maximum))
            return nil
        }
        return number
    }

    func enumeration<E: APIEnum>(_ type: E.Type) -> E? {
        if case .string(let text) = value, let parsed = E(rawValue: text) { return parsed }
        issues.add(.enumeration(loc, input: value, allowed: E.allCases.map(\.rawValue)))
        return nil
    }

    func list<Element>(_ element: (ValueReader) -> Element?) -> [Element]? {
        guard case .array(let items) = value else {
            issues.add(.listType(loc, input: value))
            return nil
        }
        var result: [Element] = []
        var failed = false
        for (index, item) in items.enumerated() {
            if let parsed = element(ValueReader(value: item, loc: loc + [.index(index)], issues: issues)) {
                result.append(parsed)
            } else {
                failed = true
            }
        }
        return failed ? nil : result
    }

    func object<Result>(_ read: (ObjectReader) -> Result?) -> Result? {
        guard case .object(let object) = value else {
            issues.add(.modelAttributesType(loc, input: value))
            return nil
        }
        return read(ObjectReader(object: object, loc: loc, issues: issues))
    }

    /// A free-form JSON object (e.g. `margins`). A NUL anywhere in a body,
    /// which jsonb cannot hold, is refused for the whole body before this (RequestInput).
    func jsonObject() -> JSONObject? {
        guard case .object(let object) = value else {
            issues.add(.dictType(loc, input: value))
            return nil
        }
        return object
    }
}

/// Reads the fields of one JSON object (a body or a nested item).
struct ObjectReader {
    let object: JSONObject
    let loc: [ValidationIssue.Location]
    let issues: IssueCollector

    /// A field that must be present; a missing one is reported as `missing`.
    func required<Result>(_ key: String, _ read: (ValueReader) -> Result?) -> Result? {
        guard let value = object[key] else {
            issues.add(.missing(loc + [.key(key)], input: .object(object)))
            return nil
        }
        return read(ValueReader(value: value, loc: loc + [.key(key)], issues: issues))
    }

    /// A field that may be absent or null; both read as nil.
    func optional<Result>(_ key: String, _ read: (ValueReader) -> Result?) -> Result? {
        guard let value = object[key], !value.isNull else { return nil }
        return read(ValueReader(value: value, loc: loc + [.key(key)], issues: issues))
    }
}

/// A request body type read field by field from JSON (or form fields).
protocol RequestBody {
    static func read(_ reader: ObjectReader) -> Self?
}
