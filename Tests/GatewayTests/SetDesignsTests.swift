import Foundation
import Logging
import PostgresNIO
import Shared
import Testing
import TestSupport

/// set-designs-endpoints.txt, except the upload and task routes.
@Suite("Set designs")
struct SetDesignsTests {
    static let designFields = [
        "id", "created_at", "updated_at", "name", "description", "owner_id", "organization_id", "background_preset_id",
        "base_images", "reference_images", "subject_portraits",
    ]
    static let baseImageFields = ["id", "created_at", "updated_at", "subject_id", "shot_type_id", "image_url", "image_media"]
    static let referenceFields = ["id", "created_at", "updated_at", "shot_type_id", "label", "image_url", "image_media"]
    static let portraitFields = ["id", "created_at", "updated_at", "subject_id", "image_media"]

    /// A user with two subjects, three shot types and an uploaded image.
    struct World: Sendable {
        var user: TestUser
        var subjects: [UUID]
        var shotTypes: [UUID]
        var mediaID: UUID
    }

    private func world(_ api: GatewayClient) async throws -> World {
        let user = try await api.createUser()
        let subjects = [try await api.createSubject("Anna", by: user), try await api.createSubject("Ben", by: user)]
        var shotTypes: [UUID] = []
        for (name, angle) in [("Front", "front"), ("Back", "back"), ("Side", "side")] {
            shotTypes.append(try await api.createShotType(name, viewAngle: angle, by: user))
        }
        let image = try Fixtures.imageBytes("baseline_64x48.jpg")
        let media = try await api.upload("/api/v1/media/", token: user.token, form: .file(image))
        return World(user: user, subjects: subjects, shotTypes: shotTypes, mediaID: try #require(media.json["id"].uuid))
    }

    private func fullBody(_ world: World) -> JSONValue {
        [
            "name": "Summer campaign", "description": "white studio",
            "base_images": [
                ["subject_id": .uuid(world.subjects[0]), "shot_type_id": .uuid(world.shotTypes[0]), "image": "https://img.example.com/a.jpg"],
                ["subject_id": .uuid(world.subjects[0]), "shot_type_id": .uuid(world.shotTypes[1]), "image": ["media_resource_id": .uuid(world.mediaID)]],
                ["subject_id": .uuid(world.subjects[1]), "shot_type_id": .uuid(world.shotTypes[0]), "image": ["url": "https://img.example.com/b.jpg"]],
                ["subject_id": .uuid(world.subjects[1]), "shot_type_id": .uuid(world.shotTypes[1]), "image": .null],
            ],
            "reference_images": [["shot_type_id": .uuid(world.shotTypes[2]), "label": "mood", "image": "https://img.example.com/r.jpg"]],
            "subject_portraits": [["subject_id": .uuid(world.subjects[0]), "image": ["media_resource_id": .uuid(world.mediaID)]]],
        ]
    }

    /// The JSON text with signed URLs' expiry and signature removed (they move with the clock).
    static func unsigned(_ value: JSONValue) -> String {
        JSONWriter.string(value).replacing(/\?expires=\d+&signature=[A-Za-z0-9_-]+/, with: "")
    }

    // MARK: Tests

    @Test func aCreatedDesignHasTheDocumentedShapeWithNestedImages() async throws {
        try await TestGateway.run { api in
            let world = try await world(api)
            let response = try await api.post("/api/v1/set-designs/", token: world.user.token, json: fullBody(world))
            #expect(response.status == .ok, "\(response.text)")
            let design = response.json
            #expect(design.keys == Self.designFields)
            #expect(design["owner_id"].uuid == world.user.id)
            let bases = try #require(design["base_images"].array)
            #expect(bases.count == 4)
            #expect(bases.allSatisfy { $0.keys == Self.baseImageFields })
            #expect(bases[0]["image_url"] == "https://img.example.com/a.jpg" && bases[0]["image_media"] == .null)
            #expect(bases[1]["image_media"].keys == ResponseFields.mediaResourcePublic)
            #expect(bases[1]["image_url"] == bases[1]["image_media"]["url"])
            #expect(bases[2]["image_url"] == "https://img.example.com/b.jpg")
            #expect(bases[3]["image_url"] == .null && bases[3]["image_media"] == .null)
            #expect(design["reference_images"][0].keys == Self.referenceFields)
            #expect(design["reference_images"][0]["label"] == "mood")
            #expect(design["subject_portraits"][0].keys == Self.portraitFields)
            #expect(design["subject_portraits"][0]["image_media"]["id"].uuid == world.mediaID)

            // The linked media's signed URL works in an <img> tag: no token needed.
            let url = try #require(bases[1]["image_media"]["url"].string)
            let content = try await api.get(String(url[url.range(of: "/api/")!.lowerBound...]), token: nil)
            #expect(content.status == .ok)

            let read = try await api.get("/api/v1/set-designs/\(design["id"].uuid!)", token: world.user.token)
            #expect(read.json["base_images"].array?.count == 4)
            #expect(read.json["name"] == "Summer campaign")
        }
    }

    @Test func aRepeatedSlotOrPortraitIs422AtTheRepeat() async throws {
        try await TestGateway.run { api in
            let world = try await world(api)
            let slot: JSONValue = ["subject_id": .uuid(world.subjects[0]), "shot_type_id": .uuid(world.shotTypes[0])]
            let portrait: JSONValue = ["subject_id": .uuid(world.subjects[1])]
            let response = try await api.post(
                "/api/v1/set-designs/", token: world.user.token,
                json: ["name": "x", "base_images": [slot, slot], "subject_portraits": [portrait, portrait]]
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.json["detail"][0]["loc"] == ["body", "base_images", 1])
            #expect(response.json["detail"][1]["loc"] == ["body", "subject_portraits", 1, "subject_id"])
        }
    }

    @Test func unresolvedReferencesAre422AtTheirFieldsAndLeaveNothingBehind() async throws {
        try await TestGateway.run { api in
            let world = try await world(api)
            let stranger = try await api.createUser()
            let foreignSubject = try await api.createSubject("Other", by: stranger)
            var body = fullBody(world)
            guard case .object(var object) = body else { return }
            object["background_preset_id"] = .uuid(UUID())
            object["base_images"] = [
                ["subject_id": .uuid(world.subjects[0]), "shot_type_id": .uuid(world.shotTypes[0])],
                ["subject_id": .uuid(foreignSubject), "shot_type_id": .uuid(UUID()), "image": ["media_resource_id": .uuid(UUID())]],
            ]
            body = .object(object)
            let response = try await api.post("/api/v1/set-designs/", token: world.user.token, json: body)
            #expect(response.status == .unprocessableContent)
            let locs = response.json["detail"].array?.map { $0["loc"] } ?? []
            #expect(locs == [
                ["body", "background_preset_id"], ["body", "base_images", 1, "subject_id"],
                ["body", "base_images", 1, "shot_type_id"], ["body", "base_images", 1, "image", "media_resource_id"],
            ])
            #expect(response.json.issueTypes.allSatisfy { $0 == "value_error" })
            let designs = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("SELECT (SELECT count(*) FROM set_designs) + (SELECT count(*) FROM set_base_images)").one(Int.self)
            }
            #expect(designs == 0)
        }
    }

    @Test func anUpdateReplacesOnlyTheListsGivenAndMovesUpdatedAt() async throws {
        try await TestGateway.run { api in
            let world = try await world(api)
            let created = try await api.post("/api/v1/set-designs/", token: world.user.token, json: fullBody(world)).json
            let id = try #require(created["id"].uuid)
            let replaced = try await api.put(
                "/api/v1/set-designs/\(id)", token: world.user.token,
                json: [
                    "name": .null,
                    "base_images": [["subject_id": .uuid(world.subjects[1]), "shot_type_id": .uuid(world.shotTypes[2])]],
                    "reference_images": .null,
                ]
            ).json
            #expect(replaced["name"] == created["name"])
            #expect(replaced["base_images"].array?.count == 1)
            #expect(replaced["base_images"][0]["shot_type_id"].uuid == world.shotTypes[2])
            #expect(Self.unsigned(replaced["reference_images"]) == Self.unsigned(created["reference_images"]))
            #expect(Self.unsigned(replaced["subject_portraits"]) == Self.unsigned(created["subject_portraits"]))
            #expect(replaced["updated_at"] != created["updated_at"])
            let cleared = try await api.put("/api/v1/set-designs/\(id)", token: world.user.token, json: ["subject_portraits": []]).json
            #expect(cleared["subject_portraits"] == [])
        }
    }

    @Test func aBadReferenceInTheLastItemOfAnUpdateChangesNothing() async throws {
        try await TestGateway.run { api in
            let world = try await world(api)
            let created = try await api.post("/api/v1/set-designs/", token: world.user.token, json: fullBody(world)).json
            let id = try #require(created["id"].uuid)
            let response = try await api.put(
                "/api/v1/set-designs/\(id)", token: world.user.token,
                json: [
                    "name": "Renamed",
                    "base_images": [
                        ["subject_id": .uuid(world.subjects[0]), "shot_type_id": .uuid(world.shotTypes[0])],
                        ["subject_id": .uuid(world.subjects[0]), "shot_type_id": .uuid(UUID())],
                    ],
                ]
            )
            #expect(response.status == .unprocessableContent)
            let after = try await api.get("/api/v1/set-designs/\(id)", token: world.user.token).json
            #expect(Self.unsigned(after) == Self.unsigned(created))
        }
    }

    @Test func listsPageNewestFirstWithTheirImagesAndTheTotalCount() async throws {
        try await TestGateway.run { api in
            let world = try await world(api)
            for index in 0..<5 {
                guard case .object(var body) = fullBody(world) else { return }
                body["name"] = .string("design \(index)")
                _ = try await api.post("/api/v1/set-designs/", token: world.user.token, json: .object(body))
            }
            let page = try await api.get("/api/v1/set-designs/?skip=1&limit=3", token: world.user.token)
            #expect(page.json.keys == ["data", "count"])
            #expect(page.json["count"] == 5)
            #expect(page.json["data"].array?.map { $0["name"].string } == ["design 3", "design 2", "design 1"])
            #expect(page.json["data"].array?.allSatisfy { $0["base_images"].array?.count == 4 } == true)

        }
    }

    @Test func tenancyHidesOtherUsersDesignsAndChecksTheOrganizationFilter() async throws {
        try await TestGateway.run { api in
            let world = try await world(api)
            let mallory = try await api.createUser()
            let organization = try await api.createOrganization(admin: world.user)
            let id = try #require(
                try await api.post("/api/v1/set-designs/?organization_id=\(organization)", token: world.user.token, json: ["name": "Team"]).json["id"].uuid
            )
            for response in [
                try await api.get("/api/v1/set-designs/\(id)", token: mallory.token),
                try await api.put("/api/v1/set-designs/\(id)", token: mallory.token, json: ["name": "x"]),
                try await api.delete("/api/v1/set-designs/\(id)", token: mallory.token),
                try await api.get("/api/v1/set-designs/\(id)/base-image?subject_id=\(UUID())&shot_type_id=\(UUID())", token: mallory.token),
                try await api.post("/api/v1/set-designs/\(id)/request-completion", token: mallory.token, json: ["subject_ids": [], "shot_type_ids": [.uuid(world.shotTypes[0])]]),
            ] {
                #expect(response.status == .notFound)
                #expect(response.json == ["detail": "Set design not found"])
            }
            #expect(try await api.get("/api/v1/set-designs/?organization_id=\(organization)", token: mallory.token).status == .forbidden)
            #expect(try await api.get("/api/v1/set-designs/?organization_id=\(organization)", token: world.user.token).json["count"] == 1)
        }
    }

    @Test func aTransferNeedsMembershipOfTheTargetOrganization() async throws {
        try await TestGateway.run { api in
            let world = try await world(api)
            let bob = try await api.createUser()
            let mine = try await api.createOrganization("Mine", admin: world.user)
            let theirs = try await api.createOrganization("Theirs", admin: bob)
            let id = try #require(try await api.post("/api/v1/set-designs/", token: world.user.token, json: ["name": "D"]).json["id"].uuid)
            let refused = try await api.put("/api/v1/set-designs/\(id)", token: world.user.token, json: ["organization_id": .uuid(theirs)])
            #expect(refused.status == .forbidden)
            let moved = try await api.put("/api/v1/set-designs/\(id)", token: world.user.token, json: ["organization_id": .uuid(mine)])
            #expect(moved.json["organization_id"].uuid == mine)
            let reowned = try await api.put("/api/v1/set-designs/\(id)", token: world.user.token, json: ["owner_id": .uuid(bob.id)])
            #expect(reowned.status == .forbidden)
        }
    }

    /// A member who made themselves owner of the organization's design would
    /// keep it after leaving the organization: only a superuser changes owners.
    @Test func onlyASuperuserMayChangeADesignsOwner() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            let organization = try await api.createOrganization(admin: alice)
            try await api.addMember(bob, to: organization, by: alice)
            let id = try #require(
                try await api.post("/api/v1/set-designs/?organization_id=\(organization)", token: alice.token, json: ["name": "Team"]).json["id"].uuid
            )
            let taken = try await api.put("/api/v1/set-designs/\(id)", token: bob.token, json: ["owner_id": .uuid(bob.id), "name": "Bob's"])
            #expect(taken.status == .forbidden)
            #expect(taken.json["detail"].string != nil)
            // An id that names nobody is refused the same way, not looked up for a non-superuser.
            #expect(try await api.put("/api/v1/set-designs/\(id)", token: bob.token, json: ["owner_id": .uuid(UUID())]).status == .forbidden)
            let unchanged = try await api.get("/api/v1/set-designs/\(id)", token: alice.token).json
            #expect(unchanged["owner_id"].uuid == alice.id && unchanged["name"] == "Team")
            // Repeating the current owner is no change.
            let edited = try await api.put("/api/v1/set-designs/\(id)", token: bob.token, json: ["owner_id": .uuid(alice.id), "name": "Edited"])
            #expect(edited.status == .ok)

            let given = try await api.put("/api/v1/set-designs/\(id)", token: try await api.superuserToken(), json: ["owner_id": .uuid(bob.id)])
            #expect(given.json["owner_id"].uuid == bob.id)
            // Owning it grants nothing once bob has left the organization.
            #expect(try await api.delete("/api/v1/organizations/\(organization)/members/\(bob.id)", token: alice.token).status == .ok)
            #expect(try await api.get("/api/v1/set-designs/\(id)", token: bob.token).status == .notFound)
            #expect(try await api.put("/api/v1/set-designs/\(id)", token: bob.token, json: ["name": "x"]).status == .notFound)
            #expect(try await api.get("/api/v1/set-designs/", token: bob.token).json["count"] == 0)
            #expect(try await api.get("/api/v1/set-designs/\(id)", token: alice.token).status == .ok)
        }
    }

    @Test func deletingADesignRemovesItsImagesButKeepsMedia() async throws {
        try await TestGateway.run { api in
            let world = try await world(api)
            let id = try #require(try await api.post("/api/v1/set-designs/", token: world.user.token, json: fullBody(world)).json["id"].uuid)
            let deleted = try await api.delete("/api/v1/set-designs/\(id)", token: world.user.token)
            #expect(deleted.json == ["message": "Set design deleted successfully"])
            #expect(try await api.get("/api/v1/set-designs/\(id)", token: world.user.token).status == .notFound)
            let left = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query(
                    "SELECT (SELECT count(*) FROM set_base_images) + (SELECT count(*) FROM set_reference_images) + (SELECT count(*) FROM subject_portraits)"
                ).one(Int.self)
            }
            #expect(left == 0)
            #expect(try await api.get("/api/v1/media/\(world.mediaID)", token: world.user.token).status == .ok)
        }
    }

    @Test func theBaseImageLookupFindsTheSlotOr404s() async throws {
        try await TestGateway.run { api in
            let world = try await world(api)
            let id = try #require(try await api.post("/api/v1/set-designs/", token: world.user.token, json: fullBody(world)).json["id"].uuid)
            let found = try await api.get(
                "/api/v1/set-designs/\(id)/base-image?subject_id=\(world.subjects[0])&shot_type_id=\(world.shotTypes[1])", token: world.user.token
            )
            #expect(found.json.keys == Self.baseImageFields)
            #expect(found.json["image_media"]["id"].uuid == world.mediaID)
            let missing = try await api.get(
                "/api/v1/set-designs/\(id)/base-image?subject_id=\(world.subjects[1])&shot_type_id=\(world.shotTypes[2])", token: world.user.token
            )
            #expect(missing.status == .notFound)
            #expect(missing.json == ["detail": "Base image not found"])
            let noQuery = try await api.get("/api/v1/set-designs/\(id)/base-image", token: world.user.token)
            #expect(noQuery.json.issueTypes == ["missing", "missing"])
            #expect(noQuery.json["detail"][0]["loc"] == ["query", "subject_id"])
        }
    }

    @Test func aCompletionRequestIsStoredAndNotifiedOnTheOperatorsChannel() async throws {
        try await TestGateway.run { api in
            let world = try await world(api)
            let id = try #require(try await api.post("/api/v1/set-designs/", token: world.user.token, json: ["name": "D"]).json["id"].uuid)
            let payload = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.withConnection { connection in
                    try await connection.listen(on: "operators") { notifications in
                        let response = try await api.post(
                            "/api/v1/set-designs/\(id)/request-completion", token: world.user.token,
                            json: ["subject_ids": [.uuid(world.subjects[0])], "shot_type_ids": [.uuid(world.shotTypes[0]), .uuid(world.shotTypes[1])]]
                        )
                        #expect(response.status == .accepted)
                        #expect(response.json.keys == ["message"])
                        for try await notification in notifications { return notification.payload }
                        return ""
                    }
                }
            }
            let json = try JSONParser.parse(Array(payload.utf8))
            #expect(json["set_design_id"].uuid == id)
            #expect(json["subject_count"] == 1 && json["shot_type_count"] == 2)
            let stored = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("SELECT count(*) FROM completion_requests WHERE set_design_id = \(id)").one(Int.self)
            }
            #expect(stored == 1)
        }
    }

    @Test func completionRequestsValidateTheirIds() async throws {
        try await TestGateway.run { api in
            let world = try await world(api)
            let id = try #require(try await api.post("/api/v1/set-designs/", token: world.user.token, json: ["name": "D"]).json["id"].uuid)
            let path = "/api/v1/set-designs/\(id)/request-completion"
            let empty = try await api.post(path, token: world.user.token, json: ["subject_ids": [], "shot_type_ids": []])
            #expect(empty.json["detail"][0]["loc"] == ["body"])
            let unknown = try await api.post(path, token: world.user.token, json: ["subject_ids": [.uuid(UUID())], "shot_type_ids": []])
            #expect(unknown.json["detail"][0]["loc"] == ["body", "subject_ids", 0])
            let missing = try await api.post(path, token: world.user.token, json: [:])
            #expect(missing.json.issueTypes == ["missing", "missing"])
        }
    }
}
