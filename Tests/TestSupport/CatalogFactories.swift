import Foundation
import Shared

/// Creating catalog rows through the API, for tests of what uses them.
extension GatewayClient {
    public func createShotType(
        _ name: String = "Front full body", viewAngle: String = "front", framing: String = "full_body",
        by user: TestUser, extra: JSONObject = [:], organizationID: UUID? = nil
    ) async throws -> UUID {
        var body: JSONObject = ["name": .string(name), "view_angle": .string(viewAngle), "framing": .string(framing)]
        for member in extra.members { body[member.key] = member.value }
        let path = "/api/v1/shot-types/" + (organizationID.map { "?organization_id=\($0)" } ?? "")
        return try await createdID(try await post(path, token: user.token, json: .object(body)), what: "shot type")
    }

    public func createGuidelines(_ name: String = "Guidelines", by user: TestUser, extra: JSONObject = [:]) async throws -> UUID {
        var body: JSONObject = ["name": .string(name)]
        for member in extra.members { body[member.key] = member.value }
        return try await createdID(try await post("/api/v1/guidelines/", token: user.token, json: .object(body)), what: "guidelines")
    }

    public func createSubject(_ name: String = "Model", by user: TestUser, organizationID: UUID? = nil) async throws -> UUID {
        let body: JSONValue = ["name": .string(name), "organization_id": .uuid(organizationID)]
        return try await createdID(try await post("/api/v1/subjects/", token: user.token, json: body), what: "subject")
    }

    private func createdID(_ response: APIResponse, what: String) async throws -> UUID {
        guard response.status == .ok, let id = response.json["id"].uuid else {
            throw TestFailure("creating \(what) failed: \(response.status) \(response.text)")
        }
        return id
    }
}
