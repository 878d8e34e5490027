import Foundation
import Shared
import Testing
import TestSupport

@Suite("JSON parser and writer")
struct JSONParserTests {
    private func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    private func failure(_ text: String) -> JSONParser.SyntaxError? {
        do {
            _ = try JSONParser.parse(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    // MARK: Tests

    @Test func objectsKeepTheirKeyOrderThroughARoundTrip() throws {
        let text = #"{"z":1,"a":[true,false,null],"m":{"y":"é\n\"x\"","b":-2.5}}"#
        let value = try parse(text)
        #expect(value.keysInOrder == ["z", "a", "m"])
        #expect(JSONWriter.string(value) == text)
    }

    @Test func integersAndFloatsAreToldApart() throws {
        #expect(try parse("12") == .int(12))
        #expect(try parse("-0") == .int(0))
        #expect(try parse("1.0") == .double(1.0))
        #expect(try parse("1e3") == .double(1000))
        #expect(try parse("99999999999999999999") == .double(1e20))
    }

    @Test func unicodeEscapesIncludingSurrogatePairsDecode() throws {
        #expect(try parse(#""\u00e9\ud83d\ude00""#) == .string("é😀"))
        #expect(try parse(#""\ud83d""#) == .string("\u{FFFD}"))
    }

    @Test func errorsNameTheOffsetAndPythonsReason() {
        #expect(failure("") == .init(position: 0, reason: "Expecting value"))
        #expect(failure(#"{"a" 1}"#) == .init(position: 5, reason: "Expecting ':' delimiter"))
        #expect(failure(#"{"a":1,}"#) == .init(position: 7, reason: "Expecting property name enclosed in double quotes"))
        #expect(failure("[1 2]") == .init(position: 3, reason: "Expecting ',' delimiter"))
        #expect(failure("{} x") == .init(position: 3, reason: "Extra data"))
        #expect(failure("01") == .init(position: 1, reason: "Extra data"))
        #expect(failure("\"abc") == .init(position: 0, reason: "Unterminated string starting at"))
        #expect(failure("nul") == .init(position: 0, reason: "Expecting value"))
        #expect(failure("\"a\u{01}\"")?.reason == "Invalid control character at")
    }

    @Test func nestingDeeperThanTheLimitIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(failure(deep)?.reason == "Maximum nesting depth exceeded")
        let fine = String(repeating: "[", count: JSONParser.maxDepth - 1) + String(repeating: "]", count: JSONParser.maxDepth - 1)
        #expect(failure(fine) == nil)
    }

    @Test func controlCharactersAreEscapedOnOutput() {
        #expect(JSONWriter.string(.string("a\u{01}\tb")) == #""a\u0001\tb""#)
    }
}

extension JSONValue {
    fileprivate var keysInOrder: [String] {
        if case .object(let object) = self { return object.keys }
        return []
    }
}

@Suite("RFC 3339 timestamps")
struct RFC3339Tests {
    @Test func timestampsMatchFoundationsFormatterToTheMillisecond() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SplitMix64(seed: 3339)
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 951_782_400.999), Date(timeIntervalSince1970: 4_107_542_399.5)]
        for _ in 0..<2000 {
            let milliseconds = Int64.random(in: 0...4_102_444_800_000, using: &generator)
            dates.append(Date(timeIntervalSince1970: Double(milliseconds) / 1000))
        }
        for date in dates {
            #expect(RFC3339.format(date) == formatter.string(from: date), "\(date.timeIntervalSince1970)")
        }
    }
}

@Suite("UUID text")
struct UUIDTextTests {
    @Test func theLowercaseFormMatchesFoundations() {
        for _ in 0..<500 {
            let id = UUID()
            #expect(id.lowercasedString == id.uuidString.lowercased())
        }
    }
}
