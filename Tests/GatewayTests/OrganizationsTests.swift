import Foundation
import Logging
import PostgresNIO
import Shared
import Testing
import TestSupport

@Suite("Organizations, members and tenancy")
struct OrganizationsTests {
    // MARK: Tests

    @Test func theCreatorOfAnOrganizationIsItsAdmin() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let response = try await api.post("/api/v1/organizations/", token: alice.token, json: ["name": "Studio A"])
            #expect(response.status == .ok)
            #expect(response.json.keys == ["id", "name", "created_at", "updated_at"])
            let id = try #require(response.json["id"].uuid)
            let members = try await api.get("/api/v1/organizations/\(id)/members", token: alice.token)
            #expect(members.json["count"] == 1)
            #expect(members.json["data"][0]["user_id"].uuid == alice.id)
            #expect(members.json["data"][0]["role"] == "admin")
        }
    }

    @Test func timestampsAreRFC3339UTCWithMilliseconds() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let response = try await api.post("/api/v1/organizations", token: alice.token, json: ["name": "Studio"])
            let created = try #require(response.json["created_at"].string)
            #expect(created.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil, "\(created)")
        }
    }

    @Test func aUserListsOnlyTheirOrganizationsAndASuperuserAll() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            let aliceOrganization = try await api.createOrganization("A", admin: alice)
            _ = try await api.createOrganization("B", admin: bob)

            let aliceList = try await api.get("/api/v1/organizations/", token: alice.token)
            #expect(aliceList.json["count"] == 1)
            #expect(aliceList.json["data"][0]["id"].uuid == aliceOrganization)

            let all = try await api.get("/api/v1/organizations/", token: try await api.superuserToken())
            #expect(all.json["count"] == 2)
        }
    }

    @Test func anOutsiderCannotSeeAnOrganizationOrItsMembers() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let mallory = try await api.createUser()
            let organization = try await api.createOrganization(admin: alice)
            for path in ["/api/v1/organizations/\(organization)", "/api/v1/organizations/\(organization)/members"] {
                let response = try await api.get(path, token: mallory.token)
                #expect(response.status == .notFound)
                #expect(response.json == ["detail": "Organization not found"])
            }
            let join = try await api.post(
                "/api/v1/organizations/\(organization)/members", token: mallory.token,
                json: ["user_id": .uuid(mallory.id), "role": "admin"]
            )
            #expect(join.status == .notFound)
        }
    }

    @Test func anUnknownOrganizationIsNotFound() async throws {
        try await TestGateway.run { api in
            let response = try await api.get("/api/v1/organizations/\(UUID())", token: try await api.superuserToken())
            #expect(response.status == .notFound)
        }
    }

    @Test func adminsAddAndRemoveMembersButPlainMembersMayNot() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            let carol = try await api.createUser()
            let organization = try await api.createOrganization(admin: alice)
            try await api.addMember(bob, to: organization, by: alice)

            let byMember = try await api.post(
                "/api/v1/organizations/\(organization)/members", token: bob.token, json: ["user_id": .uuid(carol.id)]
            )
            #expect(byMember.status == .forbidden)

            let memberSees = try await api.get("/api/v1/organizations/\(organization)", token: bob.token)
            #expect(memberSees.status == .ok)

            let removed = try await api.delete("/api/v1/organizations/\(organization)/members/\(bob.id)", token: alice.token)
            #expect(removed.status == .ok)
            #expect(removed.json == ["message": "Member removed"])
            let afterRemoval = try await api.get("/api/v1/organizations/\(organization)", token: bob.token)
            #expect(afterRemoval.status == .notFound)

            let again = try await api.delete("/api/v1/organizations/\(organization)/members/\(bob.id)", token: alice.token)
            #expect(again.status == .notFound)
        }
    }

    @Test func theLastAdminCannotBeRemovedButOneOfTwoCan() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            let organization = try await api.createOrganization(admin: alice)
            let members = "/api/v1/organizations/\(organization)/members"

            let byHerself = try await api.delete("\(members)/\(alice.id)", token: alice.token)
            #expect(byHerself.status == .conflict)
            #expect(byHerself.json["detail"].string != nil)
            #expect(try await api.delete("\(members)/\(alice.id)", token: try await api.superuserToken()).status == .conflict)

            try await api.addMember(bob, to: organization, by: alice, role: "admin")
            #expect(try await api.delete("\(members)/\(alice.id)", token: alice.token).status == .ok)
            #expect(try await api.delete("\(members)/\(bob.id)", token: bob.token).status == .conflict)
            let left = try await api.get(members, token: bob.token)
            #expect(left.json["data"].array?.map { $0["user_id"].uuid } == [bob.id])
        }
    }

    /// Two removals of the last two admins at once: the admins' rows are
    /// locked, so the second waits for the first, then finds the last admin.
    @Test func twoConcurrentRemovalsOfTheLastTwoAdminsLeaveOne() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            let organization = try await api.createOrganization(admin: alice)
            try await api.addMember(bob, to: organization, by: alice, role: "admin")
            let root = try await api.superuserToken()
            let logger = Logger(label: "blocker")
            let statuses = try await TestDatabase.withClient(api.databaseURL) { client in
                @Sendable func waiting() async throws -> Int {
                    try await client.query(
                        """
                        SELECT count(*) FROM pg_stat_activity
                        WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%FROM memberships%'
                        """
                    ).one(Int.self)
                }
                return try await client.withConnection { blocker in
                    // Both removals queue behind this lock on the admins' rows, then race for them.
                    try await blocker.query("BEGIN", logger: logger)
                    try await blocker.query("SELECT FROM memberships WHERE organization_id = \(organization) FOR UPDATE", logger: logger)
                    async let first = api.withOwnConnection { api in
                        try await api.delete("/api/v1/organizations/\(organization)/members/\(alice.id)", token: root)
                    }
                    async let second = api.withOwnConnection { api in
                        try await api.delete("/api/v1/organizations/\(organization)/members/\(bob.id)", token: root)
                    }
                    #expect(try await eventually(within: .seconds(60)) { try await waiting() == 2 })
                    try await blocker.query("COMMIT", logger: logger)
                    return [try await first.status.code, try await second.status.code].sorted()
                }
            }
            #expect(statuses == [200, 409])
            let admins = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query(
                    "SELECT count(*) FROM memberships WHERE organization_id = \(organization) AND role = 'admin'"
                ).one(Int.self)
            }
            #expect(admins == 1)
        }
    }

    @Test func aSuperuserManagesMembersOfAnyOrganization() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            let organization = try await api.createOrganization(admin: alice)
            let response = try await api.post(
                "/api/v1/organizations/\(organization)/members", token: try await api.superuserToken(),
                json: ["user_id": .uuid(bob.id), "role": "member"]
            )
            #expect(response.status == .ok)
            #expect(response.json.keys == ["organization_id", "user_id", "email", "role", "created_at"])
        }
    }

    @Test func addingAnUnknownUserIsAValueErrorAtUserId() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let organization = try await api.createOrganization(admin: alice)
            let unknown = UUID()
            let response = try await api.post(
                "/api/v1/organizations/\(organization)/members", token: alice.token, json: ["user_id": .uuid(unknown)]
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.json["detail"][0]["type"] == "value_error")
            #expect(response.json["detail"][0]["loc"] == ["body", "user_id"])
        }
    }

    @Test func addingAMemberTwiceIsAConflict() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            let organization = try await api.createOrganization(admin: alice)
            try await api.addMember(bob, to: organization, by: alice)
            let again = try await api.post(
                "/api/v1/organizations/\(organization)/members", token: alice.token, json: ["user_id": .uuid(bob.id)]
            )
            #expect(again.status == .conflict)
        }
    }

    @Test func aRoleOutsideTheEnumIsAnEnumError() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let organization = try await api.createOrganization(admin: alice)
            let response = try await api.post(
                "/api/v1/organizations/\(organization)/members", token: alice.token,
                json: ["user_id": .uuid(alice.id), "role": "owner"]
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.json["detail"][0]["type"] == "enum")
            #expect(response.json["detail"][0]["msg"] == "Input should be 'admin' or 'member'")
            #expect(response.json["detail"][0]["ctx"] == ["expected": "'admin' or 'member'"])
        }
    }
}
