import Foundation

/// A JSON document with object keys kept in order, so responses read like the
/// API documents and validation errors can echo back exactly what a client sent.
public enum JSONValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByDictionaryLiteral,
    ExpressibleByArrayLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral
{
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(literal: elements))
    }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }

    public var isNull: Bool { if case .null = self { return true } else { return false } }
}

/// An ordered JSON object whose keys are unique: setting a key that is there
/// replaces its value in place (the first position, the last value, as
/// Python's `dict` does with a repeated key in a document).
///
/// Small objects (responses, most bodies) are searched linearly, which beats
/// hashing at their size; past `indexedFrom` members an index of positions
/// keeps every lookup and insertion constant time, so building or reading an
/// object of n members is O(n), never O(n²).
public struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// Members in order. Setting it replaces the whole object (a repeated key
    /// keeps its first position and its last value).
    public var members: [(key: String, value: JSONValue)] {
        get { storage }
        set { self = JSONObject(newValue) }
    }

    private var storage: [(key: String, value: JSONValue)] = []
    /// Position of each key in `storage`, kept once there are more than `indexedFrom` members.
    private var positions: [String: Int]?
    /// Up to this many members a linear search is faster than hashing.
    public static let indexedFrom = 16

    public init(_ members: [(key: String, value: JSONValue)] = []) {
        storage.reserveCapacity(members.count)
        for member in members { self[member.key] = member.value }
    }

    /// Literals are written in code, where a key is never repeated (checked
    /// in debug builds), so they skip the search for repeats: responses are
    /// built from thousands of them.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(literal: elements)
    }

    init(literal elements: [(String, JSONValue)]) {
        storage = elements.map { (key: $0.0, value: $0.1) }
        assert(Set(storage.map(\.key)).count == storage.count, "a key repeated in a JSON object literal")
        reindex()
    }

    public var count: Int { storage.count }

    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { storage[$0].value } }
        set {
            switch (position(of: key), newValue) {
            case (let index?, let newValue?):
                storage[index].value = newValue
            case (let index?, nil):
                storage.remove(at: index)
                reindex()
            case (nil, let newValue?):
                storage.append((key: key, value: newValue))
                if positions != nil {
                    positions![key] = storage.count - 1
                } else if storage.count > Self.indexedFrom {
                    reindex()
                }
            case (nil, nil):
                break
            }
        }
    }

    public var keys: [String] { storage.map(\.key) }

    private func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        return storage.firstIndex { $0.key == key }
    }

    private mutating func reindex() {
        guard storage.count > Self.indexedFrom else {
            positions = nil
            return
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(storage.count)
        for (offset, member) in storage.enumerated() { index[member.key] = offset }
        positions = index
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.storage.count == rhs.storage.count
            && zip(lhs.storage, rhs.storage).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

// MARK: Building responses

/// A type that renders itself as JSON for an API response.
public protocol JSONRepresentable: Sendable {
    var json: JSONValue { get }
}

extension JSONValue: JSONRepresentable {
    public var json: JSONValue { self }
}

extension JSONValue {
    public static func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    public static func uuid(_ value: UUID?) -> JSONValue { value.map { .string($0.lowercasedString) } ?? .null }
    public static func date(_ value: Date?) -> JSONValue { value.map { .string(RFC3339.format($0)) } ?? .null }
    public static func int(_ value: Int?) -> JSONValue { value.map(JSONValue.int) ?? .null }
    public static func list(_ items: [some JSONRepresentable]) -> JSONValue { .array(items.map { $0.json }) }
    public static func optional(_ item: (some JSONRepresentable)?) -> JSONValue { item?.json ?? .null }
}

/// RFC 3339 UTC timestamps with milliseconds and `Z`, as the API documents show them.
public enum RFC3339 {
    /// Integer arithmetic (days to civil date, after H. Hinnant): responses
    /// format dozens of timestamps, and Calendar is slow at it.
    public static func format(_ date: Date) -> String {
        // Microseconds first (Postgres's precision), so .374 stored as .37399... stays .374.
        let microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let milliseconds = microseconds >= 0 ? microseconds / 1000 : (microseconds - 999) / 1000
        let msPerDay: Int64 = 86_400_000
        let days = milliseconds >= 0 ? milliseconds / msPerDay : (milliseconds - msPerDay + 1) / msPerDay
        var rest = milliseconds - days * msPerDay
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let hour = rest / 3_600_000
        rest -= hour * 3_600_000
        let minute = rest / 60_000
        rest -= minute * 60_000
        let second = rest / 1000
        let millisecond = rest - second * 1000

        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        func digits(_ value: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            var value = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                value %= divisor
                divisor /= 10
            }
        }
        digits(year, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(month, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(day, 2)
        bytes.append(UInt8(ascii: "T"))
        digits(hour, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(minute, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(second, 2)
        bytes.append(UInt8(ascii: "."))
        digits(millisecond, 3)
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension UUID {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The canonical lowercase form, without going through `uuidString`'s
    /// printf (responses render hundreds of ids).
    public var lowercasedString: String {
        withUnsafeBytes(of: uuid) { bytes in
            var text: [UInt8] = []
            text.reserveCapacity(36)
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
                text.append(Self.hexDigits[Int(byte >> 4)])
                text.append(Self.hexDigits[Int(byte & 0x0F)])
            }
            return String(decoding: text, as: UTF8.self)
        }
    }
}
