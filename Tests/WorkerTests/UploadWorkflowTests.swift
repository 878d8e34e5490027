import Foundation
import Logging
import PostgresNIO
import Shared
import Testing
import TestSupport

/// The upload workflow beyond the original API (CONTRACT §11), through HTTP
/// with real archives and a worker: the match preview, the images kept for
/// their names alone, assign, rematch, and archives naming their subjects.
@Suite("Upload workflow")
struct UploadWorkflowTests {
    typealias Ingestion = UploadIngestionTests

    /// A user with a design and, by name, shot types and subjects.
    struct Shoot: Sendable {
        var user: TestUser
        var design: UUID
        var shotTypes: [String: UUID] = [:]
        var subjects: [String: UUID] = [:]
        var token: String { user.token }
        func path(_ route: String, subject: UUID? = nil) -> String {
            "/api/v1/set-designs/\(design)/base-images/\(route)" + (subject.map { "?subject_id=\($0)" } ?? "")
        }
    }

    static func shoot(_ api: GatewayClient, email: String = "alice@example.com", subjects: [String] = ["Anna"]) async throws -> Shoot {
        let user = try await api.createUser(email)
        let design = try #require(try await api.post("/api/v1/set-designs/", token: user.token, json: ["name": "Spring"]).json["id"].uuid)
        var shoot = Shoot(user: user, design: design)
        shoot.shotTypes["front"] = try await api.createShotType("Front full body", viewAngle: "front", framing: "full_body", by: user)
        shoot.shotTypes["back"] = try await api.createShotType("Back upper body", viewAngle: "back", framing: "upper_body", by: user)
        shoot.shotTypes["side"] = try await api.createShotType("Side close up", viewAngle: "side", framing: "close_up", by: user)
        shoot.shotTypes["left"] = try await api.createShotType("Side close up", viewAngle: "left", framing: "close_up", by: user)
        for name in subjects { shoot.subjects[name] = try await api.createSubject(name, by: user) }
        return shoot
    }

    static func archive(_ files: [(String, String)], tool: ArchiveTool = .infoZip) throws -> [UInt8] {
        var builder = try ArchiveBuilder()
        defer { builder.remove() }
        for (path, image) in files {
            if image.hasSuffix(".txt") { try builder.add(path, Array("notes".utf8)) } else { try builder.add(path, image: image) }
        }
        return try builder.archive(with: tool)
    }

    static func upload(_ archive: [UInt8], to path: String, _ shoot: Shoot, _ api: GatewayClient) async throws -> JSONValue {
        let response = try await api.upload(path, token: shoot.token, form: .file(archive, filename: "shoot.zip"))
        guard response.status == .accepted, let id = response.json["id"].uuid else {
            throw TestFailure("upload refused: \(response.status) \(response.text)")
        }
        return try await Ingestion.waitForEnd(id, token: shoot.token, api)
    }

    static func skippedItems(_ task: JSONValue) -> [String: JSONValue] {
        var items: [String: JSONValue] = [:]
        for item in task["result_data"]["skipped"].array ?? [] { items[item["file"].string ?? ""] = item }
        return items
    }

    // MARK: Nothing thrown away

    @Test func imagesSkippedForTheirNamesAreKeptRetrievableAndAssignable() async throws {
        try await TestGateway.run { api in
            let shoot = try await Self.shoot(api)
            let anna = try #require(shoot.subjects["Anna"])
            let archive = try Self.archive([
                ("a/front_full_body.jpg", "baseline_64x48.jpg"), ("b/front_full_body.png", "rgb_33x17.png"),
                ("landscape.jpg", "progressive_65x33.jpg"), ("sku_side_close_up_2.png", "palette_16x16.png"),
                ("notes.txt", "notes.txt"), ("__MACOSX/._landscape.jpg", "rgba_10x12.png"),
            ])
            let task = try await TestWorker.run(api.config) {
                try await Self.upload(archive, to: shoot.path("upload", subject: anna), shoot, api)
            }
            #expect(task["status"] == "COMPLETED" && task["images_processed"] == 1 && task["images_skipped"] == 5, "\(task)")
            let skipped = Self.skippedItems(task)
            let kept = ["b/front_full_body.png": "duplicate_shot_type", "landscape.jpg": "no_matching_shot_type", "sku_side_close_up_2.png": "ambiguous_shot_type"]
            for (file, reason) in kept {
                #expect(skipped[file]?["reason"].string == reason && skipped[file]?["media_resource_id"].uuid != nil, "\(file)")
            }
            // Only what the names held back is kept.
            #expect(skipped["notes.txt"]?["reason"] == "not_an_image" && skipped["notes.txt"]?["media_resource_id"] == .null)
            #expect(skipped["__MACOSX/._landscape.jpg"]?["reason"] == "ignored" && skipped["__MACOSX/._landscape.jpg"]?["media_resource_id"] == .null)
            // Admins see the leftovers in a view.
            let taskID = try #require(task["id"].uuid)
            let listed = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("SELECT string_agg(file || ' ' || reason, ', ' ORDER BY file) FROM upload_kept_images WHERE task_id = \(taskID)")
                    .one(String.self)
            }
            #expect(listed == "b/front_full_body.png duplicate_shot_type, landscape.jpg no_matching_shot_type, sku_side_close_up_2.png ambiguous_shot_type")
            let candidates = Set(skipped["sku_side_close_up_2.png"]?["candidate_shot_type_ids"].array?.compactMap(\.uuid) ?? [])
            #expect(candidates == Set([shoot.shotTypes["side"], shoot.shotTypes["left"]].compactMap { $0 }))
            #expect(skipped["landscape.jpg"]?["candidate_shot_type_ids"] == .null)

            // Retrievable as media of the design's tenant, bytes and all.
            let landscape = try #require(skipped["landscape.jpg"]?["media_resource_id"].uuid)
            let media = try await api.get("/api/v1/media/\(landscape)", token: shoot.token)
            #expect(media.status == .ok && media.json["width"] == 65 && media.json["height"] == 33)
            let content = try await api.get("/api/v1/media/\(landscape)/content", token: shoot.token)
            let original = try Fixtures.imageBytes("progressive_65x33.jpg")
            #expect(content.status == .ok && Array(content.body.readableBytesView) == original)

            // A person places the leftovers: a free slot, then over the archive's own image.
            let side = try #require(shoot.shotTypes["side"]), front = try #require(shoot.shotTypes["front"])
            let assigned = try await api.post(
                shoot.path("assign"), token: shoot.token,
                json: ["subject_id": .uuid(anna), "shot_type_id": .uuid(side), "media_resource_id": .uuid(landscape)]
            )
            #expect(assigned.status == .ok && assigned.json["replaced"] == false, "\(assigned.text)")
            #expect(assigned.json["shot_type_id"].uuid == side && assigned.json["image_media"]["id"].uuid == landscape)
            #expect(assigned.json["image_url"].string?.contains("/api/v1/media/\(landscape.lowercasedString)/content") == true)
            let duplicate = try #require(skipped["b/front_full_body.png"]?["media_resource_id"].uuid)
            let replacing = try await api.post(
                shoot.path("assign"), token: shoot.token,
                json: ["subject_id": .uuid(anna), "shot_type_id": .uuid(front), "media_resource_id": .uuid(duplicate)]
            )
            #expect(replacing.status == .ok && replacing.json["replaced"] == true)
            let placedFront = try #require(task["result_data"]["matched"][0]["base_image_id"].uuid)
            #expect(replacing.json["id"].uuid == placedFront)  // the same slot, upserted

            let design = try await api.get("/api/v1/set-designs/\(shoot.design)", token: shoot.token).json
            let images = design["base_images"].array ?? []
            #expect(images.count == 2)
            #expect(images.first { $0["shot_type_id"].uuid == front }?["image_media"]["id"].uuid == duplicate)
            #expect(images.first { $0["shot_type_id"].uuid == side }?["image_media"]["id"].uuid == landscape)
        }
    }

    @Test func aRematchAfterAddingAShotTypePlacesTheKeptImageAndLeavesTheArchivesWinners() async throws {
        try await TestGateway.run { api in
            let shoot = try await Self.shoot(api)
            let anna = try #require(shoot.subjects["Anna"])
            let archive = try Self.archive([
                ("a/front_full_body.jpg", "baseline_64x48.jpg"), ("b/front_full_body.png", "rgb_33x17.png"),
                ("hero_shot.jpg", "progressive_65x33.jpg"), ("notes.txt", "notes.txt"),
            ])
            try await TestWorker.run(api.config) {
                let first = try await Self.upload(archive, to: shoot.path("upload", subject: anna), shoot, api)
                let firstID = try #require(first["id"].uuid)
                #expect(Self.skippedItems(first)["hero_shot.jpg"]?["reason"] == "no_matching_shot_type")

                let hero = try await api.createShotType("Hero shot", viewAngle: "top", framing: "detail", by: shoot.user)
                let queued = try await api.post("/api/v1/set-designs/upload-tasks/\(firstID)/rematch", token: shoot.token, json: .null)
                #expect(queued.status == .accepted, "\(queued.text)")
                #expect(queued.json["rematch_of"].uuid == firstID && queued.json["status"] == "PENDING")
                #expect(queued.json["subject_id"].uuid == anna && queued.json["subject_ids"] == [.uuid(anna)])
                let rematch = try await Ingestion.waitForEnd(try #require(queued.json["id"].uuid), token: shoot.token, api)
                #expect(rematch["status"] == "COMPLETED" && rematch["total_items"] == 2, "\(rematch)")
                let matched = rematch["result_data"]["matched"].array ?? []
                #expect(matched.count == 1 && matched.first?["file"] == "hero_shot.jpg" && matched.first?["shot_type_id"].uuid == hero)
                #expect(matched.first?["subject_id"].uuid == anna && matched.first?["replaced"] == false)
                // The archive's own front image stays: the duplicate is still a duplicate, still kept.
                let still = Self.skippedItems(rematch)["b/front_full_body.png"]
                #expect(still?["reason"] == "duplicate_shot_type" && still?["media_resource_id"].uuid != nil)
                let design = try await api.get("/api/v1/set-designs/\(shoot.design)", token: shoot.token).json
                let front = (design["base_images"].array ?? []).first { $0["shot_type_id"].uuid == shoot.shotTypes["front"] }
                #expect(front?["image_media"]["id"] == first["result_data"]["matched"][0]["media_resource_id"])
                #expect(design["base_images"].array?.count == 2)

                // A rematch of the rematch still keeps the line's winners; the latest task route finds it.
                let again = try await api.post("/api/v1/set-designs/upload-tasks/\(try #require(rematch["id"].uuid))/rematch", token: shoot.token, json: .null)
                let second = try await Ingestion.waitForEnd(try #require(again.json["id"].uuid), token: shoot.token, api)
                #expect((second["result_data"]["matched"].array ?? []).isEmpty && Self.skippedItems(second).count == 1)
                let latest = try await api.get(shoot.path("upload-task", subject: anna), token: shoot.token)
                #expect(latest.json["id"] == second["id"])
            }
        }
    }

    @Test func onlyACompletedTaskThatKeptImagesCanBeMatchedAgain() async throws {
        try await TestGateway.run { api in
            let shoot = try await Self.shoot(api)
            let anna = try #require(shoot.subjects["Anna"])
            try await TestWorker.run(api.config) {
                // PK\x05\x06 and nothing in it: accepted, then FAILED as empty.
                let empty: [UInt8] = [0x50, 0x4B, 0x05, 0x06] + Array(repeating: 0, count: 18)
                let failed = try await Self.upload(empty, to: shoot.path("upload", subject: anna), shoot, api)
                #expect(failed["status"] == "FAILED")
                let refused = try await api.post("/api/v1/set-designs/upload-tasks/\(try #require(failed["id"].uuid))/rematch", token: shoot.token, json: .null)
                #expect(refused.status == .conflict && refused.json["detail"].string?.contains("FAILED") == true)

                let placedAll = try await Self.upload(
                    try Self.archive([("front_full_body.jpg", "baseline_64x48.jpg")]), to: shoot.path("upload", subject: anna), shoot, api
                )
                let nothingKept = try await api.post("/api/v1/set-designs/upload-tasks/\(try #require(placedAll["id"].uuid))/rematch", token: shoot.token, json: .null)
                #expect(nothingKept.status == .conflict && nothingKept.json["detail"] == "The task kept no images to match again")
            }
        }
    }

    // MARK: What changed while a task ran, and rematches that meet it

    /// A ZIP written byte by byte: stored entries with raw names, as no tool would make two of one name.
    static func rawZip(_ entries: [(name: String, image: String)]) throws -> [UInt8] {
        let spec = entries.map { "[\"\($0.name)\", \"\(Fixtures.image($0.image).path)\"]" }.joined(separator: ",")
        let script = """
            import struct, sys, zlib, json
            out, central, entries = b'', b'', json.loads(sys.argv[2])
            for name, path in entries:
                name, data = name.encode(), open(path, 'rb').read()
                crc, offset = zlib.crc32(data), len(out)
                out += struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0x800, 0, 0, 0x21, crc, len(data), len(data), len(name), 0) + name + data
                central += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0x800, 0, 0, 0x21, crc, len(data), len(data),
                                       len(name), 0, 0, 0, 0, 0, offset) + name
            start = len(out)
            out += central + struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, len(entries), len(entries), len(central), start, 0)
            open(sys.argv[1], 'wb').write(out)
            """
        return try HostileArchive.python(script, ["[" + spec + "]"])
    }

    static func rematch(_ task: JSONValue, _ token: String, _ api: GatewayClient) async throws -> APIResponse {
        try await api.post("/api/v1/set-designs/upload-tasks/\(try #require(task["id"].uuid))/rematch", token: token, json: .null)
    }

    @Test func aRematchFillsOnlyEmptySlotsAndASecondOneWhileTheFirstIsOpenIs409() async throws {
        try await TestGateway.run { api in
            let shoot = try await Self.shoot(api)
            let anna = try #require(shoot.subjects["Anna"])
            let archive = try Self.archive([("hero_shot.jpg", "baseline_64x48.jpg"), ("back_upper_body_2.jpg", "rgb_33x17.png")])
            let first = try await TestWorker.run(api.config) { try await Self.upload(archive, to: shoot.path("upload", subject: anna), shoot, api) }
            let hero = try await api.createShotType("Hero shot", viewAngle: "top", framing: "detail", by: shoot.user)
            // A person fills the hero slot by hand meanwhile.
            let chosen = try await Self.media(api, shoot)
            let assigned = try await api.post(
                shoot.path("assign"), token: shoot.token, json: ["subject_id": .uuid(anna), "shot_type_id": .uuid(hero), "media_resource_id": .uuid(chosen)]
            )
            #expect(assigned.status == .ok)
            // No worker runs: the first rematch stays open, so the second is refused.
            let queued = try await Self.rematch(first, shoot.token, api)
            #expect(queued.status == .accepted)
            let again = try await Self.rematch(first, shoot.token, api)
            #expect(again.status == .conflict && again.json["detail"] == "A rematch of this task is already queued; wait for it to end")
            let done = try await TestWorker.run(api.config) {
                try await Ingestion.waitForEnd(try #require(queued.json["id"].uuid), token: shoot.token, api)
            }
            #expect(done["status"] == "COMPLETED" && (done["result_data"]["matched"].array ?? []).isEmpty, "\(done)")
            #expect(Self.skippedItems(done)["hero_shot.jpg"]?["reason"] == "duplicate_shot_type")
            let design = try await api.get("/api/v1/set-designs/\(shoot.design)", token: shoot.token).json
            let slot = (design["base_images"].array ?? []).first { $0["shot_type_id"].uuid == hero }
            #expect(slot?["image_media"]["id"].uuid == chosen)  // the hand-assigned image stays
            // Once it ended, another rematch may be queued.
            #expect(try await Self.rematch(first, shoot.token, api).status == .accepted)
        }
    }

    @Test func aRematchKeepsEveryImageOfEntriesThatShareAName() async throws {
        try await TestGateway.run { api in
            let shoot = try await Self.shoot(api)
            let anna = try #require(shoot.subjects["Anna"])
            let archive = try Self.rawZip([("hero_shot.jpg", "baseline_64x48.jpg"), ("hero_shot.jpg", "progressive_65x33.jpg")])
            try await TestWorker.run(api.config) {
                let first = try await Self.upload(archive, to: shoot.path("upload", subject: anna), shoot, api)
                let kept = (first["result_data"]["skipped"].array ?? []).compactMap { $0["media_resource_id"].uuid }
                #expect(Set(kept).count == 2, "\(first)")
                _ = try await api.createShotType("Hero shot", viewAngle: "top", framing: "detail", by: shoot.user)
                let queued = try await Self.rematch(first, shoot.token, api)
                let done = try await Ingestion.waitForEnd(try #require(queued.json["id"].uuid), token: shoot.token, api)
                let matched = done["result_data"]["matched"].array ?? [], skipped = done["result_data"]["skipped"].array ?? []
                // The first in the archive's order is placed, the second stays kept: both images are still there.
                #expect(matched.map { $0["media_resource_id"].uuid } == [kept[0]] && skipped.map { $0["media_resource_id"].uuid } == [kept[1]])
            }
        }
    }

    @Test func aRematchAfterTheDesignMovedToAnotherTenantPlacesNothingOfTheFormerOne() async throws {
        try await TestGateway.run { api in
            let alice = try await Self.shoot(api)
            let anna = try #require(alice.subjects["Anna"])
            let bob = try await api.createUser("bob@example.com")
            let organization = try await api.createOrganization("Studio", admin: alice.user)
            try await api.addMember(bob, to: organization, by: alice.user)
            try await TestWorker.run(api.config) {
                let first = try await Self.upload(
                    try Self.archive([("hero_shot.jpg", "progressive_65x33.jpg")]), to: alice.path("upload", subject: anna), alice, api
                )
                let kept = try #require(Self.skippedItems(first)["hero_shot.jpg"]?["media_resource_id"].uuid)
                let moved = try await api.put("/api/v1/set-designs/\(alice.design)", token: alice.token, json: ["organization_id": .uuid(organization)])
                #expect(moved.status == .ok, "\(moved.text)")
                _ = try await api.createShotType("Hero shot", viewAngle: "top", framing: "detail", by: bob, organizationID: organization)
                let queued = try await Self.rematch(first, bob.token, api)
                #expect(queued.status == .accepted, "\(queued.text)")
                let done = try await Ingestion.waitForEnd(try #require(queued.json["id"].uuid), token: bob.token, api)
                // Alice's personal image is not the studio's: the rematch had nothing of the design's tenant to place.
                #expect(done["status"] == "COMPLETED" && done["total_items"] == 0, "\(done)")
                #expect(try await api.get("/api/v1/media/\(kept)", token: bob.token).status == .notFound)
                let design = try await api.get("/api/v1/set-designs/\(alice.design)", token: bob.token).json
                #expect(design["base_images"] == [])
            }
        }
    }

    @Test func aSubjectDeletedWhileTheArchiveIsReadLeavesItsImagesKeptAndTheRestPlaced() async throws {
        let logger = Logger(label: "locker")
        try await TestGateway.run { api in
            let shoot = try await Self.shoot(api, subjects: ["Anna", "Ben"])
            let ben = try #require(shoot.subjects["Ben"])
            let archive = try Self.archive([("Anna/front_full_body.jpg", "baseline_64x48.jpg"), ("Ben/front_full_body.jpg", "rgb_33x17.png")])
            let task: JSONValue = try await TestDatabase.withClient(api.databaseURL) { locker in
                try await TestDatabase.withClient(api.databaseURL) { watcher in
                    try await locker.withConnection { connection in
                        // The worker's final transaction waits here, its entries read, until Ben is gone.
                        try await connection.query("BEGIN", logger: logger)
                        try await connection.query("LOCK TABLE media_resources IN EXCLUSIVE MODE", logger: logger)
                        return try await TestWorker.run(api.config) {
                            let response = try await api.upload(shoot.path("upload"), token: shoot.token, form: .file(archive, filename: "s.zip"))
                            let id = try #require(response.json["id"].uuid)
                            let waiting = try await eventually(within: .seconds(60), every: .milliseconds(100)) {
                                try await watcher.query(
                                    """
                                    SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                                    WHERE c.relname = 'media_resources' AND NOT l.granted
                                    """
                                ).one(Int.self) > 0
                            }
                            #expect(waiting)
                            #expect(try await api.delete("/api/v1/subjects/\(ben)", token: shoot.token).status == .ok)
                            try await connection.query("COMMIT", logger: logger)
                            return try await Ingestion.waitForEnd(id, token: shoot.token, api)
                        }
                    }
                }
            }
            #expect(task["status"] == "COMPLETED" && task["images_processed"] == 1 && task["images_skipped"] == 1, "\(task)")
            let benImage = Self.skippedItems(task)["Ben/front_full_body.jpg"]
            #expect(benImage?["reason"] == "no_matching_subject" && benImage?["media_resource_id"].uuid != nil)
        }
    }

    // MARK: One archive for a whole shoot

    @Test func aThreeSubjectArchiveGoesToTheSubjectsItsFoldersNameAndKeepsTheStrays() async throws {
        try await TestGateway.run { api in
            let shoot = try await Self.shoot(api, subjects: ["Anna", "Ben", "Carla M."])
            let (anna, ben, carla) = (try #require(shoot.subjects["Anna"]), try #require(shoot.subjects["Ben"]), try #require(shoot.subjects["Carla M."]))
            let (front, back) = (try #require(shoot.shotTypes["front"]), try #require(shoot.shotTypes["back"]))
            let archive = try Self.archive(
                [
                    ("Anna/front_full_body.jpg", "baseline_64x48.jpg"), ("anna/looks/front_full_body_2.png", "rgb_33x17.png"),
                    ("Anna/back_upper_body.png", "palette_16x16.png"), ("BEN/front_full_body.jpg", "progressive_65x33.jpg"),
                    ("carla_m/back_upper_body.jpg", "grayscale_20x10.jpg"), ("stray_front_full_body.jpg", "rgba_10x12.png"),
                    ("Unknown/front_full_body.jpg", "exif3_40x30.jpg"), ("Ben/notes.txt", "notes.txt"),
                ],
                tool: .sevenZip
            )
            let task = try await TestWorker.run(api.config) { try await Self.upload(archive, to: shoot.path("upload"), shoot, api) }
            #expect(task["status"] == "COMPLETED" && task["subject_id"] == .null, "\(task)")
            #expect(Set(task["subject_ids"].array?.compactMap(\.uuid) ?? []) == [anna, ben, carla])
            let matched = (task["result_data"]["matched"].array ?? []).map { ($0["file"].string ?? "", $0["subject_id"].uuid, $0["shot_type_id"].uuid) }
            #expect(matched.map(\.0) == ["Anna/back_upper_body.png", "Anna/front_full_body.jpg", "BEN/front_full_body.jpg", "carla_m/back_upper_body.jpg"])
            #expect(matched.map(\.1) == [anna, anna, ben, carla] && matched.map(\.2) == [back, front, front, back])
            let skipped = Self.skippedItems(task)
            #expect(skipped.mapValues { $0["reason"].string ?? "" } == [
                "anna/looks/front_full_body_2.png": "duplicate_shot_type", "stray_front_full_body.jpg": "no_matching_subject",
                "Unknown/front_full_body.jpg": "no_matching_subject", "Ben/notes.txt": "not_an_image",
            ])
            for file in ["anna/looks/front_full_body_2.png", "stray_front_full_body.jpg", "Unknown/front_full_body.jpg"] {
                #expect(skipped[file]?["media_resource_id"].uuid != nil, "\(file)")
            }
            let design = try await api.get("/api/v1/set-designs/\(shoot.design)", token: shoot.token).json
            let slots = Set((design["base_images"].array ?? []).map { "\($0["subject_id"].uuid!) \($0["shot_type_id"].uuid!)" })
            #expect(slots == Set([(anna, back), (anna, front), (ben, front), (carla, back)].map { "\($0) \($1)" }))

            // The latest-task route finds it by any subject it touched, and without one.
            for subject in [anna, ben, carla] {
                #expect(try await api.get(shoot.path("upload-task", subject: subject), token: shoot.token).json["id"] == task["id"])
            }
            #expect(try await api.get(shoot.path("upload-task"), token: shoot.token).json["id"] == task["id"])
            let untouched = try await api.createSubject("Dora", by: shoot.user)
            #expect(try await api.get(shoot.path("upload-task", subject: untouched), token: shoot.token).status == .notFound)
        }
    }

    // MARK: Preview

    /// What a preview and a task report of each entry, side by side.
    static func placements(_ result: JSONValue) -> [String] {
        let matched = (result["matched"].array ?? []).map { item in
            "matched \(item["file"]) \(item["subject_id"]) \(item["shot_type_id"]) \(item["replaces"] == .null ? item["replaced"] : item["replaces"])"
        }
        let skipped = (result["skipped"].array ?? []).map { item in
            "skipped \(item["file"]) \(item["reason"]) \(item["candidate_shot_type_ids"])"
        }
        return matched + skipped + ["unmatched \(result["unmatched_shot_types"])"]
    }

    /// Random catalogs and archives of images: the preview of an archive's
    /// names is the result of its task, with and without a subject, on an
    /// empty design and on one whose slots the first archive filled.
    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func thePreviewOfAnArchivesNamesIsWhatItsTaskDoes(seed: UInt64) async throws {
        var random = SplitMix64(seed: seed)
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        let words = ["front", "back", "full", "body", "close", "up", "hero", "side", "shot"]
        let angles = ["front", "back", "side", "left", "top", "detail"], framings = ["full_body", "close_up", "upper_body", "detail"]
        let catalog: [(name: String, angle: String, framing: String, extra: JSONObject)] = (0..<(3 + Int(random.next() % 4))).map { _ in
            let name = (0..<(1 + Int(random.next() % 3))).map { _ in pick(words) }.joined(separator: " ")
            let extra: JSONObject = random.next() % 3 == 0 ? ["file_naming_convention": .string(pick(words) + "-" + pick(words))] : [:]
            return (name, pick(angles), pick(framings), extra)
        }
        let images = ["baseline_64x48.jpg", "rgb_33x17.png", "palette_16x16.png", "grayscale_20x10.jpg"]
        let archives: [[String: String]] = (0..<2).map { _ in
            var files: [String: String] = [:]
            for _ in 0..<(8 + Int(random.next() % 10)) {
                let folder = pick(["Anna/", "ANNA/looks/", "ben/", "Carla/", "Unknown/", "", "__MACOSX/", "x/.cache/"])
                let stem = (0..<(1 + Int(random.next() % 4))).map { _ in pick(words + ["sku1", "v2"]) }.joined(separator: pick(["_", "-", " "]))
                files[folder + stem + pick([".jpg", ".png", ".tif"])] = pick(images)
            }
            return files
        }
        let byFolder = seed % 2 == 1
        try await TestGateway.run { api in
            let shoot = try await Self.shoot(api, subjects: ["Anna", "Ben", "anna!", "Carla"])
            for shotType in catalog {
                _ = try await api.createShotType(shotType.name, viewAngle: shotType.angle, framing: shotType.framing, by: shoot.user, extra: shotType.extra)
            }
            let subject = byFolder ? nil : shoot.subjects["Ben"]
            try await TestWorker.run(api.config) {
                for (round, files) in archives.enumerated() {
                    let preview = try await api.post(
                        shoot.path("match-preview", subject: subject), token: shoot.token, json: ["files": .array(files.keys.map(JSONValue.string))]
                    )
                    #expect(preview.status == .ok, "\(preview.text)")
                    let archive = try Self.archive(files.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
                    let task = try await Self.upload(archive, to: shoot.path("upload", subject: subject), shoot, api)
                    #expect(task["status"] == "COMPLETED", "\(task)")
                    #expect(Self.placements(preview.json) == Self.placements(task["result_data"]), "round \(round): \(files.keys.sorted())")
                }
            }
        }
    }

    @Test func thePreviewSaysWhatItCannotKnowAndWhatItWouldReplace() async throws {
        try await TestGateway.run { api in
            let shoot = try await Self.shoot(api, subjects: ["Anna", "Ben"])
            let anna = try #require(shoot.subjects["Anna"])
            let files: JSONValue = ["files": ["Anna/front_full_body.jpg", "Anna/", "Ben/sku_side_close_up_2.jpg", "readme.txt", ".DS_Store"]]
            let before = try await api.post(shoot.path("match-preview"), token: shoot.token, json: files)
            #expect(before.status == .ok && before.json["content_checked"] == false, "\(before.text)")
            #expect(before.json["matched"] == [[
                "file": "Anna/front_full_body.jpg", "subject_id": .uuid(anna), "shot_type_id": .uuid(shoot.shotTypes["front"]),
                "shot_type_name": "Front full body", "replaces": false,
            ]])
            // A folder's own entry is no file; a text file is judged by name only.
            #expect(before.json["skipped"].array?.map { $0["file"].string ?? "" } == [".DS_Store", "Ben/sku_side_close_up_2.jpg", "readme.txt"])
            #expect(before.json["skipped"][2]["reason"] == "no_matching_subject")
            #expect(before.json["skipped"][1]["candidate_shot_type_ids"].array?.count == 2)

            let placed = try await api.post(
                shoot.path("assign"), token: shoot.token,
                json: ["subject_id": .uuid(anna), "shot_type_id": .uuid(shoot.shotTypes["front"]), "media_resource_id": .uuid(try await Self.media(api, shoot))]
            )
            #expect(placed.status == .ok)
            let after = try await api.post(shoot.path("match-preview"), token: shoot.token, json: files)
            #expect(after.json["matched"][0]["replaces"] == true)
        }
    }

    /// A media resource of the shoot's user.
    static func media(_ api: GatewayClient, _ shoot: Shoot) async throws -> UUID {
        let response = try await api.upload("/api/v1/media/", token: shoot.token, form: .file(try Fixtures.imageBytes("rgb_33x17.png"), filename: "x.png"))
        return try #require(response.json["id"].uuid)
    }

    @Test func thePreviewValidatesLikeTheUploadAndRefusesMoreNamesThanAnArchiveHolds() async throws {
        try await TestGateway.run { api in
            let shoot = try await Self.shoot(api)
            let preview = shoot.path("match-preview")
            let tooMany = JSONValue.object(["files": .array(Array(repeating: "a.jpg", count: 10_001))])
            let many = try await api.post(preview, token: shoot.token, json: tooMany)
            #expect(many.status == .unprocessableContent && many.json["detail"][0]["type"] == "too_long" && many.json["detail"][0]["loc"] == ["body", "files"])
            let longName = try await api.post(preview, token: shoot.token, json: ["files": ["ok.jpg", .string(String(repeating: "é", count: 1025))]])
            #expect(longName.status == .unprocessableContent && longName.json["detail"][0]["loc"] == ["body", "files", 1], "\(longName.text)")
            let missing = try await api.post(preview, token: shoot.token, json: [:])
            #expect(missing.status == .unprocessableContent && missing.json.issueTypes == ["missing"])
            let unknownSubject = try await api.post(shoot.path("match-preview", subject: UUID()), token: shoot.token, json: ["files": []])
            #expect(unknownSubject.status == .unprocessableContent && unknownSubject.json["detail"][0]["loc"] == ["query", "subject_id"])
            let unknownDesign = try await api.post("/api/v1/set-designs/\(UUID())/base-images/match-preview", token: shoot.token, json: ["files": []])
            #expect(unknownDesign.status == .notFound)
            // Left out, a subject comes from the folders; sent empty, it is a mistake, as on the upload route.
            let empty = try await api.post(preview + "?subject_id=", token: shoot.token, json: ["files": []])
            #expect(empty.status == .unprocessableContent && empty.json["detail"][0]["loc"] == ["query", "subject_id"])
            let emptyUpload = try await api.upload(shoot.path("upload") + "?subject_id=", token: shoot.token, form: .file(try ArchiveBuilder.oneImage()))
            #expect(emptyUpload.status == .unprocessableContent)
            #expect(try await api.get(shoot.path("upload-task") + "?subject_id=", token: shoot.token).status == .unprocessableContent)
            // Folder entries (a Windows tool's end in a backslash) are no files.
            let folders = try await api.post(preview, token: shoot.token, json: ["files": ["Anna\\", "Anna/", "Anna\\front_full_body.jpg"]])
            #expect(folders.json["matched"].array?.count == 1 && folders.json["skipped"] == [])
            // The most an archive may hold is answered whole.
            let full = JSONValue.object(["files": .array((0..<10_000).map { .string(String(format: "Anna/look_%05d_front_full_body.jpg", $0)) })])
            let answered = try await api.post(preview, token: shoot.token, json: full)
            #expect(answered.status == .ok && answered.json["matched"].array?.count == 1 && answered.json["skipped"].array?.count == 9_999)
        }
    }

    // MARK: Tenancy

    @Test func theNewRoutesShowNothingOfAnotherTenant() async throws {
        try await TestGateway.run { api in
            let shoot = try await Self.shoot(api)
            let anna = try #require(shoot.subjects["Anna"])
            let task = try await TestWorker.run(api.config) {
                try await Self.upload(try Self.archive([("landscape.jpg", "baseline_64x48.jpg")]), to: shoot.path("upload", subject: anna), shoot, api)
            }
            let kept = try #require(Self.skippedItems(task)["landscape.jpg"]?["media_resource_id"].uuid)
            let mallory = try await Self.shoot(api, email: "mallory@example.com", subjects: ["Eve"])
            let theirs = try await Self.media(api, mallory)
            let assignBody: JSONValue = ["subject_id": .uuid(anna), "shot_type_id": .uuid(shoot.shotTypes["front"]), "media_resource_id": .uuid(kept)]

            // Alice's design, task and kept image are invisible to Mallory: 404, never a hint.
            #expect(try await api.post(shoot.path("match-preview"), token: mallory.token, json: ["files": ["a.jpg"]]).status == .notFound)
            #expect(try await api.post(shoot.path("assign"), token: mallory.token, json: assignBody).status == .notFound)
            #expect(try await api.post("/api/v1/set-designs/upload-tasks/\(task["id"].uuid!)/rematch", token: mallory.token, json: .null).status == .notFound)
            #expect(try await api.get("/api/v1/media/\(kept)", token: mallory.token).status == .notFound)
            // Mallory's design cannot take Alice's kept image, nor her subject.
            let intoTheirs = try await api.post(
                mallory.path("assign"), token: mallory.token,
                json: ["subject_id": .uuid(mallory.subjects["Eve"]), "shot_type_id": .uuid(mallory.shotTypes["front"]), "media_resource_id": .uuid(kept)]
            )
            #expect(intoTheirs.status == .unprocessableContent && intoTheirs.json["detail"][0]["loc"] == ["body", "media_resource_id"])
            // And Alice's design takes none of Mallory's rows: each is a 422 at its field.
            let foreign = try await api.post(
                shoot.path("assign"), token: shoot.token,
                json: ["subject_id": .uuid(mallory.subjects["Eve"]), "shot_type_id": .uuid(mallory.shotTypes["front"]), "media_resource_id": .uuid(theirs)]
            )
            #expect(foreign.status == .unprocessableContent)
            #expect(foreign.json["detail"].array?.map { $0["loc"] } == [["body", "subject_id"], ["body", "shot_type_id"], ["body", "media_resource_id"]])
            let theirSubject = try await api.post(shoot.path("match-preview", subject: mallory.subjects["Eve"]), token: shoot.token, json: ["files": []])
            #expect(theirSubject.status == .unprocessableContent)
            // Nothing changed in Alice's design.
            #expect(try await api.get("/api/v1/set-designs/\(shoot.design)", token: shoot.token).json["base_images"] == [])
        }
    }
}
