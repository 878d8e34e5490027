import Crypto
import Foundation
import HTTPTypes
import Logging
import NIOCore
import PostgresNIO
import Shared
import Testing
import TestSupport
@testable import WorkerApp

/// Resumable uploads against clients that stall, cut off, race, overflow,
/// send odd headers, or lose access, and a database that fails mid-request:
/// the archive a task gets is always the bytes sent, and nothing answers 500.
@Suite("Resumable uploads under attack")
struct ResumableUploadAttackTests {
    static let rawClient = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Resumable/raw_patch.py")

    static func body(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        var bytes = [UInt8](repeating: 0, count: count)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        bytes.replaceSubrange(0..<4, with: [0x50, 0x4B, 0x03, 0x04])
        return bytes
    }

    static func hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }
    static func b64sha256(_ bytes: some Sequence<UInt8>) -> String { Data(SHA256.hash(data: Array(bytes))).base64EncodedString() }

    static func tempFile(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "tus-body-" + UUID().uuidString
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Starts raw_patch.py with its configuration.
    static func raw(
        _ api: GatewayClient, path: String, token: String, body: String?, headers: [String: String], steps: [[Any]],
        chunked: Bool = false, contentLength: Int? = nil, method: String = "PATCH", rawHeaderHex: String = ""
    ) throws -> ChildProcess {
        var config: [String: Any] = [
            "port": api.port, "path": path, "token": token, "headers": headers, "steps": steps, "chunked": chunked,
            "method": method, "raw_header_hex": rawHeaderHex,
        ]
        if let body { config["body"] = body }
        if let contentLength { config["content_length"] = contentLength }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self)
        return try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/python3"), arguments: [rawClient.path, json], environment: ProcessInfo.processInfo.environment
        )
    }

    /// The status raw_patch.py printed (nil: closed without one).
    static func status(of process: ChildProcess, within limit: Duration = .seconds(120)) async throws -> (Int?, String) {
        guard await process.exitStatus(within: limit) == 0, let line = process.output.split(separator: "\n").last else {
            throw TestFailure("raw_patch.py failed: \(process.output)")
        }
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
        return (object["status"] as? Int, object["head"] as? String ?? "")
    }

    static func configure(_ store: TestBlobStore, root: String) -> @Sendable (inout AppConfig) -> Void {
        { config in if store == .filesystem { config.blobStore = .filesystem(path: root) } }
    }

    /// SHA-256 (hex) of the archive a task got, as stored; "" when its bytes are gone.
    static func archiveSHA(_ api: GatewayClient, uploadID: String, store: TestBlobStore, root: String) async throws -> String {
        let key = UploadArchive.key(taskID: UUID(uuidString: uploadID)!)
        if store == .filesystem {
            guard let data = FileManager.default.contents(atPath: root + "/" + key) else { return "missing" }
            return hex(Array(data))
        }
        return try await TestDatabase.withClient(api.databaseURL) { client in
            try await client.query(
                """
                SELECT coalesce(encode(sha256(string_agg(c.data, ''::bytea ORDER BY c.seq)), 'hex'), '')
                FROM blobs b LEFT JOIN blob_chunks c ON c.blob_id = b.id WHERE b.key = \(key)
                """
            ).one(String.self)
        }
    }

    static func sql(_ api: GatewayClient, _ statements: String...) async throws {
        try await TestDatabase.withClient(api.databaseURL) { client in
            for statement in statements { _ = try await client.query(PostgresQuery(unsafeSQL: statement)).collect() }
        }
    }

    static func uploadID(_ path: String) -> String { String(path.split(separator: "/").last!) }

    // MARK: A PATCH that lost its claim touches nothing

    @Test(.tags(.slow), .slowTestsEnabled, arguments: TestBlobStore.allCases)
    func aStalledChecksumPatchThatLostItsClaimDoesNotTouchTheCompletedArchive(_ store: TestBlobStore) async throws {
        let root = NSTemporaryDirectory() + "tus-attack-" + UUID().uuidString
        try await TestGateway.run(configure: Self.configure(store, root: root)) { api in
            let setup = try await UploadSetup.make(api)
            let body = Self.body(3 << 20, seed: 1)
            let path = try (try await api.tusCreate(setup, length: body.count)).uploadPath()
            let file = try Self.tempFile(body)
            let go = NSTemporaryDirectory() + "tus-go-" + UUID().uuidString
            // Connection A: a checksummed PATCH of the whole archive that stalls after 1.5 MB (a half-open connection).
            let stalled = try Self.raw(
                api, path: path, token: setup.user.token, body: file,
                headers: ["Upload-Offset": "0", "Upload-Checksum": "sha256 \(Self.b64sha256(body))"],
                steps: [["send", 1_500_000], ["wait", go], ["close"]]
            )
            try await Task.sleep(for: .seconds(2))
            #expect(try await api.tusPatch(path, token: setup.user.token, offset: 0, [0x50, 0x4B, 0x03, 0x04]).status.code == 423)
            // The client gives up on A and, once the claim's lease passed, sends the archive again on B.
            try await Task.sleep(for: .seconds(31))
            let retried = try await api.tusPatch(path, token: setup.user.token, offset: 0, body)
            #expect(retried.status == .noContent && retried.header("Upload-Task-Id") != nil, "\(retried.status)")
            let id = Self.uploadID(path)
            let before = try await Self.archiveSHA(api, uploadID: id, store: store, root: root)
            #expect(before == Self.hex(body))
            // A's connection finally ends.
            _ = FileManager.default.createFile(atPath: go, contents: nil)
            _ = try await Self.status(of: stalled)
            try await Task.sleep(for: .seconds(3))
            let after = try await Self.archiveSHA(api, uploadID: id, store: store, root: root)
            #expect(after == Self.hex(body), "\(store): the queued task's archive changed under it after A ended: \(after)")
        }
    }

    // MARK: Completion retried after its transaction failed

    @Test(arguments: TestBlobStore.allCases)
    func aCompletionWhoseTransactionFailedIsFinishedByTheNextPatch(_ store: TestBlobStore) async throws {
        let root = NSTemporaryDirectory() + "tus-attack-" + UUID().uuidString
        try await TestGateway.run(configure: Self.configure(store, root: root)) { api in
            let setup = try await UploadSetup.make(api)
            let archive = try ArchiveBuilder.oneImage()
            let path = try (try await api.tusCreate(setup, length: archive.count)).uploadPath()
            #expect(try await api.tusPatch(path, token: setup.user.token, offset: 0, Array(archive.prefix(100))).status == .noContent)
            // The queueing transaction fails once (a database hiccup).
            try await Self.sql(
                api, "CREATE FUNCTION fail_task() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$",
                "CREATE TRIGGER fail_task BEFORE INSERT ON upload_tasks FOR EACH ROW EXECUTE FUNCTION fail_task()"
            )
            let failed = try await api.tusPatch(path, token: setup.user.token, offset: 100, Array(archive.dropFirst(100)))
            try await Self.sql(api, "DROP TRIGGER fail_task ON upload_tasks")
            let state = try await api.tusHead(path, token: setup.user.token)
            let retry = try await api.tusPatch(path, token: setup.user.token, offset: archive.count, [])
            let after = try await api.tusHead(path, token: setup.user.token)
            #expect(
                retry.status == .noContent && retry.header("Upload-Task-Id") != nil,
                """
                \(store): failed \(failed.status); HEAD then \(state.status) offset \(state.header("Upload-Offset") ?? "-") task \(state.header("Upload-Task-Id") ?? "-"); \
                retry \(retry.status) \(retry.text); HEAD after \(after.status) offset \(after.header("Upload-Offset") ?? "-") task \(after.header("Upload-Task-Id") ?? "-")
                """
            )
        }
    }

    // MARK: All bytes in, the PATCH failed after them

    @Test(arguments: TestBlobStore.allCases)
    func anUploadWhoseLastBytesArrivedBecomesATaskWithoutAnotherPatch(_ store: TestBlobStore) async throws {
        let root = NSTemporaryDirectory() + "tus-attack-" + UUID().uuidString
        try await TestGateway.run(configure: Self.configure(store, root: root)) { api in
            let setup = try await UploadSetup.make(api)
            let archive = try ArchiveBuilder.oneImage()
            let file = try Self.tempFile(archive)
            for steps: [[Any]] in [[["rest"], ["sleep", 0.5], ["extra", 1], ["end"], ["response"]], [["rest"], ["sleep", 0.5], ["close"]]] {
                let path = try (try await api.tusCreate(setup, length: archive.count)).uploadPath()
                let client = try Self.raw(api, path: path, token: setup.user.token, body: file, headers: ["Upload-Offset": "0"], steps: steps, chunked: true)
                let (status, _) = try await Self.status(of: client)
                // A tus client that asks HEAD and sees offset == length considers the upload done: it must be a task.
                let queued = await eventually(within: .seconds(10)) {
                    (try? await api.tusHead(path, token: setup.user.token).header("Upload-Task-Id")) != nil
                }
                let offset = try await api.tusOffset(path, token: setup.user.token)
                #expect(queued && offset == archive.count, "\(store) \(steps.count) steps: PATCH \(status.map(String.init) ?? "cut"); offset \(offset ?? -1)")
            }
        }
    }

    // MARK: A chunk write that fails mid-PATCH (postgres)

    @Test func aFailedChunkWriteDoesNotShiftTheBytesAfterIt() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            let body = Self.body(3_500_000, seed: 4)
            let path = try (try await api.tusCreate(setup, length: body.count)).uploadPath()
            // The second chunk insert fails once (a dropped connection, a pool timeout...).
            try await Self.sql(
                api, "CREATE SEQUENCE chunk_inserts",
                """
                CREATE FUNCTION fail_second_chunk() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF nextval('chunk_inserts') = 2 THEN RAISE EXCEPTION 'injected'; END IF; RETURN NEW; END $$
                """,
                "CREATE TRIGGER fail_second_chunk BEFORE INSERT ON blob_chunks FOR EACH ROW EXECUTE FUNCTION fail_second_chunk()"
            )
            let client = try Self.raw(
                api, path: path, token: setup.user.token, body: try Self.tempFile(body), headers: ["Upload-Offset": "0"], steps: [["rest"], ["response"]]
            )
            let first = try await Self.status(of: client).0 ?? -1
            let offset = try #require(try await api.tusOffset(path, token: setup.user.token))
            // The client goes on from the server's offset, as tus says.
            let last = try await api.tusPatch(path, token: setup.user.token, offset: offset, Array(body[offset...]))
            #expect(last.header("Upload-Task-Id") != nil)
            let stored = try await Self.archiveSHA(api, uploadID: Self.uploadID(path), store: .postgres, root: "")
            #expect(stored == Self.hex(body), "first PATCH \(first), resumed at \(offset): the archive is not the bytes sent")
        }
    }

    // MARK: A checksum mismatch after a whole chunk was written (postgres)

    @Test func aChecksumMismatchAcrossAChunkBoundaryIs460AndTheUploadGoesOn() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            let token = setup.user.token
            let body = Self.body(3_000_000, seed: 5)
            let path = try (try await api.tusCreate(setup, length: body.count)).uploadPath()
            #expect(try await api.tusPatch(path, token: token, offset: 0, Array(body[0..<700_000])).status == .noContent)
            let mismatch = try await api.tusPatch(path, token: token, offset: 700_000, Array(body[700_000..<1_600_000]), checksum: "sha256 " + Self.b64sha256(body[0..<1]))
            let next = try await api.tusPatch(path, token: token, offset: 700_000, Array(body[700_000...]))
            #expect(
                mismatch.status.code == 460 && next.status == .noContent,
                "mismatch \(mismatch.status) \(mismatch.text); the correct PATCH then \(next.status) \(next.text)"
            )
        }
    }

    // MARK: 1-3 bytes at offset 0, and the signature split across TCP segments

    @Test func tinyFirstPatchesAndASplitSignature() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            let token = setup.user.token
            let path = try (try await api.tusCreate(setup, length: 100)).uploadPath()
            for bytes: [UInt8] in [[0x50], [0x50, 0x4B], [0x50, 0x4B, 0x03], [0x25, 0x50, 0x44]] {
                // Too few to judge the signature by: refused, nothing kept.
                #expect(try await api.tusPatch(path, token: token, offset: 0, bytes).status == .badRequest)
                #expect(try await api.tusOffset(path, token: token) == 0)
            }
            for (label, body, expected) in [("zip", [0x50, 0x4B, 0x03, 0x04, 1, 2, 3, 4, 5, 6] as [UInt8], 204), ("pdf", Array("%PDF-1.7 x".utf8), 422)] {
                let fresh = try (try await api.tusCreate(setup, length: 100)).uploadPath()
                let client = try Self.raw(
                    api, path: fresh, token: token, body: try Self.tempFile(body), headers: ["Upload-Offset": "0"],
                    steps: [["send", 2], ["sleep", 0.3], ["send", 1], ["sleep", 0.3], ["rest"], ["response"]]
                )
                let (status, _) = try await Self.status(of: client)
                #expect(status == expected, "\(label)")
            }
        }
    }

    // MARK: Access revoked after creation

    @Test func aMemberRemovedFromTheOrganizationCannotFinishAnUploadToItsDesign() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            let organization = try await api.createOrganization(admin: alice)
            try await api.addMember(bob, to: organization, by: alice)
            let design = try #require(
                try await api.post("/api/v1/set-designs/?organization_id=\(organization)", token: alice.token, json: ["name": "Team"]).json["id"].uuid
            )
            let archive = try ArchiveBuilder.oneImage()
            var headers = GatewayClient.tus
            headers[HTTPField.Name("Upload-Length")!] = String(archive.count)
            let created = try await api.request(.post, "/api/v1/set-designs/\(design)/base-images/uploads", token: bob.token, headers: headers)
            #expect(created.status == .created)
            let path = try created.uploadPath()
            #expect(try await api.tusPatch(path, token: bob.token, offset: 0, Array(archive.prefix(100))).status == .noContent)
            #expect(try await api.delete("/api/v1/organizations/\(organization)/members/\(bob.id)", token: alice.token).status == .ok)
            #expect(try await api.get("/api/v1/set-designs/\(design)", token: bob.token).status == .notFound)
            let plain = try await api.upload("/api/v1/set-designs/\(design)/base-images/upload", token: bob.token, form: .file(archive))
            #expect(plain.status == .notFound)
            let last = try await api.tusPatch(path, token: bob.token, offset: 100, Array(archive.dropFirst(100)))
            #expect(last.status == .notFound, "bob, no longer a member, finished the upload: \(last.status) task \(last.header("Upload-Task-Id") ?? "-")")
            // A superuser does not see bob's upload (owner only): as required.
            #expect(try await api.tusHead(path, token: try await api.superuserToken()).status == .notFound)
        }
    }

    // MARK: Headers: never a 500, always Tus-Resumable

    @Test func oddHeadersAreRefusedCleanly() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            let uploads = "/api/v1/set-designs/\(setup.design)/base-images/uploads"
            func check(_ label: String, _ response: APIResponse) {
                #expect(response.status.code < 500 && response.header("Tus-Resumable") == "1.0.0", "\(label): \(response.status) \(response.text)")
            }
            for length in ["+10", "-10", "-0", "1 0", "0x10", "1e3", "10.0", "١٠", "9223372036854775807", "9223372036854775808", "0010"] {
                var headers = GatewayClient.tus
                headers[HTTPField.Name("Upload-Length")!] = length
                check("Upload-Length \(length)", try await api.request(.post, uploads, token: setup.user.token, headers: headers))
            }
            var twice = GatewayClient.tus
            twice.append(HTTPField(name: HTTPField.Name("Upload-Length")!, value: "10"))
            twice.append(HTTPField(name: HTTPField.Name("Upload-Length")!, value: "10"))
            check("Upload-Length twice", try await api.request(.post, uploads, token: setup.user.token, headers: twice))
            let metadata = [
                "filename", "filename ", "filename  ZmlsZQ==", "filename ZmlsZQ==,filename YWJj", ",", ",,", "a b c", "filename ZmlsZQ",
                "filename ZmlsZQ===", "filename AA==", "filename //79/w==", "ключ ZmlsZQ==", "filename \(String(repeating: "A", count: 4086))",
                "filename\tZmlsZQ==", "filename ZmlsZQ==,", "x \(String(repeating: "QUFB", count: 1022))",
            ]
            for value in metadata {
                let created = try await api.tusCreate(setup, length: 10, extra: [HTTPField.Name("Upload-Metadata")!: value])
                check("Upload-Metadata \(value.prefix(30)) (\(value.utf8.count))", created)
                if created.status == .created {
                    check("HEAD after metadata \(value.prefix(30))", try await api.tusHead(try created.uploadPath(), token: setup.user.token))
                    _ = try await api.request(.delete, try created.uploadPath(), token: setup.user.token, headers: GatewayClient.tus)
                }
            }
            let digest = Self.b64sha256([0x50, 0x4B, 0x03, 0x04])
            let patches: [(String, String, String?)] = [
                ("+0", "application/offset+octet-stream", nil), ("-0", "application/offset+octet-stream", nil),
                ("18446744073709551616", "application/offset+octet-stream", nil), ("0", "application/offset+octet-stream;", nil),
                ("0", "Application/Offset+Octet-Stream ; x=1", nil), ("0", "application/offset+octet-stream", "sha256"),
                ("0", "application/offset+octet-stream", "sha256 "), ("0", "application/offset+octet-stream", "SHA256 \(digest)"),
                ("0", "application/offset+octet-stream", "sha256 \(digest) extra"), ("0", "application/offset+octet-stream", "sha1 \(digest)"),
                ("0", "application/offset+octet-stream", "sha256 !!!!"), ("0", "application/offset+octet-stream", "crc32 AAAA"),
                ("0", "application/offset+octet-stream", "sha256 \(digest.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))"),
                ("0", "application/offset+octet-stream", "sha256 \(digest.replacingOccurrences(of: "=", with: ""))"),
            ]
            for (offset, type, checksum) in patches {
                let path = try (try await api.tusCreate(setup, length: 10)).uploadPath()
                var headers = GatewayClient.tus
                headers[.contentType] = type
                headers[HTTPField.Name("Upload-Offset")!] = offset
                if let checksum { headers[HTTPField.Name("Upload-Checksum")!] = checksum }
                check(
                    "PATCH offset \(offset) type \(type) checksum \(checksum ?? "-")",
                    try await api.request(.patch, path, token: setup.user.token, body: ByteBuffer(bytes: [0x50, 0x4B, 0x03, 0x04]), headers: headers)
                )
                _ = try await api.request(.delete, path, token: setup.user.token, headers: GatewayClient.tus)
            }
            for version in ["1.0.0, 1.0.0", "1.0", "1.0.0 ", "1.0.0;"] {
                let path = try (try await api.tusCreate(setup, length: 10)).uploadPath()
                check("Tus-Resumable \(version)", try await api.request(.head, path, token: setup.user.token, headers: [HTTPField.Name("Tus-Resumable")!: version]))
                _ = try await api.request(.delete, path, token: setup.user.token, headers: GatewayClient.tus)
            }
            // Raw bytes no client library sends: NUL and obs-text in Upload-Metadata, Content-Length beside chunked.
            let path = try (try await api.tusCreate(setup, length: 10)).uploadPath()
            for (label, hex, method, target) in [
                ("metadata NUL", "55706c6f61642d4d657461646174613a206b00205a6d6c735a513d3d", "POST", uploads),
                ("metadata obs-text", "55706c6f61642d4d657461646174613a206bff205a6d6c735a513d3d", "POST", uploads),
                ("CL and TE", "436f6e74656e742d4c656e6774683a2034", "PATCH", path),
            ] {
                var headers = ["Upload-Offset": "0"]
                if method == "POST" { headers = ["Upload-Length": "10"] }
                let client = try Self.raw(
                    api, path: target, token: setup.user.token, body: nil, headers: headers, steps: label == "CL and TE" ? [["end"], ["response"]] : [["response"]],
                    chunked: label == "CL and TE", method: method, rawHeaderHex: hex + "0d0a"
                )
                let (status, head) = try await Self.status(of: client)
                #expect((status ?? 0) < 500, "\(label): \(head)")
            }
        }
    }

    // MARK: The archive is the bytes sent, whatever failed on the way

    @Test(arguments: TestBlobStore.allCases)
    func theArchiveIsByteIdenticalAfterChecksumFailuresCutOffsAndOverflows(_ store: TestBlobStore) async throws {
        let root = NSTemporaryDirectory() + "tus-attack-" + UUID().uuidString
        try await TestGateway.run(configure: Self.configure(store, root: root)) { api in
            let setup = try await UploadSetup.make(api)
            let token = setup.user.token
            let body = Self.body(3_300_000, seed: 7)
            let path = try (try await api.tusCreate(setup, length: body.count)).uploadPath()
            func patch(_ range: Range<Int>, checksum: String? = nil) async throws -> APIResponse {
                try await api.tusPatch(path, token: token, offset: range.lowerBound, Array(body[range]), checksum: checksum)
            }
            var log: [String] = []
            log.append("a \(try await patch(0..<700_000).status.code)")
            log.append("b \(try await patch(700_000..<1_600_000, checksum: "sha256 " + Self.b64sha256(body[0..<10])).status.code)")
            #expect(try await api.tusOffset(path, token: token) == 700_000)
            // A cut-off mid-body: 1,234,567 of a promised 2,000,000.
            let fromHere = try Self.tempFile(Array(body[700_000...]))
            let cut2 = try Self.raw(
                api, path: path, token: token, body: fromHere, headers: ["Upload-Offset": "700000"],
                steps: [["send", 1_234_567], ["sleep", 0.5], ["close"]], contentLength: 2_000_000
            )
            _ = try await Self.status(of: cut2)
            _ = await eventually(within: .seconds(10)) { (try? await api.tusOffset(path, token: token)) == 1_934_567 }
            var offset = try #require(try await api.tusOffset(path, token: token))
            log.append("cut -> \(offset)")
            // A chunked body past Upload-Length after 300,000 good bytes.
            let rest = try Self.tempFile(Array(body[offset...]))
            let over = try Self.raw(
                api, path: path, token: token, body: rest, headers: ["Upload-Offset": String(offset)],
                steps: [["send", 300_000], ["sleep", 0.5], ["restplus", 1], ["end"], ["response"]], chunked: true
            )
            let (overStatus, _) = try await Self.status(of: over)
            offset = try #require(try await api.tusOffset(path, token: token))
            log.append("overflow \(overStatus ?? -1) -> \(offset)")
            log.append("one byte sha1 \(try await patch(offset..<offset + 1, checksum: "sha1 " + Data(Insecure.SHA1.hash(data: Array(body[offset..<offset + 1]))).base64EncodedString()).status.code)")
            offset += 1
            log.append("wrong checksum \(try await patch(offset..<body.count, checksum: "sha256 " + Self.b64sha256(body[0..<1])).status.code)")
            offset = try #require(try await api.tusOffset(path, token: token))
            let last = try await patch(offset..<body.count, checksum: "sha256 " + Self.b64sha256(body[offset...]))
            log.append("last \(last.status.code) task \(last.header("Upload-Task-Id") ?? "-")")
            let stored = try await Self.archiveSHA(api, uploadID: Self.uploadID(path), store: store, root: root)
            #expect(stored == Self.hex(body), "\(store): \(log)")
        }
    }

    // MARK: A second PATCH, a DELETE, a design deletion and a sweep against a live PATCH

    @Test(arguments: TestBlobStore.allCases)
    func racesAgainstALivePatchEndCleanly(_ store: TestBlobStore) async throws {
        let root = NSTemporaryDirectory() + "tus-attack-" + UUID().uuidString
        try await TestGateway.run(configure: Self.configure(store, root: root)) { api in
            let setup = try await UploadSetup.make(api)
            let token = setup.user.token
            let body = Self.body(3 << 20, seed: 8)
            let file = try Self.tempFile(body)
            for race in ["delete", "design", "sweep"] {
                let design = race == "design"
                    ? try #require(try await api.post("/api/v1/set-designs/", token: token, json: ["name": "Doomed"]).json["id"].uuid) : setup.design
                var headers = GatewayClient.tus
                headers[HTTPField.Name("Upload-Length")!] = String(body.count)
                let path = try (try await api.request(.post, "/api/v1/set-designs/\(design)/base-images/uploads", token: token, headers: headers)).uploadPath()
                let go = NSTemporaryDirectory() + "tus-go-" + UUID().uuidString
                let live = try Self.raw(
                    api, path: path, token: token, body: file, headers: ["Upload-Offset": "0"],
                    steps: [["send", 1_500_000], ["wait", go], ["rest"], ["response"]]
                )
                try await Task.sleep(for: .seconds(1.5))
                let second = try await api.tusPatch(path, token: token, offset: 0, [0x50, 0x4B, 0x03, 0x04])
                #expect(second.status.code == 423 && second.header("Retry-After") != nil, "\(race): \(second.status)")
                switch race {
                case "delete":
                    #expect(try await api.request(.delete, path, token: token, headers: GatewayClient.tus).status == .noContent)
                case "design":
                    #expect(try await api.delete("/api/v1/set-designs/\(design)", token: token).status == .ok)
                default:
                    try await Self.sql(api, "UPDATE resumable_uploads SET expires_at = now() - interval '1 second' WHERE id = '\(Self.uploadID(path))'")
                    try await TestDatabase.withDatabase(api.databaseURL) { database in
                        let blobs = try makeBlobStore(api.config.blobStore, database: database)
                        let sweeper = UploadSweeper(
                            database: database, blobs: blobs, configuration: .init(grace: .seconds(600), interval: .seconds(60)),
                            logger: Logger(label: "sweep-test")
                        )
                        #expect(try await sweeper.sweep(now: Date()).expiredUploads == 1)
                    }
                }
                _ = FileManager.default.createFile(atPath: go, contents: nil)
                let (status, head) = try await Self.status(of: live)
                #expect((status ?? 0) < 500 && (status ?? 0) != 204, "\(race): \(head)")
                #expect(try await api.tusHead(path, token: token).status == .notFound, "\(race)")
            }
            // Nothing left: no partial blobs in either store, once the orphan sweep ran.
            try await TestDatabase.withDatabase(api.databaseURL) { database in
                let blobs = try makeBlobStore(api.config.blobStore, database: database)
                let sweeper = UploadSweeper(
                    database: database, blobs: blobs, configuration: .init(grace: .seconds(0), interval: .seconds(60)), logger: Logger(label: "sweep-test")
                )
                _ = try await sweeper.sweep(now: Date().addingTimeInterval(5))
            }
            let files = (try? FileManager.default.contentsOfDirectory(atPath: root + "/resumable")) ?? []
            let rows = try await api.partialBlobCount()
            #expect(files.isEmpty && rows == 0, "\(store): left \(files) \(rows)")
        }
    }
}
