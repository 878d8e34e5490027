/// A strict JSON parser (RFC 8259) that reports the byte offset of the first
/// error, keeps object key order, tells integers from floats and refuses
/// documents nested deeper than `maxDepth` instead of exhausting the stack.
///
/// Hand-written rather than Foundation's `JSONSerialization` or `JSONDecoder`:
/// FastAPI's 422 `json_invalid` names the byte offset and Python's reason
/// ("Expecting ',' delimiter"), and responses and validation echoes keep the
/// client's key order; neither library gives offsets, Python's wording or
/// order. Parsing is linear in the input: every step consumes a byte or ends,
/// a repeated key replaces in place (Python's last-wins), and `Limits` bound
/// depth, members and values for input from clients.
public struct JSONParser {
    public struct SyntaxError: Error, Sendable, Equatable {
        /// Offset in bytes where parsing failed.
        public var position: Int
        /// Python's `json` module wording, which pydantic reports in `ctx.error`.
        public var reason: String

        public init(position: Int, reason: String) {
            self.position = position
            self.reason = reason
        }
    }

    /// What one document may hold. Nesting is always bounded (recursion uses
    /// the stack); counts are bounded for input from clients.
    public struct Limits: Sendable {
        /// Arrays and objects inside one another, at most.
        public var maxDepth: Int
        /// Members of one object, at most.
        public var maxObjectMembers: Int
        /// Values in the whole document (every scalar, array and object), at most.
        public var maxValues: Int

        public init(maxDepth: Int = JSONParser.maxDepth, maxObjectMembers: Int = .max, maxValues: Int = .max) {
            self.maxDepth = maxDepth
            self.maxObjectMembers = maxObjectMembers
            self.maxValues = maxValues
        }

        /// A request body: nothing the API takes comes near these, and a 422
        /// echoing a few hundred thousand bad items would be an attack of its own.
        public static let requestBody = Limits(maxObjectMembers: 1_000, maxValues: 100_000)
    }

    public static let maxDepth = 64

    private let bytes: [UInt8]
    private let limits: Limits
    private var index = 0
    private var values = 0

    public static func parse(_ bytes: [UInt8], limits: Limits = Limits()) throws(SyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, limits: limits)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("Extra data") }
        return value
    }

    private init(bytes: [UInt8], limits: Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    private func error(_ reason: String) -> SyntaxError { SyntaxError(position: index, reason: reason) }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func parseValue(depth: Int) throws(SyntaxError) -> JSONValue {
        guard depth < limits.maxDepth else { throw error("Maximum nesting depth exceeded") }
        guard let byte = current else { throw error("Expecting value") }
        guard values < limits.maxValues else { throw error("Too many values") }
        values += 1
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("Expecting value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(SyntaxError) {
        let start = index
        for expected in UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount) {
            guard current == expected else {
                index = start
                throw error("Expecting value")
            }
            index += 1
        }
    }

    private mutating func parseObject(depth: Int) throws(SyntaxError) -> JSONValue {
        index += 1
        var object = JSONObject()
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else {
                throw error("Expecting property name enclosed in double quotes")
            }
            let keyStart = index
            let key = try parseString()
            if object.count >= limits.maxObjectMembers, object[key] == nil {
                index = keyStart
                throw error("Too many members in an object")
            }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("Expecting ':' delimiter") }
            index += 1
            skipWhitespace()
            // Like Python's json module, a repeated key keeps the last value (in the first one's place).
            object[key] = try parseValue(depth: depth + 1)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(object)
            default: throw error("Expecting ',' delimiter")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(SyntaxError) -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(items)
            default: throw error("Expecting ',' delimiter")
            }
        }
    }

    private mutating func parseString() throws(SyntaxError) -> String {
        let start = index
        index += 1
        var scalars: [UInt8] = []
        while true {
            guard let byte = current else {
                index = start
                throw error("Unterminated string starting at")
            }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let string = String(validating: scalars, as: UTF8.self) else {
                    index = start
                    throw error("Invalid UTF-8 in string")
                }
                return string
            case UInt8(ascii: "\\"):
                index += 1
                try parseEscape(into: &scalars)
            case 0x00..<0x20:
                throw error("Invalid control character at")
            default:
                scalars.append(byte)
                index += 1
            }
        }
    }

    private mutating func parseEscape(into output: inout [UInt8]) throws(SyntaxError) {
        guard let byte = current else { throw error("Invalid \\escape") }
        index += 1
        let simple: UInt8? =
            switch byte {
            case UInt8(ascii: "\""): UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): UInt8(ascii: "\\")
            case UInt8(ascii: "/"): UInt8(ascii: "/")
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "t"): 0x09
            default: nil
            }
        if let simple {
            output.append(simple)
            return
        }
        guard byte == UInt8(ascii: "u") else {
            index -= 2
            throw error("Invalid \\escape")
        }
        var scalar = try parseHex4()
        if (0xD800..<0xDC00).contains(scalar) {
            // A high surrogate must be followed by an escaped low surrogate.
            if current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") {
                index += 2
                let low = try parseHex4()
                if (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    // The lone high surrogate is U+FFFD; the escape after it is read on its own.
                    scalar = 0xFFFD
                    index -= 6
                }
            } else {
                scalar = 0xFFFD
            }
        } else if (0xDC00..<0xE000).contains(scalar) {
            scalar = 0xFFFD
        }
        // Surrogates were replaced above, so every value left is a scalar.
        UTF8.encode(Unicode.Scalar(scalar)!) { output.append($0) }
    }

    private mutating func parseHex4() throws(SyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("Invalid \\uXXXX escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("Invalid \\uXXXX escape")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(SyntaxError) -> JSONValue {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            index = start
            throw error("Expecting value")
        }
        if first == UInt8(ascii: "0") {
            index += 1
        } else {
            skipDigits()
        }
        var isInteger = true
        if current == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard skipDigits() > 0 else { throw error("Expecting value") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { throw error("Expecting value") }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let integer = Int(text) { return .int(integer) }
        guard let double = Double(text), double.isFinite else {
            index = start
            throw error("Number out of range")
        }
        return .double(double)
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = index
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
        return index - start
    }
}
