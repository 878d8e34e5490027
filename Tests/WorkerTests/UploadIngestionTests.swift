import Foundation
import Logging
import PostgresNIO
import Shared
import Testing
import TestSupport
@testable import WorkerApp

/// ZIP uploads end to end: the real gateway, a worker in this process, real
/// archives made by zip, Python's zipfile and 7z, real images.
@Suite("Base image ingestion")
struct UploadIngestionTests {
    /// A design with a subject and four shot types of its owner.
    struct Setup: Sendable {
        var user: TestUser
        var design: UUID
        var subject: UUID
        var shotTypes: [String: UUID]
        var uploadPath: String { "/api/v1/set-designs/\(design)/base-images/upload?subject_id=\(subject)" }
    }

    static func setUp(_ api: GatewayClient) async throws -> Setup {
        let user = try await api.createUser("alice@example.com")
        var shotTypes: [String: UUID] = [:]
        shotTypes["front"] = try await api.createShotType("Front full body", viewAngle: "front", framing: "full_body", by: user)
        shotTypes["back"] = try await api.createShotType("Back upper body", viewAngle: "back", framing: "upper_body", by: user)
        shotTypes["detail"] = try await api.createShotType(
            "Detail", viewAngle: "detail", framing: "detail", by: user, extra: ["file_naming_convention": "macro shot"]
        )
        shotTypes["side"] = try await api.createShotType("Side close up", viewAngle: "side", framing: "close_up", by: user)
        // Named like the side shot type: a name containing "side_close_up" cannot tell them apart.
        shotTypes["left"] = try await api.createShotType("Side close up", viewAngle: "left", framing: "close_up", by: user)
        let subject = try await api.createSubject(by: user)
        let design = try #require(try await api.post("/api/v1/set-designs/", token: user.token, json: ["name": "Look"]).json["id"].uuid)
        return Setup(user: user, design: design, subject: subject, shotTypes: shotTypes)
    }

    /// Uploads and waits for the task to end; answers the ended task.
    static func ingest(_ archive: [UInt8], _ setup: Setup, _ api: GatewayClient) async throws -> JSONValue {
        let response = try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(archive, filename: "looks.zip"))
        guard response.status == .accepted, let id = response.json["id"].uuid else {
            throw TestFailure("upload refused: \(response.status) \(response.text)")
        }
        return try await waitForEnd(id, token: setup.user.token, api)
    }

    static func waitForEnd(_ id: UUID, token: String, _ api: GatewayClient) async throws -> JSONValue {
        var task: JSONValue = .null
        let ended = try await eventually(within: .seconds(60), every: .milliseconds(50)) {
            task = try await api.get("/api/v1/set-designs/upload-tasks/\(id)", token: token).json
            return ["COMPLETED", "FAILED"].contains(task["status"].string ?? "")
        }
        guard ended else { throw TestFailure("task did not end: \(task)") }
        return task
    }

    static func skipped(_ task: JSONValue) -> [String: String] {
        var reasons: [String: String] = [:]
        for entry in task["result_data"]["skipped"].array ?? [] { reasons[entry["file"].string ?? ""] = entry["reason"].string }
        return reasons
    }

    static func matched(_ task: JSONValue) -> [String: JSONValue] {
        var files: [String: JSONValue] = [:]
        for entry in task["result_data"]["matched"].array ?? [] { files[entry["file"].string ?? ""] = entry }
        return files
    }

    // MARK: Tests

    @Test(arguments: ArchiveTool.allCases)
    func anArchiveBecomesBaseImagesWithEverySkipExplained(_ tool: ArchiveTool) async throws {
        try await TestGateway.run { api in
            let setup = try await Self.setUp(api)
            var builder = try ArchiveBuilder()
            defer { builder.remove() }
            try builder.add("looks/front_full_body.jpg", image: "progressive_65x33.jpg")
            try builder.add("looks/sku123_back_upper_body_01.png", image: "rgb_33x17.png")
            try builder.add("Macro Shot.webp", image: "lossy_50x30.webp")
            try builder.add("notes.txt", Array("not an image".utf8))
            try builder.add("z/front_full_body.png", image: "palette_16x16.png")
            try builder.add("landscape.jpg", image: "baseline_64x48.jpg")
            try builder.add("broken_side_close_up.jpg", Array(try Fixtures.imageBytes("baseline_64x48.jpg").prefix(40)))
            try builder.add("__MACOSX/looks/._front_full_body.jpg", [0, 5, 22, 7])
            try builder.add("sku_side_close_up_2.jpg", image: "baseline_64x48.jpg")
            let archive = try builder.archive(with: tool)
            let task = try await TestWorker.run(api.config) { try await Self.ingest(archive, setup, api) }
            #expect(task["status"].string == "COMPLETED", "\(task)")
            #expect(task["progress"].int == 100)
            #expect(task["total_items"].int == 9 && task["processed_items"].int == 9)
            #expect(task["images_processed"].int == 3 && task["images_skipped"].int == 6)
            #expect(task["error_message"] == .null && task["started_at"] != .null && task["completed_at"] != .null)
            #expect(
                Self.skipped(task) == [
                    "notes.txt": "not_an_image", "z/front_full_body.png": "duplicate_shot_type",
                    "landscape.jpg": "no_matching_shot_type", "broken_side_close_up.jpg": "corrupt_image",
                    "__MACOSX/looks/._front_full_body.jpg": "ignored", "sku_side_close_up_2.jpg": "ambiguous_shot_type",
                ]
            )
            let matched = Self.matched(task)
            #expect(matched["looks/front_full_body.jpg"]?["shot_type_id"].uuid == setup.shotTypes["front"])
            #expect(matched["looks/sku123_back_upper_body_01.png"]?["shot_type_id"].uuid == setup.shotTypes["back"])
            #expect(matched["Macro Shot.webp"]?["shot_type_id"].uuid == setup.shotTypes["detail"])
            #expect(matched.values.allSatisfy { $0["replaced"] == false && $0["base_image_id"].uuid != nil })
            let unmatched = Set(task["result_data"]["unmatched_shot_types"].array?.compactMap(\.uuid) ?? [])
            #expect(unmatched == Set([setup.shotTypes["side"], setup.shotTypes["left"]].compactMap { $0 }))

            // The design now shows them, with the images' real sizes.
            let design = try await api.get("/api/v1/set-designs/\(setup.design)", token: setup.user.token).json
            let images = design["base_images"].array ?? []
            #expect(images.count == 3)
            let front = try #require(images.first { $0["shot_type_id"].uuid == setup.shotTypes["front"] })
            #expect(front["subject_id"].uuid == setup.subject)
            #expect(front["image_media"]["width"].int == 65 && front["image_media"]["height"].int == 33)
            #expect(front["image_media"]["id"].uuid == matched["looks/front_full_body.jpg"]?["media_resource_id"].uuid)
            // The archive is gone from storage once the task ended.
            let archives = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query(
                    "SELECT (SELECT count(*) FROM blobs WHERE key LIKE 'uploads/%') + (SELECT count(*) FROM upload_tasks WHERE archive_blob_key IS NOT NULL)"
                ).one(Int.self)
            }
            #expect(archives == 0)
        }
    }

    @Test func encryptedUnsupportedAndOversizedEntriesAreSkippedAndTheRestIsProcessed() async throws {
        try await TestGateway.run { api in
            let setup = try await Self.setUp(api)
            var builder = try ArchiveBuilder()
            defer { builder.remove() }
            try builder.add("front_full_body.jpg", image: "progressive_65x33.jpg")
            try builder.add("back_upper_body.jpg", image: "baseline_64x48.jpg")
            try builder.add("side_close_up.tif", image: "magick_big_endian_45x27.tif")
            try builder.add("detail.gif", image: "animated_24x18.gif")
            // One archive, three tools' entries: zip encrypts one, 7z adds one with BZip2.
            let files = builder.directory.appendingPathComponent("files")
            let archive = builder.directory.appendingPathComponent("mixed.zip").path
            try run("/usr/bin/zip", ["-q", "-P", "secret", archive, "back_upper_body.jpg"], in: files)
            try run("/usr/bin/zip", ["-q", archive, "front_full_body.jpg", "detail.gif"], in: files)
            try run("/usr/bin/7z", ["a", "-tzip", "-mm=BZip2", "-bd", "-bso0", archive, "side_close_up.tif"], in: files)
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: archive)))
            // Only the GIF is over the entry limit (the TIFF is skipped for its method first).
            let detailSize = try Fixtures.imageBytes("animated_24x18.gif").count
            let task = try await TestWorker.run(api.config, configure: { $0.limits.maxEntryBytes = detailSize - 1 }) {
                try await Self.ingest(bytes, setup, api)
            }
            #expect(task["status"].string == "COMPLETED", "\(task)")
            #expect(
                Self.skipped(task) == [
                    "back_upper_body.jpg": "encrypted", "side_close_up.tif": "unsupported_compression", "detail.gif": "too_large",
                ]
            )
            #expect(Set(Self.matched(task).keys) == ["front_full_body.jpg"])
        }
    }

    @Test func anArchiveOverTheEntryLimitFailsBeforeAnythingIsStored() async throws {
        try await TestGateway.run { api in
            let setup = try await Self.setUp(api)
            var builder = try ArchiveBuilder()
            defer { builder.remove() }
            for index in 0..<6 { try builder.add("front_full_body_\(index).jpg", image: "progressive_65x33.jpg") }
            let archive = try builder.archive()
            let task = try await TestWorker.run(api.config, configure: { $0.limits.maxEntries = 5 }) {
                try await Self.ingest(archive, setup, api)
            }
            #expect(task["status"].string == "FAILED")
            #expect(task["error_message"].string?.contains("6") == true && task["error_message"].string?.contains("5") == true)
            #expect(try await api.get("/api/v1/set-designs/\(setup.design)", token: setup.user.token).json["base_images"] == [])
        }
    }

    /// The filesystem store's batch: the images are written, flushed once,
    /// then linked under their names; nothing is left in its staging area.
    @Test func withTheFilesystemStoreTheImagesAreFilesUnderTheirHashesAndNothingStaysStaged() async throws {
        let root = NSTemporaryDirectory() + "ingest-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await TestGateway.run(configure: { $0.blobStore = .filesystem(path: root) }) { api in
            let setup = try await Self.setUp(api)
            var builder = try ArchiveBuilder()
            defer { builder.remove() }
            try builder.add("front_full_body.jpg", image: "progressive_65x33.jpg")
            try builder.add("back_upper_body.png", image: "rgb_33x17.png")
            try builder.add("side_close_up.jpg", image: "progressive_65x33.jpg")
            let archive = try builder.archive()
            let task = try await TestWorker.run(api.config) { try await Self.ingest(archive, setup, api) }
            #expect(task["status"].string == "COMPLETED" && task["images_processed"].int == 3, "\(task)")
            let hashes = try await TestDatabase.withClient(api.databaseURL) { client in
                var hashes: [String] = []
                for try await hash in try await client.query("SELECT content_hash FROM media_resources").decode(String.self) {
                    hashes.append(hash)
                }
                return hashes
            }
            let expected = try ["progressive_65x33.jpg", "rgb_33x17.png"].map { Fixtures.image($0) }
            #expect(hashes.count == expected.count)
            for hash in hashes {
                let file = URL(fileURLWithPath: "\(root)/sha256/\(hash.prefix(2))/\(hash)")
                let bytes = try Data(contentsOf: file)
                #expect(try expected.contains { try Data(contentsOf: $0) == bytes }, "\(hash)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/.staging").isEmpty)
            // The archive is gone once the task ended.
            let archives = (FileManager.default.enumerator(atPath: root + "/uploads")?.allObjects as? [String]) ?? []
            #expect(archives.isEmpty)
        }
    }

    /// With the postgres store, an archive of many chunks is read in place
    /// when its files are stored in path order, and from a local copy when
    /// they are far out of it (most reads would miss the chunks kept); either
    /// way every file is judged, and the images are stored as they are.
    @Test(arguments: [false, true])
    func anArchiveOfManyChunksIsIngestedWholeWhateverTheOrderOfItsFiles(shuffled: Bool) async throws {
        try await TestGateway.run { api in
            let setup = try await Self.setUp(api)
            var random = SplitMix64(seed: 6)
            func noise(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
            // Bytes after an image's end marker do not change what it is: the images span chunks.
            let images = [
                "front_full_body.jpg": try Fixtures.imageBytes("progressive_65x33.jpg") + noise(1_500_000),
                "back_upper_body.png": try Fixtures.imageBytes("rgb_33x17.png") + noise(300_000),
            ]
            var files = images.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            files += (0..<200).map { (String(format: "filler/%03d.bin", $0), noise(100_000)) }
            files = shuffled ? files.shuffled(using: &random) : files.sorted { $0.0 < $1.0 }
            var builder = try ArchiveBuilder()
            defer { builder.remove() }
            for (path, bytes) in files { try builder.add(path, bytes) }
            let archive = try builder.archive(with: .python)  // in the order the files were added
            #expect(archive.count > 20 * PostgresBlobStore.chunkSize)

            let task = try await TestWorker.run(api.config) { try await Self.ingest(archive, setup, api) }
            #expect(task["status"].string == "COMPLETED" && task["images_processed"].int == 2, "\(task)")
            let skipped = Self.skipped(task)
            #expect(skipped.count == 200 && skipped.values.allSatisfy { $0 == "not_an_image" })
            for (file, entry) in Self.matched(task) {
                let media = try #require(entry["media_resource_id"].uuid)
                let stored = try await api.get("/api/v1/media/\(media)/content", token: setup.user.token)
                #expect(Array(stored.body.readableBytesView) == images[file], "\(file)")
            }
        }
    }

    @Test func uploadingTheSameArchiveAgainReplacesTheSameSlots() async throws {
        try await TestGateway.run { api in
            let setup = try await Self.setUp(api)
            var builder = try ArchiveBuilder()
            defer { builder.remove() }
            try builder.add("front_full_body.jpg", image: "progressive_65x33.jpg")
            // The same bytes for two shot types: one media row serves both slots.
            try builder.add("back_upper_body.jpg", image: "progressive_65x33.jpg")
            let archive = try builder.archive()
            let (first, second) = try await TestWorker.run(api.config) {
                (try await Self.ingest(archive, setup, api), try await Self.ingest(archive, setup, api))
            }
            #expect(first["status"].string == "COMPLETED" && second["status"].string == "COMPLETED")
            let before = Self.matched(first), after = Self.matched(second)
            #expect(before.values.allSatisfy { $0["replaced"] == false })
            #expect(after.values.allSatisfy { $0["replaced"] == true })
            for (file, entry) in before {
                #expect(after[file]?["base_image_id"] == entry["base_image_id"], "\(file)")
                #expect(after[file]?["media_resource_id"] == entry["media_resource_id"], "\(file)")
            }
            let counts = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query(
                    "SELECT (SELECT count(*) FROM set_base_images) * 10 + (SELECT count(*) FROM media_resources)"
                ).one(Int.self)
            }
            #expect(counts == 21)
        }
    }

    @Test func archivesThatCannotBeReadFailWithASentence() async throws {
        try await TestGateway.run { api in
            let setup = try await Self.setUp(api)
            var builder = try ArchiveBuilder()
            defer { builder.remove() }
            try builder.add("front_full_body.jpg", image: "progressive_65x33.jpg")
            let valid = try builder.archive()
            let empty: [UInt8] = [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18)
            let garbage: [UInt8] = [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 7, count: 500)
            let truncated = Array(valid.prefix(valid.count / 2))
            let tasks = try await TestWorker.run(api.config) {
                [
                    try await Self.ingest(empty, setup, api), try await Self.ingest(garbage, setup, api),
                    try await Self.ingest(truncated, setup, api),
                ]
            }
            for task in tasks {
                #expect(task["status"].string == "FAILED")
                #expect(task["completed_at"] != .null && task["result_data"] == .null)
                let message = task["error_message"].string ?? ""
                #expect(message.hasSuffix(".") && message.count > 10, "\(message)")
            }
            #expect(tasks[0]["error_message"].string == "The archive is empty.")
        }
    }

    /// One entry inflating to 1 GiB of zeros (Tests/Fixtures/archives/make_zip_bomb.py),
    /// its size declared honestly or as 1000 bytes.
    static func zipBomb(declaring declared: Int? = nil) throws -> [UInt8] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bomb-\(UUID().uuidString).zip").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let script = Fixtures.directory.appendingPathComponent("archives/make_zip_bomb.py").path
        try run("/usr/bin/python3", [script, path, "front_full_body.jpg"] + (declared.map { [String($0)] } ?? []))
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func aZipBombOfOneGigabyteOfZerosFailsOnItsCompressionRatio() async throws {
        try await TestGateway.run { api in
            let setup = try await Self.setUp(api)
            let bomb = try Self.zipBomb()
            let task = try await TestWorker.run(api.config) { try await Self.ingest(bomb, setup, api) }
            #expect(task["status"].string == "FAILED")
            #expect(task["error_message"].string?.contains("compress") == true, "\(task["error_message"])")
        }
    }

    @Test func aZipBombThatLiesAboutItsSizeIsStoppedWhileInflating() async throws {
        try await TestGateway.run { api in
            let setup = try await Self.setUp(api)
            let bomb = try Self.zipBomb(declaring: 1000)
            let task = try await TestWorker.run(api.config) { try await Self.ingest(bomb, setup, api) }
            #expect(task["status"].string == "COMPLETED")
            #expect(Self.skipped(task) == ["front_full_body.jpg": "corrupt_image"])
            #expect(task["images_processed"].int == 0)
        }
    }

    /// The task's row as the worker left it.
    static func attempts(of task: JSONValue, _ api: GatewayClient) async throws -> Int {
        let id = try #require(task["id"].uuid)
        return try await TestDatabase.withClient(api.databaseURL) { client in
            try await client.query("SELECT attempts FROM upload_tasks WHERE id = \(id)").one(Int.self)
        }
    }

    static func count(_ table: String, _ api: GatewayClient) async throws -> Int {
        try await TestDatabase.withClient(api.databaseURL) { client in
            try await client.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)")).one(Int.self)
        }
    }

    @Test func zip64RecordsPointingNearTwoToThe64FailAsUnreadableOnTheirFirstAttempt() async throws {
        try await TestGateway.run { api in
            let setup = try await Self.setUp(api)
            let archives = [
                try HostileArchive.zip64(localHeaderOffset: .max - 15), try HostileArchive.zip64(compressedSize: .max - 40),
                try HostileArchive.zip64(compressedSize: 1 << 62, localHeaderOffset: 1 << 62),
                try HostileArchive.zip64(directoryOffset: .max - 10),
            ]
            let tasks = try await TestWorker.run(api.config) {
                var tasks: [JSONValue] = []
                for archive in archives { tasks.append(try await Self.ingest(archive, setup, api)) }
                return tasks
            }
            for task in tasks {
                #expect(task["status"].string == "FAILED")
                let message = task["error_message"].string ?? ""
                #expect(message.hasPrefix("The file is not a readable ZIP archive: ") && message.hasSuffix("."), "\(message)")
                #expect(try await Self.attempts(of: task, api) == 1)
            }
        }
    }

    @Test func aFifieldOverlapBombFailsQuicklyOnItsFirstAttemptWithNothingStored() async throws {
        // 40 entries of 20 MiB from about 130 KB, each declared under 200:1.
        let bomb = try HostileArchive.overlapBomb(entries: 40, kernelMiB: 20)
        try await TestGateway.run { api in
            let setup = try await Self.setUp(api)
            let start = ContinuousClock.now
            let task = try await TestWorker.run(api.config) { try await Self.ingest(bomb, setup, api) }
            #expect(ContinuousClock.now - start < .seconds(20))
            #expect(task["status"].string == "FAILED")
            #expect(task["error_message"].string?.contains("overlap (a likely zip bomb)") == true, "\(task["error_message"])")
            #expect(try await Self.attempts(of: task, api) == 1)
            #expect(try await Self.count("media_resources", api) == 0)
        }
    }

    @Test func imagesAreRecognisedFromTheFirstBytesTheWorkerReads() throws {
        // The worker reads this many bytes to tell an image from anything else.
        let fixtures = try FileManager.default.contentsOfDirectory(atPath: Fixtures.directory.appendingPathComponent("images").path)
        let images = fixtures.filter { !$0.hasSuffix(".py") && !$0.hasSuffix(".txt") }
        #expect(images.count > 10)
        for name in images {
            let head = Array(try Fixtures.imageBytes(name).prefix(UploadTaskProcessor.signatureLength))
            var recognised = true
            do { _ = try ImageHeader.inspect(head) } catch ImageHeaderError.notAnImage { recognised = false } catch {}
            #expect(recognised, "\(name)")
        }
    }

    @Test func aNonImageIsSkippedFromItsFirstBytesWithoutInflatingTheRest() async throws {
        // notes.txt inflates to 2.3 MB, but its deflate data is invalid after the first 4 KiB:
        // only reading past them (as an image check of 1 MiB did) would find that out.
        let script = """
            import struct, sys, zlib
            out, central = bytearray(), bytearray()
            def add(name, data, crc, size):
                name, offset = name.encode(), len(out)
                out.extend(struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(name), 0) + name + data)
                central.extend(struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                                           len(name), 0, 0, 0, 0, 0, offset) + name)
            text = b''.join(b'line %d\\n' % n for n in range(300000))
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            add('notes.txt', c.compress(text[:4096]) + c.flush(zlib.Z_FULL_FLUSH) + b'\\xff' * 100000, zlib.crc32(text), len(text))
            for name, data in [('front_full_body.jpg', open(sys.argv[2], 'rb').read()), ('back_upper_body.jpg', b'\\xff\\xd8\\xff' + bytes(5000))]:
                c = zlib.compressobj(6, zlib.DEFLATED, -15)
                add(name, c.compress(data) + c.flush(), zlib.crc32(data), len(data))
            directory = len(out)
            out.extend(central)
            out.extend(struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 3, 3, len(central), directory, 0))
            open(sys.argv[1], 'wb').write(out)
            """
        let archive = try HostileArchive.python(script, [Fixtures.image("progressive_65x33.jpg").path])
        try await TestGateway.run { api in
            let setup = try await Self.setUp(api)
            let task = try await TestWorker.run(api.config) { try await Self.ingest(archive, setup, api) }
            #expect(task["status"].string == "COMPLETED", "\(task)")
            #expect(Self.skipped(task) == ["notes.txt": "not_an_image", "back_upper_body.jpg": "corrupt_image"])
            #expect(Set(Self.matched(task).keys) == ["front_full_body.jpg"])
        }
    }

    @Test func namesWithNULAndInvalidUTF8AreReportedAsValidText() async throws {
        // zipfile cuts names at NUL: placeholders are patched afterwards, in both headers.
        let script = """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
                z.writestr('nulQ.txt', b'not an image')
                z.writestr(zipfile.ZipInfo('bad-\\u00e9-WWW.jpg'), open(sys.argv[2], 'rb').read())
                z.writestr('front_full_body.jpg', open(sys.argv[2], 'rb').read())
            data = open(sys.argv[1], 'rb').read()
            open(sys.argv[1], 'wb').write(data.replace(b'nulQ', b'nul\\x00').replace(b'WWW', b'\\xff\\xfe\\xc3'))
            """
        let archive = try HostileArchive.python(script, [Fixtures.image("progressive_65x33.jpg").path])
        try await TestGateway.run { api in
            let setup = try await Self.setUp(api)
            let task = try await TestWorker.run(api.config) { try await Self.ingest(archive, setup, api) }
            #expect(task["status"].string == "COMPLETED", "\(task)")
            #expect(try await Self.attempts(of: task, api) == 1)
            #expect(Self.skipped(task) == ["nul\u{FFFD}.txt": "not_an_image", "bad-\u{E9}-\u{FFFD}\u{FFFD}\u{FFFD}.jpg": "no_matching_shot_type"])
            #expect(Set(Self.matched(task).keys) == ["front_full_body.jpg"])
        }
    }

    @Test func aResultTheDatabaseRefusesFailsTheTaskOnItsFirstAttempt() async throws {
        try await TestGateway.run { api in
            let setup = try await Self.setUp(api)
            try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query(
                    """
                    CREATE FUNCTION refuse_results() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'the result is refused' USING ERRCODE = '22023'; END $$
                    """
                )
                try await client.query(
                    """
                    CREATE TRIGGER refuse_results BEFORE UPDATE ON upload_tasks
                    FOR EACH ROW WHEN (NEW.status = 'COMPLETED') EXECUTE FUNCTION refuse_results()
                    """
                )
            }
            var builder = try ArchiveBuilder()
            defer { builder.remove() }
            try builder.add("front_full_body.jpg", image: "progressive_65x33.jpg")
            let archive = try builder.archive()
            let task = try await TestWorker.run(api.config) { try await Self.ingest(archive, setup, api) }
            #expect(task["status"].string == "FAILED")
            #expect(task["error_message"].string == "The result could not be saved: the result is refused.")
            #expect(try await Self.attempts(of: task, api) == 1)
            #expect(try await Self.count("set_base_images", api) == 0)
        }
    }

    @Test func theDesignsOwnShotTypesComeBeforePublicOnesWithTheSameKey() async throws {
        try await TestGateway.run { api in
            let setup = try await Self.setUp(api)
            let root = try await api.createUser("curator@example.com", superuser: true)
            let publicFront = try await api.createShotType("Front full body", by: root, extra: ["public": true])
            let publicTop = try await api.createShotType("Top detail", viewAngle: "top", framing: "detail", by: root, extra: ["public": true])
            var builder = try ArchiveBuilder()
            defer { builder.remove() }
            try builder.add("front_full_body.jpg", image: "progressive_65x33.jpg")
            try builder.add("sku_back_upper_body_1.png", image: "rgb_33x17.png")
            try builder.add("top_detail.jpg", image: "baseline_64x48.jpg")
            let archive = try builder.archive()
            let task = try await TestWorker.run(api.config) { try await Self.ingest(archive, setup, api) }
            #expect(task["status"].string == "COMPLETED", "\(task)")
            let matched = Self.matched(task)
            #expect(matched["front_full_body.jpg"]?["shot_type_id"].uuid == setup.shotTypes["front"])  // not ambiguous, not the public one
            #expect(matched["sku_back_upper_body_1.png"]?["shot_type_id"].uuid == setup.shotTypes["back"])
            #expect(matched["top_detail.jpg"]?["shot_type_id"].uuid == publicTop)  // no own one: the public one
            let unmatched = Set(task["result_data"]["unmatched_shot_types"].array?.compactMap(\.uuid) ?? [])
            #expect(unmatched.contains(publicFront) && !unmatched.contains(publicTop))
        }
    }

    @Test func aTaskStillRunningAtItsDeadlineFailsInsteadOfRenewingItsLease() async throws {
        try await TestGateway.run { api in
            let setup = try await Self.setUp(api)
            var builder = try ArchiveBuilder()
            defer { builder.remove() }
            try builder.add("front_full_body.jpg", image: "progressive_65x33.jpg")
            let archive = try builder.archive()
            let response = try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(archive))
            let id = try #require(response.json["id"].uuid)
            // Uploaded, then no blob can be written: storing the image waits for ever while
            // the lease is renewed. The lock goes before the worker stops: its slot waits
            // for the stuck statement.
            let logger = Logger(label: "lock")
            let task = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.withConnection { connection in
                    try await connection.query("BEGIN", logger: logger)
                    try await connection.query("LOCK TABLE blobs IN EXCLUSIVE MODE", logger: logger)
                    return try await TestWorker.run(api.config, configure: { $0.deadline = .seconds(3); $0.lease = .seconds(2) }) {
                        let task = try await Self.waitForEnd(id, token: setup.user.token, api)
                        try await connection.query("ROLLBACK", logger: logger)
                        return task
                    }
                }
            }
            #expect(task["status"].string == "FAILED")
            #expect(task["error_message"].string == "Processing took longer than 3 seconds, the limit for one upload.")
            #expect(try await Self.attempts(of: task, api) == 1)
            #expect(try await Self.count("set_base_images", api) == 0)
        }
    }

    @Test func aTaskClaimedAgainAfterItsDeadlineFailsAtOnce() async throws {
        try await TestGateway.run { api in
            let setup = try await Self.setUp(api)
            let id = try await Self.abandonedTask(setup, api, attempts: 1, firstClaimed: Date().addingTimeInterval(-7200))
            let task = try await TestWorker.run(api.config) { try await Self.waitForEnd(id, token: setup.user.token, api) }
            #expect(task["status"].string == "FAILED")
            #expect(task["error_message"].string == "Processing took longer than 3600 seconds, the limit for one upload.")
            #expect(try await Self.count("set_base_images", api) == 0)
        }
    }

    /// Runs one worker per name, all at once, until `body` returns.
    static func withWorkers(_ names: [String], _ config: AppConfig, _ body: @escaping @Sendable () async throws -> Void) async throws {
        guard let first = names.first else { return try await body() }
        try await TestWorker.run(config, name: first) { try await withWorkers(Array(names.dropFirst()), config, body) }
    }

    @Test(arguments: [(workers: 2, tasks: 30), (workers: 3, tasks: 60)])
    func severalWorkersProcessQueuedTasksEachExactlyOnceAndShareThem(_ scale: (workers: Int, tasks: Int)) async throws {
        try await TestGateway.run { api in
            let setup = try await Self.setUp(api)
            var builder = try ArchiveBuilder()
            defer { builder.remove() }
            try builder.add("front_full_body.jpg", image: "progressive_65x33.jpg")
            let archive = try builder.archive()
            var ids: [UUID] = []
            for _ in 0..<scale.tasks {
                let response = try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(archive))
                ids.append(try #require(response.json["id"].uuid))
            }
            let queued = ids
            let names = (0..<scale.workers).map { "worker-\($0)" }
            try await Self.withWorkers(names, api.config) {
                for id in queued { _ = try await Self.waitForEnd(id, token: setup.user.token, api) }
            }
            let rows = try await TestDatabase.withClient(api.databaseURL) { client in
                var rows: [(String, Int32, String)] = []
                for try await row in try await client.query(
                    "SELECT status::text, attempts, split_part(worker_id, ':', 1) FROM upload_tasks"
                ).decode((String, Int32, String).self) { rows.append(row) }
                return rows
            }
            #expect(rows.count == scale.tasks)
            #expect(rows.allSatisfy { $0.0 == "COMPLETED" && $0.1 == 1 })
            #expect(Set(rows.map(\.2)) == Set(names))
        }
    }

    /// An uploaded task that a worker claimed `attempts` times, the first at
    /// `firstClaimed`, each a lease after the one before, the last time
    /// vanishing with the task: its lease has run out (by default just now).
    static func abandonedTask(_ setup: Setup, _ api: GatewayClient, attempts: Int, firstClaimed: Date? = nil) async throws -> UUID {
        var builder = try ArchiveBuilder()
        defer { builder.remove() }
        try builder.add("front_full_body.jpg", image: "progressive_65x33.jpg")
        let response = try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(try builder.archive()))
        let id = try #require(response.json["id"].uuid)
        let lease = api.config.taskLeaseSeconds + 1
        let first = firstClaimed ?? Date().addingTimeInterval(-lease * Double(attempts))
        try await TestDatabase.withDatabase(api.databaseURL) { database in
            let store = UploadTaskStore(database: database, logger: database.logger)
            for attempt in 0..<attempts {
                let now = first.addingTimeInterval(lease * Double(attempt))
                let claim = try await store.claim(workerID: "gone:1:0", lease: .seconds(lease - 1), maxAttempts: attempts, now: now)
                #expect(claim?.task.id == id && claim?.status == .processing)
            }
        }
        return id
    }

    @Test func aTaskWhoseWorkerDiedIsTakenOverAfterItsLease() async throws {
        try await TestGateway.run { api in
            let setup = try await Self.setUp(api)
            let id = try await Self.abandonedTask(setup, api, attempts: 1)
            let task = try await TestWorker.run(api.config) { try await Self.waitForEnd(id, token: setup.user.token, api) }
            #expect(task["status"].string == "COMPLETED")
            let attempts = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("SELECT attempts FROM upload_tasks WHERE id = \(id)").one(Int.self)
            }
            #expect(attempts == 2)
        }
    }

    @Test func aTaskInterruptedTooOftenFails() async throws {
        try await TestGateway.run(configure: { $0.taskMaxAttempts = 3 }) { api in
            let setup = try await Self.setUp(api)
            let id = try await Self.abandonedTask(setup, api, attempts: 3)
            let task = try await TestWorker.run(api.config) { try await Self.waitForEnd(id, token: setup.user.token, api) }
            #expect(task["status"].string == "FAILED")
            #expect(task["error_message"].string == "Processing was interrupted 3 times.")
        }
    }
}
