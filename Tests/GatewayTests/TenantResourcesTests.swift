import Foundation
import Shared
import Testing
import TestSupport

/// The routes every tenant-owned catalog resource shares (CONTRACT §3-4),
/// checked for each of them.
@Suite("Tenant-owned resources")
struct TenantResourcesTests {
    struct Resource: Sendable, CustomTestStringConvertible {
        var path: String
        var body: JSONObject
        var fields: [String]
        var testDescription: String { path }
    }

    static let resources = [
        Resource(
            path: "/api/v1/subjects", body: ["name": "Anna", "description": "model"],
            fields: ["id", "name", "description", "owner_id", "organization_id", "created_at", "updated_at"]
        ),
        Resource(
            path: "/api/v1/background-presets", body: ["name": "White cyclorama"],
            fields: ["id", "name", "description", "public", "owner_id", "organization_id", "created_at", "updated_at"]
        ),
        Resource(
            path: "/api/v1/guidelines", body: ["name": "Brand book"],
            fields: ["id", "name", "description", "owner_id", "organization_id", "created_at", "updated_at"]
        ),
        Resource(
            path: "/api/v1/shot-types", body: ["name": "Front", "view_angle": "front", "framing": "full_body"],
            fields: ResponseFields.shotTypePublic
        ),
    ]

    private func create(_ resource: Resource, _ api: GatewayClient, _ user: TestUser, extra: JSONObject = [:], query: String = "") async throws -> APIResponse {
        var body = resource.body
        for member in extra.members { body[member.key] = member.value }
        return try await api.post(resource.path + "/" + query, token: user.token, json: .object(body))
    }

    // MARK: Tests

    @Test(arguments: resources)
    func theFiveRoutesCreateReadListUpdateAndDelete(_ resource: Resource) async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let created = try await create(resource, api, alice)
            #expect(created.status == .ok)
            #expect(created.json.keys == resource.fields)
            let id = try #require(created.json["id"].uuid)

            let read = try await api.get("\(resource.path)/\(id)", token: alice.token)
            #expect(read.json == created.json)

            let list = try await api.get(resource.path + "/", token: alice.token)
            #expect(list.json.keys == ["data", "count"])
            #expect(list.json["count"] == 1)
            #expect(list.json["data"][0] == created.json)

            let updated = try await api.put("\(resource.path)/\(id)", token: alice.token, json: ["name": "Renamed"])
            #expect(updated.status == .ok)
            #expect(updated.json["name"] == "Renamed")

            let deleted = try await api.delete("\(resource.path)/\(id)", token: alice.token)
            #expect(deleted.status == .ok)
            #expect(deleted.json.keys == ["message"])
            #expect(try await api.get("\(resource.path)/\(id)", token: alice.token).status == .notFound)
        }
    }

    @Test(arguments: resources)
    func anotherTenantsRowIsNotFoundOnEveryRoute(_ resource: Resource) async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let mallory = try await api.createUser()
            let id = try #require(try await create(resource, api, alice).json["id"].uuid)
            #expect(try await api.get("\(resource.path)/\(id)", token: mallory.token).status == .notFound)
            #expect(try await api.put("\(resource.path)/\(id)", token: mallory.token, json: ["name": "x"]).status == .notFound)
            #expect(try await api.delete("\(resource.path)/\(id)", token: mallory.token).status == .notFound)
            #expect(try await api.get(resource.path + "/", token: mallory.token).json["count"] == 0)
            // A superuser sees and changes everyone's rows.
            let root = try await api.superuserToken()
            #expect(try await api.get("\(resource.path)/\(id)", token: root).status == .ok)
        }
    }

    @Test(arguments: resources)
    func organizationMembersShareRowsAndOutsidersGet403ForTheFilter(_ resource: Resource) async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            let mallory = try await api.createUser()
            let organization = try await api.createOrganization(admin: alice)
            try await api.addMember(bob, to: organization, by: alice)

            let created = try await create(resource, api, alice, query: "?organization_id=\(organization)")
            #expect(created.json["organization_id"].uuid == organization)
            let id = try #require(created.json["id"].uuid)
            _ = try await create(resource, api, alice)  // a personal row, outside the organization

            let asMember = try await api.get("\(resource.path)/?organization_id=\(organization)", token: bob.token)
            #expect(asMember.json["count"] == 1)
            #expect(try await api.put("\(resource.path)/\(id)", token: bob.token, json: ["name": "Team edit"]).status == .ok)

            let forbidden = try await api.get("\(resource.path)/?organization_id=\(organization)", token: mallory.token)
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.json["detail"].string != nil)
            let readForbidden = try await api.get("\(resource.path)/\(id)?organization_id=\(organization)", token: mallory.token)
            #expect(readForbidden.status == .forbidden)
        }
    }

    /// Owning a row of an organization grants nothing once the owner has left it.
    @Test(arguments: resources)
    func aMemberRemovedFromTheOrganizationLosesTheRowsTheyOwnThere(_ resource: Resource) async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            let organization = try await api.createOrganization(admin: alice)
            try await api.addMember(bob, to: organization, by: alice)
            let created = try await create(resource, api, bob, query: "?organization_id=\(organization)")
            #expect(created.json["owner_id"].uuid == bob.id)
            let id = try #require(created.json["id"].uuid)
            let personal = try #require(try await create(resource, api, bob).json["id"].uuid)

            let removed = try await api.delete("/api/v1/organizations/\(organization)/members/\(bob.id)", token: alice.token)
            #expect(removed.status == .ok)
            #expect(try await api.get("\(resource.path)/\(id)", token: bob.token).status == .notFound)
            #expect(try await api.put("\(resource.path)/\(id)", token: bob.token, json: ["name": "Still mine"]).status == .notFound)
            #expect(try await api.delete("\(resource.path)/\(id)", token: bob.token).status == .notFound)
            let list = try await api.get(resource.path + "/", token: bob.token)
            #expect(list.json["data"].array?.map { $0["id"].uuid } == [personal])
            // The organization keeps the row.
            #expect(try await api.get("\(resource.path)/\(id)", token: alice.token).status == .ok)
        }
    }

    @Test(arguments: resources.filter { $0.fields.contains("public") })
    func onlyASuperuserMayCreateARowPublicOrSetPublic(_ resource: Resource) async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            let root = try await api.createUser(superuser: true)
            let refused = try await create(resource, api, alice, extra: ["public": true])
            #expect(refused.status == .forbidden, "\(refused.text)")
            #expect(refused.json["detail"].string != nil)
            #expect(try await api.get(resource.path + "/", token: bob.token).json["count"] == 0)

            let id = try #require(try await create(resource, api, alice).json["id"].uuid)
            #expect(try await api.put("\(resource.path)/\(id)", token: alice.token, json: ["public": true]).status == .forbidden)
            #expect(try await api.get("\(resource.path)/\(id)", token: bob.token).status == .notFound)
            #expect(try await api.put("\(resource.path)/\(id)", token: alice.token, json: ["public": false]).status == .ok)

            #expect(try await api.put("\(resource.path)/\(id)", token: root.token, json: ["public": true]).json["public"] == true)
            #expect(try await api.get("\(resource.path)/\(id)", token: bob.token).status == .ok)
            let made = try await create(resource, api, root, extra: ["public": true, "owner_id": .uuid(alice.id)])
            #expect(made.json["public"] == true && made.json["owner_id"].uuid == alice.id)
        }
    }

    @Test(arguments: resources)
    func aRowOutsideTheRequestedOrganizationIsNotFound(_ resource: Resource) async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let organization = try await api.createOrganization(admin: alice)
            let personal = try #require(try await create(resource, api, alice).json["id"].uuid)
            let response = try await api.get("\(resource.path)/\(personal)?organization_id=\(organization)", token: alice.token)
            #expect(response.status == .notFound)
        }
    }

    @Test(arguments: resources)
    func creatingForAnotherOwnerOrAForeignOrganizationIsRefused(_ resource: Resource) async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            let foreign = try await api.createOrganization(admin: bob)
            let own = try await api.createOrganization(admin: alice)
            #expect(try await create(resource, api, alice, extra: ["owner_id": .uuid(bob.id)]).status == .forbidden)
            #expect(try await create(resource, api, alice, extra: ["organization_id": .uuid(foreign)]).status == .forbidden)
            let mismatch = try await create(resource, api, alice, extra: ["organization_id": .uuid(own)], query: "?organization_id=\(foreign)")
            #expect(mismatch.status == .forbidden)

            let superuser = try await api.createUser(superuser: true)
            let onBehalf = try await create(resource, api, superuser, extra: ["owner_id": .uuid(bob.id)])
            #expect(onBehalf.json["owner_id"].uuid == bob.id)
        }
    }

    @Test(arguments: resources)
    func listsPageNewestFirstAndFilterByOwner(_ resource: Resource) async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser(superuser: true)
            var ids: [UUID] = []
            for index in 0..<3 {
                ids.append(try #require(try await create(resource, api, alice, extra: ["name": .string("n\(index)")]).json["id"].uuid))
            }
            _ = try await create(resource, api, bob)
            let page = try await api.get("\(resource.path)/?skip=1&limit=1&owner_id=\(alice.id)", token: bob.token)
            #expect(page.json["count"] == 3)
            #expect(page.json["data"].array?.map { $0["id"].uuid } == [ids[1]])
            let everything = try await api.get("\(resource.path)/", token: bob.token)
            #expect(everything.json["count"] == 4)
        }
    }

    @Test(arguments: resources)
    func badInputOnEveryRouteIs422NeverA500(_ resource: Resource) async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let long = String(repeating: "x", count: 256)
            let checks: [(APIResponse, [String])] = [
                (try await api.get("\(resource.path)/not-a-uuid", token: alice.token), ["uuid_parsing"]),
                (try await api.get("\(resource.path)/?organization_id=zzz&limit=0", token: alice.token), ["uuid_parsing", "greater_than_equal"]),
                (try await api.post(resource.path + "/", token: alice.token, json: ["name": .string(long)]), []),
                (try await api.put("\(resource.path)/\(UUID())", token: alice.token, json: ["name": ""]), ["string_too_short"]),
                (try await api.put("\(resource.path)/\(UUID())", token: alice.token, json: "text"), ["model_attributes_type"]),
                (try await api.delete("\(resource.path)/1", token: alice.token), ["uuid_parsing"]),
            ]
            for (response, types) in checks {
                #expect(response.status == .unprocessableContent, "\(response.text)")
                if !types.isEmpty { #expect(response.json.issueTypes == types) }
            }
        }
    }

    @Test(arguments: resources)
    func textWithANulCharacterIsRefusedBeforeItReachesPostgres(_ resource: Resource) async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let response = try await create(resource, api, alice, extra: ["name": "a\u{0}b"])
            #expect(response.status == .unprocessableContent, "\(response.text)")
            #expect(response.json.issueTypes == ["value_error"])
            #expect(response.json["detail"][0]["loc"] == ["body", "name"])
        }
    }

    @Test(arguments: resources)
    func aSuperuserNamingAnOwnerOrOrganizationThatDoesNotExistGets422(_ resource: Resource) async throws {
        try await TestGateway.run { api in
            let token = try await api.superuserToken()
            let nobody = UUID()
            let byQuery = try await api.post("\(resource.path)/?organization_id=\(nobody)", token: token, json: .object(resource.body))
            #expect(byQuery.status == .unprocessableContent, "\(byQuery.text)")
            #expect(byQuery.json["detail"][0]["loc"] == ["query", "organization_id"])
            var body = resource.body
            body["owner_id"] = .string(nobody.uuidString)
            body["organization_id"] = .string(nobody.uuidString)
            let byBody = try await api.post(resource.path + "/", token: token, json: .object(body))
            #expect(byBody.status == .unprocessableContent, "\(byBody.text)")
            #expect(byBody.json["detail"].array?.map { $0["loc"] } == [["body", "owner_id"], ["body", "organization_id"]])
        }
    }
}
