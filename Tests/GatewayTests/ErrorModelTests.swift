import Foundation
import NIOCore
import Shared
import Testing
import TestSupport

@testable import GatewayApp

/// CONTRACT §2: every error is JSON with `detail`; 422s are pydantic-shaped
/// and list every problem; nothing a client sends causes a 500.
@Suite("Error model")
struct ErrorModelTests {
    // MARK: Tests over HTTP

    @Test func malformedJSONIsJsonInvalidAtTheByteOffset() async throws {
        try await TestGateway.run { api in
            let response = try await api.request(
                .post, "/api/v1/organizations/", token: try await api.superuserToken(),
                body: ByteBuffer(string: #"{"name": }"#), headers: [.contentType: "application/json"]
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.json["detail"][0] == [
                "type": "json_invalid", "loc": ["body", 9], "msg": "JSON decode error", "input": [:],
                "ctx": ["error": "Expecting value"],
            ])
        }
    }

    @Test func invalidUTF8InAStringIsJsonInvalid() async throws {
        try await TestGateway.run { api in
            var body = ByteBuffer(string: #"{"name": ""#)
            body.writeBytes([0xFF, 0xFE])
            body.writeString(#""}"#)
            let response = try await api.request(
                .post, "/api/v1/organizations/", token: try await api.superuserToken(), body: body,
                headers: [.contentType: "application/json"]
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.json.issueTypes == ["json_invalid"])
        }
    }

    @Test func deeplyNestedJSONIsRefusedWithoutCrashing() async throws {
        try await TestGateway.run { api in
            let body = String(repeating: "[", count: 100_000)
            let response = try await api.request(
                .post, "/api/v1/organizations/", token: try await api.superuserToken(), body: ByteBuffer(string: body),
                headers: [.contentType: "application/json"]
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.json.issueTypes == ["json_invalid"])
        }
    }

    @Test func aMissingBodyIsMissingAtBody() async throws {
        try await TestGateway.run { api in
            let response = try await api.request(.post, "/api/v1/organizations/", token: try await api.superuserToken())
            #expect(response.status == .unprocessableContent)
            #expect(response.json["detail"][0] == ["type": "missing", "loc": ["body"], "msg": "Field required", "input": .null])
        }
    }

    @Test func aBodyThatIsNotAnObjectIsModelAttributesType() async throws {
        try await TestGateway.run { api in
            let response = try await api.post("/api/v1/organizations/", token: try await api.superuserToken(), json: ["a", 1])
            #expect(response.json["detail"][0]["type"] == "model_attributes_type")
            #expect(response.json["detail"][0]["input"] == ["a", 1])
        }
    }

    @Test func aNonJSONContentTypeIsRejectedAs422() async throws {
        try await TestGateway.run { api in
            let response = try await api.request(
                .post, "/api/v1/organizations/", token: try await api.superuserToken(),
                body: ByteBuffer(string: "name=x"), headers: [.contentType: "text/plain"]
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.json["detail"][0]["type"] == "model_attributes_type")
        }
    }

    @Test func wrongTypesAndLengthsUsePydanticTypesAndMessages() async throws {
        try await TestGateway.run { api in
            let token = try await api.superuserToken()
            let notString = try await api.post("/api/v1/organizations/", token: token, json: ["name": 5])
            #expect(notString.json["detail"][0] == [
                "type": "string_type", "loc": ["body", "name"], "msg": "Input should be a valid string", "input": 5,
            ])
            let empty = try await api.post("/api/v1/organizations/", token: token, json: ["name": ""])
            #expect(empty.json["detail"][0] == [
                "type": "string_too_short", "loc": ["body", "name"], "msg": "String should have at least 1 character",
                "input": "", "ctx": ["min_length": 1],
            ])
            let long = try await api.post(
                "/api/v1/organizations/", token: token, json: ["name": .string(String(repeating: "é", count: 256))]
            )
            #expect(long.json["detail"][0]["type"] == "string_too_long")
            #expect(long.json["detail"][0]["msg"] == "String should have at most 255 characters")
            let missing = try await api.post("/api/v1/organizations/", token: token, json: ["other": 1])
            #expect(missing.json["detail"][0] == [
                "type": "missing", "loc": ["body", "name"], "msg": "Field required", "input": ["other": 1],
            ])
        }
    }

    @Test func badPathUUIDsAreUuidParsingAtThePath() async throws {
        try await TestGateway.run { api in
            let response = try await api.get("/api/v1/organizations/123", token: try await api.superuserToken())
            #expect(response.status == .unprocessableContent)
            #expect(response.json["detail"][0]["type"] == "uuid_parsing")
            #expect(response.json["detail"][0]["loc"] == ["path", "organization_id"])
            #expect(response.json["detail"][0]["input"] == "123")
            #expect(response.json["detail"][0]["ctx"]["error"].string?.hasPrefix("invalid length") == true)
        }
    }

    @Test func pathAndBodyProblemsAreReportedTogether() async throws {
        try await TestGateway.run { api in
            let response = try await api.post(
                "/api/v1/organizations/nope/members", token: try await api.superuserToken(), json: ["role": "boss"]
            )
            #expect(response.json.issueTypes == ["uuid_parsing", "missing", "enum"])
        }
    }

    @Test func pagingParametersAreCheckedAgainstTheirBounds() async throws {
        try await TestGateway.run { api in
            let token = try await api.superuserToken()
            let bad = try await api.get("/api/v1/organizations/?skip=-1&limit=1001", token: token)
            #expect(bad.json.issueTypes == ["greater_than_equal", "less_than_equal"])
            #expect(bad.json["detail"][1]["ctx"] == ["le": 1000])
            let text = try await api.get("/api/v1/organizations/?limit=ten", token: token)
            #expect(text.json["detail"][0] == [
                "type": "int_parsing", "loc": ["query", "limit"],
                "msg": "Input should be a valid integer, unable to parse string as an integer", "input": "ten",
            ])
        }
    }

    @Test func aHugeBodyIs413WithDetail() async throws {
        try await TestGateway.run { api in
            let body = ByteBuffer(repeating: UInt8(ascii: " "), count: RequestInput.maxJSONBodyBytes + 1)
            let response = try await api.request(
                .post, "/api/v1/organizations/", token: try await api.superuserToken(), body: body,
                headers: [.contentType: "application/json"]
            )
            #expect(response.status == .contentTooLarge)
            #expect(response.json["detail"].string != nil)
        }
    }

    @Test func nulInATopLevelStringIsA422AtItsField() async throws {
        try await TestGateway.run { api in
            let response = try await api.post("/api/v1/organizations/", token: try await api.superuserToken(), json: ["name": "a\u{0}b"])
            #expect(response.status == .unprocessableContent)
            #expect(response.json["detail"] == [[
                "type": "value_error", "loc": ["body", "name"], "msg": "Value error, text must not contain NUL characters",
                "input": "a\u{0}b",
            ]])
        }
    }

    @Test func nulAnywhereInANestedMarginsObjectIsA422NotA500() async throws {
        try await TestGateway.run { api in
            let token = try await api.superuserToken()
            let body: JSONValue = [
                "name": "Front", "view_angle": "front", "framing": "full_body",
                "margins": ["top": "\u{0}", "inner": ["list": [1, "x\u{0}"]], "k\u{0}": 1, "fine": "text"],
            ]
            let response = try await api.post("/api/v1/shot-types/", token: token, json: body)
            #expect(response.status == .unprocessableContent, "\(response.text)")
            #expect(response.json.issueTypes == ["value_error", "value_error", "value_error"])
            #expect(response.json["detail"].array?.map { $0["loc"] } == [
                ["body", "margins", "top"], ["body", "margins", "inner", "list", 1], ["body", "margins", "k\u{0}"],
            ])
            // The raw escape in the body's text, as a client sends it, the same.
            let raw = try await api.request(
                .post, "/api/v1/shot-types/", token: token,
                body: ByteBuffer(string: #"{"name": "F", "view_angle": "front", "framing": "full_body", "margins": {"a": {"b": "\u0000"}}}"#),
                headers: [.contentType: "application/json"]
            )
            #expect(raw.status == .unprocessableContent)
            #expect(raw.json["detail"][0]["loc"] == ["body", "margins", "a", "b"])
            let rows = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("SELECT count(*) FROM shot_types").one(Int.self)
            }
            #expect(rows == 0)
        }
    }

    @Test func aRawNULByteInAJSONStringIsJsonInvalid() async throws {
        try await TestGateway.run { api in
            var body = ByteBuffer(string: #"{"name": "a"#)
            body.writeBytes([0])
            body.writeString(#""}"#)
            let response = try await api.request(
                .post, "/api/v1/organizations/", token: try await api.superuserToken(), body: body,
                headers: [.contentType: "application/json"]
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.json["detail"][0]["ctx"] == ["error": "Invalid control character at"])
        }
    }

    @Test func anObjectOfMoreMembersThanTheCapIsJsonInvalid() async throws {
        try await TestGateway.run { api in
            let members = (0...JSONParser.Limits.requestBody.maxObjectMembers).map { "\"k\($0)\": 0" }.joined(separator: ",")
            let response = try await api.request(
                .post, "/api/v1/organizations/", token: try await api.superuserToken(),
                body: ByteBuffer(string: "{\"name\": \"x\", \"margins\": {" + members + "}}"), headers: [.contentType: "application/json"]
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.json.issueTypes == ["json_invalid"])
            #expect(response.json["detail"][0]["ctx"] == ["error": "Too many members in an object"])
        }
    }

    @Test func aBodyOfMoreValuesThanTheCapIsJsonInvalid() async throws {
        try await TestGateway.run { api in
            let values = Array(repeating: "0", count: JSONParser.Limits.requestBody.maxValues).joined(separator: ",")
            let response = try await api.request(
                .post, "/api/v1/organizations/", token: try await api.superuserToken(),
                body: ByteBuffer(string: "[" + values + "]"), headers: [.contentType: "application/json"]
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.json["detail"][0]["ctx"] == ["error": "Too many values"])
        }
    }

    @Test func aJSONBodyOfAHundredThousandKeysIsRefusedAtTheMemberCap() async throws {
        try await TestGateway.run { api in
            // Once minutes of CPU (a linear lookup per key) before a `missing` 422.
            let keys = (0..<100_000).map { "\"\($0)\":0" }.joined(separator: ",")
            let response = try await api.request(
                .post, "/api/v1/organizations/", token: try await api.superuserToken(),
                body: ByteBuffer(string: "{" + keys + "}"), headers: [.contentType: "application/json"]
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.json["detail"][0]["ctx"] == ["error": "Too many members in an object"])
        }
    }

    @Test func aFormOfMoreFieldsThanTheCapIs400() async throws {
        try await TestGateway.run { api in
            let form = Array(repeating: "k", count: RequestInput.maxFormFields + 1).joined(separator: "&")
            let response = try await api.request(
                .post, "/api/v1/login/access-token", body: ByteBuffer(string: form),
                headers: [.contentType: "application/x-www-form-urlencoded"]
            )
            #expect(response.status == .badRequest)
            #expect(response.json == ["detail": "Too many fields. Maximum number of fields is 1000."])
        }
    }

    @Test func anUnknownRouteIsAJSON404() async throws {
        try await TestGateway.run { api in
            let response = try await api.get("/api/v1/no-such-thing", token: nil)
            #expect(response.status == .notFound)
            #expect(response.json == ["detail": "Not Found"])
        }
    }

    @Test func trailingSlashesDoNotMatter() async throws {
        try await TestGateway.run { api in
            let token = try await api.superuserToken()
            #expect(try await api.get("/api/v1/organizations", token: token).status == .ok)
            #expect(try await api.get("/api/v1/organizations/", token: token).status == .ok)
        }
    }

    // MARK: Readers, without HTTP

    /// Reads `value` at `["body", "x"]`; returns what was read and the issues recorded.
    private func read<Result>(_ value: JSONValue, _ body: (ValueReader) -> Result?) -> (Result?, [String]) {
        let issues = IssueCollector()
        let result = body(ValueReader(value: value, loc: ["body", "x"], issues: issues))
        return (result, issues.issues.map(\.type))
    }

    @Test func listsReportEachBadItemAtItsIndex() {
        let issues = IssueCollector()
        _ = ValueReader(value: ["a", 2, "c", .null], loc: ["body", "x"], issues: issues).list { $0.string() }
        #expect(issues.issues.map(\.type) == ["string_type", "string_type"])
        #expect(issues.issues.map(\.loc) == [["body", "x", 1], ["body", "x", 3]])
        #expect(read("nope") { $0.list { $0.string() } }.1 == ["list_type"])
    }

    @Test func uuidsAcceptPydanticsSpellingsAndExplainFailures() {
        let canonical = UUID()
        for spelling in [
            canonical.uuidString, canonical.uuidString.lowercased(),
            canonical.uuidString.replacingOccurrences(of: "-", with: ""), "urn:uuid:" + canonical.uuidString,
        ] {
            let (parsed, issues) = read(.string(spelling)) { $0.uuid() }
            #expect(parsed == canonical && issues.isEmpty, "\(spelling)")
        }
        #expect(read(5) { $0.uuid() }.1 == ["uuid_type"])
        #expect(UUIDSyntax.problem("1234-5678") == "invalid group count: expected 5, found 2")
    }

    @Test func formFieldsDecodePlusAndPercentAndKeepTheFirstOfARepeatedName() throws {
        let fields = try RequestInput.formFields(Array("a=1+2%2B3&b=%zz%4&a=second&c&=empty&d=%C3%A9%FF&&".utf8))
        #expect(fields.keys == ["a", "b", "c", "", "d"])
        #expect(fields["a"] == "1 2+3" && fields["b"] == "%zz%4" && fields["c"] == "" && fields[""] == "empty")
        #expect(fields["d"] == "é\u{FFFD}")
    }

    @Test func nulIsReportedAtEveryStringAndKeyOfABody() {
        let issues = IssueCollector()
        let body: JSONValue = ["a": "\u{0}", "b": ["fine", ["c\u{0}": ["\u{0}"]]], "d": 1]
        RequestInput.reportNUL(in: body, at: ["body"], issues: issues)
        #expect(issues.issues.map(\.loc) == [["body", "a"], ["body", "b", 1, "c\u{0}"], ["body", "b", 1, "c\u{0}", 0]])
        #expect(issues.issues.map(\.type) == ["value_error", "value_error", "value_error"])
    }

    @Test func integersAndBooleansFollowPydanticsLaxRules() {
        #expect(read("12") { $0.int() }.0 == 12)
        #expect(read(.double(3.0)) { $0.int() }.0 == 3)
        #expect(read(.double(3.5)) { $0.int() }.1 == ["int_type"])
        #expect(read(.bool(true)) { $0.int() }.1 == ["int_type"])
        #expect(read("yes") { $0.bool() }.0 == true)
        #expect(read(2) { $0.bool() }.1 == ["bool_type"])
    }
}
