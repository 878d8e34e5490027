import Foundation
import PostgresNIO
import Shared
import Testing
import TestSupport

@testable import GatewayApp

/// What every resource shares: the request preamble (path, `organization_id`,
/// the route's own inputs, then the organization rule) and reading rows by an
/// explicit select list with typed decoding.
@Suite("Resource pattern")
struct ResourcePatternTests {
    private func locs(_ response: APIResponse) -> [JSONValue] {
        response.json["detail"].array?.map { $0["loc"] } ?? []
    }

    // MARK: Tests

    @Test func issuesOfThePathTheOrganizationAndTheBodyAreReportedTogetherInThatOrder() async throws {
        try await TestGateway.run { api in
            let user = try await api.createUser()
            let response = try await api.put("/api/v1/subjects/nope?organization_id=nope", token: user.token, json: ["name": ""])
            #expect(response.status == .unprocessableContent)
            #expect(locs(response) == [["path", "id"], ["query", "organization_id"], ["body", "name"]])
        }
    }

    @Test func bothPathIdsOfARuleComeBeforeTheOrganization() async throws {
        try await TestGateway.run { api in
            let user = try await api.createUser()
            let response = try await api.delete("/api/v1/guidelines/a/shot-type-rules/b?organization_id=c", token: user.token)
            #expect(response.status == .unprocessableContent)
            #expect(locs(response) == [["path", "guidelines_id"], ["path", "rule_id"], ["query", "organization_id"]])
        }
    }

    /// The rule across a set design's fields is a 422 of the body, checked
    /// before the caller's membership of the organization filter (a 403).
    @Test func aBaseImageListedTwiceIs422EvenWhereTheOrganizationIsForbidden() async throws {
        try await TestGateway.run { api in
            let user = try await api.createUser()
            let (subject, shotType) = (UUID(), UUID())
            let image: JSONValue = ["subject_id": .uuid(subject), "shot_type_id": .uuid(shotType)]
            let body: JSONValue = ["name": "Studio", "base_images": [image, image]]
            let forbidden = "?organization_id=\(UUID())"
            let created = try await api.post("/api/v1/set-designs/" + forbidden, token: user.token, json: body)
            #expect(created.status == .unprocessableContent)
            #expect(locs(created) == [["body", "base_images", 1]])
            let updated = try await api.put("/api/v1/set-designs/\(UUID())" + forbidden, token: user.token, json: body)
            #expect(updated.status == .unprocessableContent)
            #expect(locs(updated) == [["body", "base_images", 1]])
            let valid = try await api.post("/api/v1/set-designs/" + forbidden, token: user.token, json: ["name": "Studio"])
            #expect(valid.status == .forbidden)
        }
    }

    @Test func aReaderReadsExactlyItsSelectListElseTheRowFails() async throws {
        try await TestDatabase.withFresh { url in
            try await TestDatabase.withClient(url) { client in
                func read<Row>(_ reader: RowReader<Row>) async throws -> Row {
                    try await reader.one(try await client.query("SELECT \(unescaped: reader.columns)"))
                }
                let pair = RowReader(columns: "1::int4, 'two'::text") { try $0.decode((Int32, String).self) }
                let both = try await read(pair)
                #expect(both.0 == 1 && both.1 == "two")
                await #expect(throws: RowCells.ColumnCountMismatch.self) {
                    try await read(RowReader(columns: pair.columns) { try $0.next(Int32.self) })
                }
                await #expect(throws: RowCells.ColumnCountMismatch.self) {
                    try await read(RowReader(columns: pair.columns) { try $0.decode((Int32, String, Bool).self) })
                }
                await #expect(throws: PostgresDecodingError.self) {
                    try await read(RowReader(columns: pair.columns) { try $0.decode((Int32, Int32).self) })
                }
            }
        }
    }
}
