import Crypto
import Foundation
import HTTPTypes
import NIOCore
import PostgresNIO
import Shared
import Testing
import TestSupport

/// Resumable uploads (tus 1.0.0) spoken byte for byte: creation, offsets,
/// checksums, termination, expiry, ownership and the rules the plain upload
/// route keeps too.
@Suite("Resumable uploads (tus protocol)")
struct ResumableUploadProtocolTests {
    static func base64(_ digest: some Sequence<UInt8>) -> String { Data(digest).base64EncodedString() }


    // MARK: Tests

    @Test func optionsAnswersWhatTheServerSpeaksWithoutCredentials() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            for path in ["/api/v1/set-designs/\(setup.design)/base-images/uploads", "/api/v1/set-designs/\(setup.design)/base-images/uploads/\(UUID())"] {
                let response = try await api.request(.options, path)
                #expect(response.status == .noContent, "\(path)")
                #expect(response.header("Tus-Resumable") == "1.0.0" && response.header("Tus-Version") == "1.0.0")
                #expect(response.header("Tus-Extension") == "creation,termination,expiration,checksum")
                #expect(response.header("Tus-Checksum-Algorithm") == "sha1,sha256")
                #expect(response.header("Tus-Max-Size") == String(api.config.maxUploadBytes))
            }
        }
    }

    @Test func creationIsCheckedAsTheUploadRouteAndAnswersWhereTheUploadLives() async throws {
        try await TestGateway.run(configure: { $0.maxUploadBytes = 1000 }) { api in
            let setup = try await UploadSetup.make(api)
            let token = setup.user.token
            let uploads = "/api/v1/set-designs/\(setup.design)/base-images/uploads"
            // Every tus request but OPTIONS names the version; every answer carries it, errors too.
            let noVersion = try await api.request(.post, uploads, token: token, headers: [HTTPField.Name("Upload-Length")!: "10"])
            #expect(noVersion.status == .preconditionFailed && noVersion.header("Tus-Version") == "1.0.0")
            #expect(noVersion.header("Tus-Resumable") == "1.0.0")
            let anonymous = try await api.request(.post, uploads, headers: GatewayClient.tus)
            #expect(anonymous.status == .unauthorized && anonymous.header("Tus-Resumable") == "1.0.0")
            #expect(try await api.request(.post, uploads, token: token, headers: GatewayClient.tus).status == .badRequest)  // no Upload-Length
            #expect(try await api.tusCreate(setup, length: 1001).status == .contentTooLarge)
            #expect(try await api.tusCreate(setup, length: 1).status == .unprocessableContent)  // too short for a ZIP
            #expect(try await api.tusCreate(setup, length: 0).status == .unprocessableContent)
            var overflow = GatewayClient.tus
            overflow[HTTPField.Name("Upload-Length")!] = "99999999999999999999999999"
            #expect(try await api.request(.post, uploads, token: token, headers: overflow).status == .contentTooLarge)
            #expect(try await api.tusCreate(setup, length: 10, extra: [HTTPField.Name("Upload-Defer-Length")!: "1"]).status == .badRequest)
            let unknownDesign = try await api.request(
                .post, "/api/v1/set-designs/\(UUID())/base-images/uploads", token: token, headers: [HTTPField.Name("Upload-Length")!: "10", HTTPField.Name("Tus-Resumable")!: "1.0.0"]
            )
            #expect(unknownDesign.status == .notFound)
            var withSubject = GatewayClient.tus
            withSubject[HTTPField.Name("Upload-Length")!] = "10"
            let foreignSubject = try await api.request(.post, uploads + "?subject_id=\(UUID())", token: token, headers: withSubject)
            #expect(foreignSubject.status == .unprocessableContent && foreignSubject.json["detail"][0]["loc"] == ["query", "subject_id"])
            let badMetadata = try await api.tusCreate(setup, length: 10, extra: [HTTPField.Name("Upload-Metadata")!: "filename not-base64!"])
            #expect(badMetadata.status == .badRequest)
            #expect(try await api.partialBlobCount() == 0)  // nothing refused left bytes behind

            let metadata = "filename \(Data("shoot.zip".utf8).base64EncodedString()),is_confidential"
            let created = try await api.tusCreate(setup, length: 10, extra: [HTTPField.Name("Upload-Metadata")!: metadata])
            #expect(created.status == .created)
            #expect(created.header("Location")?.hasPrefix("http://localhost/api/v1/set-designs/\(setup.design.lowercasedString)/base-images/uploads/") == true)
            let state = try await api.tusHead(try created.uploadPath(), token: token)
            #expect(state.status == .ok && state.header("Upload-Offset") == "0" && state.header("Upload-Length") == "10")
            #expect(state.header("Cache-Control") == "no-store" && state.header("Upload-Metadata") == metadata)
            #expect(state.header("Upload-Expires")?.hasSuffix(" GMT") == true)
            #expect(state.body.readableBytes == 0)
        }
    }

    @Test func patchesAppendAtTheServersOffsetAndTheLastOneQueuesTheTask() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            let token = setup.user.token
            let archive = try ArchiveBuilder.oneImage()
            let created = try await api.tusCreate(setup, length: archive.count)
            let path = try created.uploadPath()
            let (first, rest) = (Array(archive.prefix(100)), Array(archive.dropFirst(100)))

            #expect(try await api.tusPatch(path, token: token, offset: 0, first, contentType: "application/zip").status == .unsupportedMediaType)
            let wrongOffset = try await api.tusPatch(path, token: token, offset: 5, first)
            #expect(wrongOffset.status == .conflict && wrongOffset.header("Upload-Offset") == "0")
            let accepted = try await api.tusPatch(path, token: token, offset: 0, first, checksum: "sha1 " + Self.base64(Insecure.SHA1.hash(data: first)))
            #expect(accepted.status == .noContent && accepted.header("Upload-Offset") == "100")
            #expect(accepted.header("Upload-Expires") != nil && accepted.header("Upload-Task-Id") == nil)
            // A body that does not match its checksum keeps nothing.
            let corrupted = try await api.tusPatch(path, token: token, offset: 100, rest, checksum: "sha256 " + Self.base64(SHA256.hash(data: first)))
            #expect(corrupted.status.code == 460)
            #expect(try await api.tusOffset(path, token: token) == 100)
            #expect(try await api.tusPatch(path, token: token, offset: 100, rest, checksum: "md5 AAAA").status == .badRequest)
            // More than the upload's length is refused.
            #expect(try await api.tusPatch(path, token: token, offset: 100, rest + [0]).status == .contentTooLarge)
            #expect(try await api.tusOffset(path, token: token) == 100)

            let last = try await api.tusPatch(path, token: token, offset: 100, rest, checksum: "sha256 " + Self.base64(SHA256.hash(data: rest)))
            #expect(last.status == .noContent && last.header("Upload-Offset") == String(archive.count))
            let taskID = try #require(last.header("Upload-Task-Id").flatMap(UUID.init(uuidString:)))
            #expect(path.hasSuffix(taskID.lowercasedString))  // the task takes the upload's id
            let task = try await api.get("/api/v1/set-designs/upload-tasks/\(taskID)", token: token)
            #expect(task.status == .ok && task.json["status"] == "PENDING" && task.json["subject_id"] == .null)
            // The archive is the upload's bytes, whole, under the task.
            let stored = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query(
                    "SELECT b.size FROM upload_tasks u JOIN blobs b ON b.key = u.archive_blob_key WHERE u.id = \(taskID)"
                ).one(Int.self)
            }
            #expect(stored == archive.count)
            // A repeated last PATCH is answered as before; HEAD says where it went.
            let again = try await api.tusPatch(path, token: token, offset: archive.count, [])
            #expect(again.status == .noContent && again.header("Upload-Task-Id") == taskID.lowercasedString)
            #expect(try await api.tusHead(path, token: token).header("Upload-Task-Id") == taskID.lowercasedString)
            #expect(try await api.partialBlobCount() == 0)
        }
    }

    @Test func aUserHasAtMostSixteenUnfinishedUploadsAndEndingOneMakesRoom() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            var paths: [String] = []
            for _ in 0..<16 { paths.append(try (try await api.tusCreate(setup, length: 100)).uploadPath()) }
            let refused = try await api.tusCreate(setup, length: 100)
            #expect(refused.status == .tooManyRequests && refused.header("Retry-After") != nil)
            // Another user is not held back by it.
            let other = try await UploadSetup.make(api, "bob@example.com")
            #expect(try await api.tusCreate(other, length: 100).status == .created)
            #expect(try await api.request(.delete, paths[0], token: setup.user.token, headers: GatewayClient.tus).status == .noContent)
            #expect(try await api.tusCreate(setup, length: 100).status == .created)
        }
    }

    @Test func bytesThatAreNotAZipAreRefusedAndTheUploadEnded() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            let created = try await api.tusCreate(setup, length: 1000)
            let path = try created.uploadPath()
            let refused = try await api.tusPatch(path, token: setup.user.token, offset: 0, Array("%PDF-1.7 not an archive".utf8))
            #expect(refused.status == .unprocessableContent && refused.json["detail"][0]["msg"] == "The uploaded file is not a ZIP archive")
            #expect(try await api.tusHead(path, token: setup.user.token).status == .notFound)
            #expect(try await api.partialBlobCount() == 0)
        }
    }

    @Test func anotherUsersUploadIsNotFoundAndTerminationFreesTheBytes() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            let mallory = try await api.createUser("mallory@example.com")
            let path = try (try await api.tusCreate(setup, length: 50)).uploadPath()
            #expect(try await api.tusPatch(path, token: setup.user.token, offset: 0, [0x50, 0x4B, 0x03, 0x04, 1, 2]).status == .noContent)
            #expect(try await api.tusHead(path, token: mallory.token).status == .notFound)
            #expect(try await api.tusPatch(path, token: mallory.token, offset: 6, [1]).status == .notFound)
            #expect(try await api.request(.delete, path, token: mallory.token, headers: GatewayClient.tus).status == .notFound)
            // Under another design's path, it is not there either.
            let elsewhere = path.replacingOccurrences(of: setup.design.lowercasedString, with: UUID().uuidString)
            #expect(try await api.tusHead(elsewhere, token: setup.user.token).status == .notFound)
            #expect(try await api.tusOffset(path, token: setup.user.token) == 6)

            #expect(try await api.partialBlobCount() == 1)
            #expect(try await api.request(.delete, path, token: setup.user.token, headers: GatewayClient.tus).status == .noContent)
            #expect(try await api.tusHead(path, token: setup.user.token).status == .notFound)
            #expect(try await api.partialBlobCount() == 0)
        }
    }

    @Test func aPatchCutOffMidBodyKeepsEveryByteThatArrived() async throws {
        let root = NSTemporaryDirectory() + "resumable-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        for store in [BlobStoreLocation.postgres, .filesystem(path: root)] {
            try await TestGateway.run(configure: { $0.blobStore = store }) { api in
                let setup = try await UploadSetup.make(api)
                let path = try (try await api.tusCreate(setup, length: 40_000_000)).uploadPath()
                // 2.5 MB of a promised 40 MB body, then the connection is closed.
                let script = """
                    import socket, sys, time
                    port, path, token = int(sys.argv[1]), sys.argv[2], sys.argv[3]
                    s = socket.create_connection(("127.0.0.1", port))
                    s.sendall((f"PATCH {path} HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: Bearer {token}\\r\\nTus-Resumable: 1.0.0\\r\\n"
                               "Content-Type: application/offset+octet-stream\\r\\nUpload-Offset: 0\\r\\nContent-Length: 40000000\\r\\n\\r\\n").encode())
                    s.sendall(b"PK\\x03\\x04" + bytes(2_499_996))
                    time.sleep(0.5)
                    s.close()
                    """
                let client = try ChildProcess(
                    URL(fileURLWithPath: "/usr/bin/python3"), arguments: ["-c", script, String(api.port), path, setup.user.token],
                    environment: ProcessInfo.processInfo.environment
                )
                #expect(await client.exitStatus(within: .seconds(60)) == 0, "\(client.output)")
                let kept = try await eventually(within: .seconds(20)) {
                    try await api.tusOffset(path, token: setup.user.token) == 2_500_000
                }
                let offset = try await api.tusOffset(path, token: setup.user.token)
                #expect(kept, "\(store): \(offset ?? -1)")
                // And the upload goes on from there.
                let next = try await api.tusPatch(path, token: setup.user.token, offset: 2_500_000, [1, 2, 3])
                #expect(next.status == .noContent && next.header("Upload-Offset") == "2500003")
            }
        }
    }

    @Test func anUploadResumesOnAGatewayStartedAfterTheOneThatTookItsFirstBytes() async throws {
        try await TestDatabase.withFresh { url in
            let archive = try ArchiveBuilder.oneImage()
            let (setup, path) = try await TestGateway.run(database: url) { api in
                let setup = try await UploadSetup.make(api)
                let path = try (try await api.tusCreate(setup, length: archive.count)).uploadPath()
                #expect(try await api.tusPatch(path, token: setup.user.token, offset: 0, Array(archive.prefix(777))).status == .noContent)
                return (setup, path)
            }
            try await TestGateway.run(database: url) { api in
                #expect(try await api.tusOffset(path, token: setup.user.token) == 777)
                let last = try await api.tusPatch(path, token: setup.user.token, offset: 777, Array(archive.dropFirst(777)))
                #expect(last.status == .noContent && last.header("Upload-Task-Id") != nil)
            }
        }
    }
}
