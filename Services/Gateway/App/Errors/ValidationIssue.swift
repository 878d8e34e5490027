import Foundation
import Shared

/// One element of a 422 body, in pydantic v2's shape and words
/// (`type`, `loc`, `msg`, `input`, `ctx`), so existing frontends show it as before.
public struct ValidationIssue: Sendable, Equatable, JSONRepresentable {
    /// A `loc` element: a field name or a list index.
    public enum Location: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
        case key(String)
        case index(Int)
        public init(stringLiteral value: String) { self = .key(value) }
        public init(integerLiteral value: Int) { self = .index(value) }
    }

    public var type: String
    public var loc: [Location]
    public var msg: String
    public var input: JSONValue
    public var ctx: JSONObject?

    public init(type: String, loc: [Location], msg: String, input: JSONValue, ctx: JSONObject? = nil) {
        self.type = type
        self.loc = loc
        self.msg = msg
        self.input = input
        self.ctx = ctx
    }

    public var json: JSONValue {
        var object: JSONObject = [
            "type": .string(type),
            "loc": .array(loc.map { location in
                switch location {
                case .key(let key): .string(key)
                case .index(let index): .int(index)
                }
            }),
            "msg": .string(msg),
            "input": input,
        ]
        if let ctx { object["ctx"] = .object(ctx) }
        return .object(object)
    }
}

// MARK: pydantic's error types

extension ValidationIssue {
    static func missing(_ loc: [Location], input: JSONValue) -> Self {
        .init(type: "missing", loc: loc, msg: "Field required", input: input)
    }

    static func stringType(_ loc: [Location], input: JSONValue) -> Self {
        .init(type: "string_type", loc: loc, msg: "Input should be a valid string", input: input)
    }

    static func stringTooShort(_ loc: [Location], input: JSONValue, minLength: Int) -> Self {
        .init(
            type: "string_too_short", loc: loc,
            msg: "String should have at least \(minLength) character\(minLength == 1 ? "" : "s")",
            input: input, ctx: ["min_length": .int(minLength)]
        )
    }

    static func stringTooLong(_ loc: [Location], input: JSONValue, maxLength: Int) -> Self {
        .init(
            type: "string_too_long", loc: loc,
            msg: "String should have at most \(maxLength) character\(maxLength == 1 ? "" : "s")",
            input: input, ctx: ["max_length": .int(maxLength)]
        )
    }

    static func listTooLong(_ loc: [Location], input: JSONValue, maxLength: Int, actualLength: Int) -> Self {
        .init(
            type: "too_long", loc: loc,
            msg: "List should have at most \(maxLength) item\(maxLength == 1 ? "" : "s") after validation, not \(actualLength)",
            input: input, ctx: ["field_type": "List", "max_length": .int(maxLength), "actual_length": .int(actualLength)]
        )
    }

    static func uuidType(_ loc: [Location], input: JSONValue) -> Self {
        .init(type: "uuid_type", loc: loc, msg: "UUID input should be a string, bytes or UUID object", input: input)
    }

    static func uuidParsing(_ loc: [Location], input: String) -> Self {
        let reason = UUIDSyntax.problem(input) ?? "invalid format"
        return .init(
            type: "uuid_parsing", loc: loc, msg: "Input should be a valid UUID, \(reason)",
            input: .string(input), ctx: ["error": .string(reason)]
        )
    }

    static func enumeration(_ loc: [Location], input: JSONValue, allowed: [String]) -> Self {
        let quoted = allowed.map { "'\($0)'" }
        let expected =
            quoted.count > 1 ? quoted.dropLast().joined(separator: ", ") + " or " + quoted.last! : quoted.joined()
        return .init(
            type: "enum", loc: loc, msg: "Input should be \(expected)", input: input,
            ctx: ["expected": .string(expected)]
        )
    }

    static func intType(_ loc: [Location], input: JSONValue) -> Self {
        .init(type: "int_type", loc: loc, msg: "Input should be a valid integer", input: input)
    }

    static func intParsing(_ loc: [Location], input: JSONValue) -> Self {
        .init(
            type: "int_parsing", loc: loc,
            msg: "Input should be a valid integer, unable to parse string as an integer", input: input
        )
    }

    static func boolParsing(_ loc: [Location], input: JSONValue) -> Self {
        .init(
            type: "bool_parsing", loc: loc, msg: "Input should be a valid boolean, unable to interpret input",
            input: input
        )
    }

    static func boolType(_ loc: [Location], input: JSONValue) -> Self {
        .init(type: "bool_type", loc: loc, msg: "Input should be a valid boolean", input: input)
    }

    static func listType(_ loc: [Location], input: JSONValue) -> Self {
        .init(type: "list_type", loc: loc, msg: "Input should be a valid list", input: input)
    }

    static func dictType(_ loc: [Location], input: JSONValue) -> Self {
        .init(type: "dict_type", loc: loc, msg: "Input should be a valid dictionary", input: input)
    }

    static func modelAttributesType(_ loc: [Location], input: JSONValue) -> Self {
        .init(
            type: "model_attributes_type", loc: loc,
            msg: "Input should be a valid dictionary or object to extract fields from", input: input
        )
    }

    static func jsonInvalid(position: Int, reason: String) -> Self {
        .init(
            type: "json_invalid", loc: ["body", .index(position)], msg: "JSON decode error", input: .object([:]),
            ctx: ["error": .string(reason)]
        )
    }

    static func greaterThanEqual(_ loc: [Location], input: JSONValue, bound: Int) -> Self {
        .init(
            type: "greater_than_equal", loc: loc, msg: "Input should be greater than or equal to \(bound)",
            input: input, ctx: ["ge": .int(bound)]
        )
    }

    static func lessThanEqual(_ loc: [Location], input: JSONValue, bound: Int) -> Self {
        .init(
            type: "less_than_equal", loc: loc, msg: "Input should be less than or equal to \(bound)",
            input: input, ctx: ["le": .int(bound)]
        )
    }

    /// A value that is well-formed but wrong: an unknown reference, a repeat, a bad email.
    static func valueError(_ loc: [Location], message: String, input: JSONValue) -> Self {
        .init(type: "value_error", loc: loc, msg: message, input: input)
    }
}

/// Explains why a string is not a UUID, in the words of the `uuid` crate pydantic uses.
enum UUIDSyntax {
    static func problem(_ text: String) -> String? {
        if UUID(uuidString: text) != nil { return nil }
        var body = Substring(text)
        if body.lowercased().hasPrefix("urn:uuid:") { body = body.dropFirst(9) }
        for (offset, character) in body.enumerated() where !(character.isHexDigit || character == "-") {
            return "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `\(character)` at \(offset + 1)"
        }
        let groups = body.split(separator: "-", omittingEmptySubsequences: false)
        if groups.count == 1 {
            return "invalid length: expected length 32 for simple format, found \(body.count)"
        }
        guard groups.count == 5 else { return "invalid group count: expected 5, found \(groups.count)" }
        let expected = [8, 4, 4, 4, 12]
        for (index, group) in groups.enumerated() where group.count != expected[index] {
            return "invalid group length in group \(index): expected \(expected[index]), found \(group.count)"
        }
        return "invalid format"
    }
}
