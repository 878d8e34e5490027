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

    @Test func integersAndBooleansFollowPydanticsLaxRules() {
        #expect(read("12") { $0.int() }.0 == 12)
        #expect(read(.double(3.0)) { $0.int() }.0 == 3)
        #expect(read(.double(3.5)) { $0.int() }.1 == ["int_type"])
        #expect(read(.bool(true)) { $0.int() }.1 == ["int_type"])
        #expect(read("yes") { $0.bool() }.0 == true)
        #expect(read(2) { $0.bool() }.1 == ["bool_type"])
    }
}
