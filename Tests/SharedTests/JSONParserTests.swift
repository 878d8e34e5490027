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
        // A lone high surrogate costs only itself: the escape after it stands.
        #expect(try parse(#""\ud800\u0041""#) == .string("\u{FFFD}A"))
        #expect(try parse(#""\ud800\ud83d\ude00""#) == .string("\u{FFFD}😀"))
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

    @Test func aRepeatedKeyKeepsItsFirstPlaceAndTheLastValue() throws {
        let value = try parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(value.keysInOrder == ["a", "b"])
        #expect(JSONWriter.string(value) == #"{"a":3,"b":2}"#)
        // The same past the size where objects keep an index of their keys.
        let many = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let large = try parse("{" + many + #","k3":"again","k39":null}"#)
        guard case .object(let object) = large else { Issue.record("not an object"); return }
        #expect(object.count == 40 && object["k3"] == "again" && object["k39"] == .null && object["k0"] == 0)
        #expect(object.keys == (0..<40).map { "k\($0)" })
    }

    @Test func largeObjectsLookUpReplaceAndRemoveLikeSmallOnes() {
        for size in [3, JSONObject.indexedFrom, JSONObject.indexedFrom + 1, 100] {
            var object = JSONObject((0..<size).map { (key: "k\($0)", value: .int($0)) })
            object["k1"] = "one"
            object["k0"] = nil
            object["new"] = true
            object["missing"] = nil
            #expect(object.keys == (1..<size).map { "k\($0)" } + ["new"], "\(size)")
            #expect(object["k1"] == "one" && object["k0"] == nil && object["new"] == true && object["k\(size - 1)"] != nil)
            object.members += [(key: "k1", value: "replaced"), (key: "tail", value: 1)]
            #expect(object["k1"] == "replaced" && object.keys.last == "tail" && object.keys.filter { $0 == "k1" }.count == 1)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func anObjectOfManyKeysParsesInLinearTime() throws {
        // Quadratic lookups made this take hours: 200,000 keys, then once more as repeats
        // (about a second alone, 30 s with the whole suite on two cores).
        let keys = (0..<200_000).map { "\"\($0)\":0" }
        let value = try parse("{" + (keys + keys).joined(separator: ",") + "}")
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object.count == 200_000 && object["199999"] == 0)
    }

    @Test func requestBodyLimitsCapMembersValuesAndDepth() {
        let limits = JSONParser.Limits(maxDepth: 3, maxObjectMembers: 2, maxValues: 5)
        func failure(_ text: String) -> JSONParser.SyntaxError? {
            do {
                _ = try JSONParser.parse(Array(text.utf8), limits: limits)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure(#"{"a":1,"b":2}"#) == nil)
        #expect(failure(#"{"a":1,"b":2,"a":3}"#) == nil)
        #expect(failure(#"{"a":1,"b":2,"c":3}"#) == .init(position: 13, reason: "Too many members in an object"))
        #expect(failure("[1,2,3,4]") == nil)
        #expect(failure("[1,2,3,4,5]") == .init(position: 9, reason: "Too many values"))
        #expect(failure("[[[[]]]]")?.reason == "Maximum nesting depth exceeded")
        #expect(failure("[[[]]]") == nil)
        #expect(JSONParser.Limits.requestBody.maxDepth == JSONParser.maxDepth)
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
