import Foundation
import PostgresNIO
import Shared
import Testing
import TestSupport

@Suite("Shot types")
struct ShotTypesTests {
    // MARK: Tests

    @Test func aCreatedShotTypeHasEveryShotTypePublicField() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let response = try await api.post(
                "/api/v1/shot-types/", token: alice.token,
                json: [
                    "name": "Back close-up", "view_angle": "three_quarter_left", "framing": "close_up",
                    "file_naming_convention": "back_cu", "margins": ["top": 0.1, "nested": ["a": [1, 2]]],
                    "core_focus": true, "prompt": "a prompt", "default_shot_type": "back",
                ]
            )
            #expect(response.status == .ok)
            #expect(response.json.keys == ResponseFields.shotTypePublic)
            #expect(response.json["view_angle"] == "three_quarter_left")
            #expect(response.json["framing"] == "close_up")
            #expect(response.json["margins"] == ["top": .double(0.1), "nested": ["a": [1, 2]]])
            #expect(response.json["owner_id"].uuid == alice.id)
            #expect(response.json["public"] == false)
            #expect(response.json["deleted_at"] == .null)
            #expect(response.json["reference_image"] == .null)
        }
    }

    @Test func requiredFieldsAndEnumsAreValidatedTogether() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let missing = try await api.post("/api/v1/shot-types/", token: alice.token, json: [:])
            #expect(missing.json.issueTypes == ["missing", "missing", "missing"])
            let bad = try await api.post(
                "/api/v1/shot-types/", token: alice.token,
                json: ["name": "x", "view_angle": "sideways", "framing": "full_body", "margins": [1]]
            )
            #expect(bad.json.issueTypes == ["enum", "dict_type"])
            #expect(bad.json["detail"][0]["msg"] == """
                Input should be 'front', 'back', 'side', 'left', 'right', 'three_quarter_left', 'three_quarter_right', 'top', 'bottom' or 'detail'
                """)
        }
    }

    @Test func deletingIsSoftAndHidesTheShotTypeEverywhere() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let id = try await api.createShotType(by: alice)
            let deleted = try await api.delete("/api/v1/shot-types/\(id)", token: alice.token)
            #expect(deleted.json == ["message": "Shot type deleted successfully"])
            #expect(try await api.get("/api/v1/shot-types/\(id)", token: alice.token).status == .notFound)
            #expect(try await api.get("/api/v1/shot-types/", token: alice.token).json["count"] == 0)
            #expect(try await api.put("/api/v1/shot-types/\(id)", token: alice.token, json: ["name": "x"]).status == .notFound)
            let stillStored = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("SELECT deleted_at IS NOT NULL FROM shot_types WHERE id = \(id)").one(Bool.self)
            }
            #expect(stillStored)
        }
    }

    @Test func aPublicShotTypeIsSeenByAllButChangedOnlyByItsOwner() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            let root = try await api.createUser(superuser: true)
            let id = try await api.createShotType(by: root, extra: ["public": true, "owner_id": .uuid(alice.id)])
            #expect(try await api.get("/api/v1/shot-types/\(id)", token: bob.token).status == .ok)
            #expect(try await api.get("/api/v1/shot-types/", token: bob.token).json["count"] == 1)
            let update = try await api.put("/api/v1/shot-types/\(id)", token: bob.token, json: ["name": "Mine now"])
            #expect(update.status == .forbidden)
            #expect(try await api.delete("/api/v1/shot-types/\(id)", token: bob.token).status == .forbidden)
            #expect(try await api.put("/api/v1/shot-types/\(id)", token: alice.token, json: ["name": "Renamed"]).json["name"] == "Renamed")
        }
    }

    /// A public shot type is a candidate in every tenant's matching: making
    /// one (or unmaking it) is for superusers; repeating the current value is no change.
    @Test func onlyASuperuserMayCreateOrSetAPublicShotType() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let root = try await api.createUser(superuser: true)
            let body: JSONObject = ["name": "Front full body", "view_angle": "front", "framing": "full_body"]
            var publicBody = body
            publicBody["public"] = true
            let refused = try await api.post("/api/v1/shot-types/", token: alice.token, json: .object(publicBody))
            #expect(refused.status == .forbidden, "\(refused.text)")
            #expect(refused.json["detail"].string != nil)
            #expect(try await api.get("/api/v1/shot-types/", token: root.token).json["count"] == 0)

            let own = try await api.createShotType(by: alice, extra: ["public": false])
            let publish = try await api.put("/api/v1/shot-types/\(own)", token: alice.token, json: ["public": true, "name": "Everyone's"])
            #expect(publish.status == .forbidden)
            let unchanged = try await api.get("/api/v1/shot-types/\(own)", token: alice.token).json
            #expect(unchanged["public"] == false && unchanged["name"] == "Front full body")
            #expect(try await api.put("/api/v1/shot-types/\(own)", token: alice.token, json: ["public": false]).status == .ok)

            #expect(try await api.put("/api/v1/shot-types/\(own)", token: root.token, json: ["public": true]).json["public"] == true)
            // Now public and still hers: she may change it, but not take it back out of public.
            #expect(try await api.put("/api/v1/shot-types/\(own)", token: alice.token, json: ["public": false]).status == .forbidden)
            #expect(try await api.put("/api/v1/shot-types/\(own)", token: alice.token, json: ["public": true, "name": "Kept"]).status == .ok)
            #expect(try await api.post("/api/v1/shot-types/", token: root.token, json: .object(publicBody)).json["public"] == true)
        }
    }

    /// Deleting a user sets `owner_id` of their shot types to NULL: reading,
    /// listing and trying to change such a row answer as for any other, never 500.
    @Test func aShotTypeWhoseOwnerWasDeletedNeverFailsAVisibilityCheck() async throws {
        try await TestGateway.run { api in
            let carol = try await api.createUser()
            let bob = try await api.createUser()
            let root = try await api.createUser(superuser: true)
            let shared = try await api.createShotType("Shared", by: root, extra: ["public": true, "owner_id": .uuid(carol.id)])
            let personal = try await api.createShotType("Personal", by: carol)
            try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("DELETE FROM users WHERE id = \(carol.id)")
            }
            let read = try await api.get("/api/v1/shot-types/\(shared)", token: bob.token)
            #expect(read.status == .ok)
            #expect(read.json["owner_id"] == .null)
            #expect(try await api.get("/api/v1/shot-types/", token: bob.token).json["count"] == 1)
            #expect(try await api.put("/api/v1/shot-types/\(shared)", token: bob.token, json: ["name": "x"]).status == .forbidden)
            #expect(try await api.delete("/api/v1/shot-types/\(shared)", token: bob.token).status == .forbidden)
            #expect(try await api.put("/api/v1/shot-types/\(personal)", token: bob.token, json: ["name": "x"]).status == .notFound)
            #expect(try await api.get("/api/v1/shot-types/?owner_id=\(carol.id)", token: bob.token).json["count"] == 0)
            let fixed = try await api.put("/api/v1/shot-types/\(shared)", token: root.token, json: ["name": "Kept by the platform"])
            #expect(fixed.status == .ok)
            #expect(fixed.json["owner_id"] == .null)
            #expect(try await api.put("/api/v1/shot-types/\(personal)", token: root.token, json: ["name": "y"]).status == .ok)
        }
    }

    /// jsonb cannot hold U+0000 anywhere: a NUL in `margins`, however deep,
    /// in a value or a key, is a 422 at that place, never a 500.
    @Test func aNulCharacterAnywhereInMarginsIs422() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let body: JSONObject = ["name": "Front", "view_angle": "front", "framing": "full_body"]
            let cases: [(JSONValue, JSONValue)] = [
                (["top": "a\u{0}b"], ["body", "margins", "top"]),
                (["outer": ["list": [1, "x\u{0}"]]], ["body", "margins", "outer", "list", 1]),
                (["k\u{0}ey": 1], ["body", "margins", "k\u{0}ey"]),
            ]
            for (margins, loc) in cases {
                var create = body
                create["margins"] = margins
                let created = try await api.post("/api/v1/shot-types/", token: alice.token, json: .object(create))
                #expect(created.status == .unprocessableContent, "\(created.text)")
                #expect(created.json["detail"][0]["type"] == "value_error")
                #expect(created.json["detail"][0]["loc"] == loc)
            }
            let id = try await api.createShotType(by: alice)
            let updated = try await api.put("/api/v1/shot-types/\(id)", token: alice.token, json: ["margins": ["top": "a\u{0}b"]])
            #expect(updated.status == .unprocessableContent, "\(updated.text)")
            #expect(try await api.get("/api/v1/shot-types/", token: alice.token).json["count"] == 1)
        }
    }

    @Test func aPrivateShotTypeIsInvisibleToOthers() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            let id = try await api.createShotType(by: alice)
            #expect(try await api.get("/api/v1/shot-types/\(id)", token: bob.token).status == .notFound)
            #expect(try await api.put("/api/v1/shot-types/\(id)", token: bob.token, json: ["name": "x"]).status == .notFound)
            #expect(try await api.delete("/api/v1/shot-types/\(id)", token: bob.token).status == .notFound)
            #expect(try await api.get("/api/v1/shot-types/", token: bob.token).json["count"] == 0)
        }
    }

    @Test func anUpdateChangesOnlyTheFieldsGivenAndMovesUpdatedAt() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let id = try await api.createShotType(by: alice, extra: ["prompt": "keep me", "margins": ["a": 1]])
            let before = try await api.get("/api/v1/shot-types/\(id)", token: alice.token).json
            let after = try await api.put(
                "/api/v1/shot-types/\(id)", token: alice.token, json: ["framing": "upper_body", "prompt": .null]
            ).json
            #expect(after["framing"] == "upper_body")
            #expect(after["prompt"] == "keep me")
            #expect(after["margins"] == ["a": 1])
            #expect(after["name"] == before["name"])
            #expect(after["created_at"] == before["created_at"])
            #expect(after["updated_at"] != before["updated_at"])
        }
    }

    @Test func theOrganizationFilterListsOnlyThatOrganizationsShotTypes() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let mallory = try await api.createUser()
            let organization = try await api.createOrganization(admin: alice)
            _ = try await api.createShotType("Personal", by: alice)
            let root = try await api.createUser(superuser: true)
            _ = try await api.createShotType("Public", by: root, extra: ["public": true, "owner_id": .uuid(alice.id)])
            let shared = try await api.createShotType("Shared", by: alice, organizationID: organization)

            let filtered = try await api.get("/api/v1/shot-types/?organization_id=\(organization)", token: alice.token)
            #expect(filtered.json["count"] == 1)
            #expect(filtered.json["data"][0]["id"].uuid == shared)
            #expect(filtered.json["data"][0]["organization_id"].uuid == organization)
            #expect(try await api.get("/api/v1/shot-types/", token: alice.token).json["count"] == 3)

            let outsider = try await api.get("/api/v1/shot-types/?organization_id=\(organization)", token: mallory.token)
            #expect(outsider.status == .forbidden)
            #expect(try await api.get("/api/v1/shot-types/\(shared)", token: mallory.token).status == .notFound)
        }
    }
}
