import Foundation
import HTTPTypes
import NIOCore
import PostgresNIO
import Shared
import Testing
import TestSupport

/// Uploads and slow clients: nothing is held while the gateway waits on a
/// client, uploads are bounded, and whatever fails leaves nothing behind.
@Suite("Upload limits and slow clients")
struct UploadLimitsTests {
    /// Staging writes (uploads in progress) in the database.
    static func stagingBlobs(_ api: GatewayClient) async throws -> Int {
        try await TestDatabase.withClient(api.databaseURL) { client in
            try await client.query("SELECT count(*) FROM blobs WHERE key LIKE 'staging/%'").one(Int.self)
        }
    }

    /// Sessions of the test database that sit in an open transaction.
    static func idleInTransaction(_ api: GatewayClient) async throws -> Int {
        try await TestDatabase.withClient(api.databaseURL) { client in
            try await client.query(
                """
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()
                """
            ).one(Int.self)
        }
    }

    // MARK: Tests

    @Test func slowUploadsHoldNoDatabaseConnectionSoEveryOtherRouteKeepsAnswering() async throws {
        // Twice as many stalled uploads as the pool has connections (4 in tests).
        try await TestGateway.run(configure: { $0.maxConcurrentUploadsPerUser = 16; $0.databasePoolTimeoutSeconds = 2 }) { api in
            let setup = try await UploadSetup.make(api)
            let stalled = try StalledUploads(
                port: api.port, path: setup.uploadPath, token: setup.user.token, count: 8, sentBytes: 3 << 20
            )
            // Every upload has begun writing its archive, and waits for more bytes.
            #expect(try await eventually(within: .seconds(20)) {
                guard stalled.allSent else { return false }
                return try await Self.stagingBlobs(api) == 8
            })
            #expect(try await Self.idleInTransaction(api) == 0)
            for _ in 0..<12 {
                #expect(try await api.get("/api/v1/users/me", token: setup.user.token).status == .ok)
                #expect(try await api.get("/api/v1/set-designs/\(setup.design)", token: setup.user.token).status == .ok)
            }
            let other = try await UploadSetup.make(api, "bob@example.com")
            let upload = try await api.upload(other.uploadPath, token: other.user.token, form: .file(try ArchiveBuilder.oneImage()))
            #expect(upload.status == .accepted)
            // The clients go away: their half-written archives go with them.
            await stalled.stop()
            #expect(try await eventually(within: .seconds(20)) { try await Self.stagingBlobs(api) == 0 })
        }
    }

    @Test func uploadsBeyondAUsersBoundAre429WithRetryAfterWhileOthersStillUpload() async throws {
        try await TestGateway.run(configure: { $0.maxConcurrentUploadsPerUser = 2; $0.maxConcurrentUploads = 3 }) { api in
            let setup = try await UploadSetup.make(api)
            let stalled = try StalledUploads(
                port: api.port, path: setup.uploadPath, token: setup.user.token, count: 2, sentBytes: 2 << 20
            )
            #expect(try await eventually(within: .seconds(20)) {
                guard stalled.allSent else { return false }
                return try await Self.stagingBlobs(api) == 2
            })
            let archive = try ArchiveBuilder.oneImage()
            let refused = try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(archive))
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter].flatMap(Int.init).map { $0 > 0 } == true)
            #expect(refused.json["detail"].string?.isEmpty == false)
            // Another user has a slot of the three; media uploads count alike.
            let other = try await UploadSetup.make(api, "bob@example.com")
            #expect(try await api.upload(other.uploadPath, token: other.user.token, form: .file(archive)).status == .accepted)
            let image = try Fixtures.imageBytes("baseline_64x48.jpg")
            #expect(try await api.upload("/api/v1/media/", token: setup.user.token, form: .file(image)).status == .tooManyRequests)
            await stalled.stop()
            #expect(try await eventually(within: .seconds(20)) {
                try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(archive)).status == .accepted
            })
        }
    }

    @Test func aDeclaredContentLengthOverTheLimitIs413BeforeAnyOfTheBodyIsRead() async throws {
        try await TestGateway.run(configure: { $0.maxUploadBytes = 1 << 20 }) { api in
            let setup = try await UploadSetup.make(api)
            // Headers only: the body never comes, so only an answer before reading it can arrive.
            let script = """
                import socket, sys
                port, token = int(sys.argv[1]), sys.argv[3]
                for path, length in ((sys.argv[2], "99999999999"), ("/api/v1/media/", "99999999999"), ("/api/v1/media/", "99999999999999999999999")):
                    s = socket.create_connection(("127.0.0.1", port))
                    s.settimeout(10)
                    s.sendall((f"POST {path} HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: Bearer {token}\\r\\n"
                               f"Content-Type: application/zip\\r\\nContent-Length: {length}\\r\\n\\r\\nPK\\x03\\x04").encode())
                    print(s.recv(65536).split(b"\\r\\n")[0].decode())
                    s.close()
                """
            // A child process, not `run`: the answers need the cooperative threads a blocking wait would hold.
            let client = try ChildProcess(
                URL(fileURLWithPath: "/usr/bin/python3"),
                arguments: ["-c", script, String(api.port), setup.uploadPath, setup.user.token],
                environment: ProcessInfo.processInfo.environment
            )
            #expect(await client.exitStatus(within: .seconds(30)) == 0)
            let output = client.output
            // A length no integer holds is refused by the HTTP parser itself.
            #expect(output.split(separator: "\n").map { $0.split(separator: " ")[1] } == ["413", "413", "400"])
            #expect(try await api.uploadLeftovers() == 0)
        }
    }

    @Test func aMalformedEndAfterTheFilePartIs422AndLeavesNoArchive() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            var body = ByteBuffer()
            body.writeString("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.zip\"\r\n\r\n")
            body.writeBytes(try ArchiveBuilder.oneImage())
            body.writeString("\r\n--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nno closing boundary")
            let response = try await api.request(
                .post, setup.uploadPath, token: setup.user.token, body: body, headers: [.contentType: "multipart/form-data; boundary=b"]
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.json["detail"][0]["loc"] == ["body", "file"])
            #expect(try await api.uploadLeftovers() == 0)
        }
    }

    @Test(arguments: ["before", "after"])
    func aChunkedBodyIsCutOffWith413OnceItPassesTheLimitWhereverTheExtraPartsAre(_ position: String) async throws {
        try await TestGateway.run(configure: { $0.maxUploadBytes = 1 << 20 }) { api in
            let setup = try await UploadSetup.make(api)
            let archive = try ArchiveBuilder.oneImage()
            // No Content-Length: the limit (the file's plus the multipart envelope) is counted as bytes arrive.
            let script = """
                import socket, sys
                port, path, token, position, archive = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], open(sys.argv[5], "rb").read()
                s = socket.create_connection(("127.0.0.1", port))
                s.settimeout(30)
                s.sendall((f"POST {path} HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: Bearer {token}\\r\\n"
                           "Content-Type: multipart/form-data; boundary=b\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n").encode())
                def chunk(data): s.sendall(b"%x\\r\\n" % len(data) + data + b"\\r\\n")
                def extra():
                    chunk(b"--b\\r\\nContent-Disposition: form-data; name=\\"x\\"\\r\\n\\r\\n")
                    for _ in range(48): chunk(bytes(64 << 10))
                    chunk(b"\\r\\n")
                if position == "before": extra()
                chunk(b"--b\\r\\nContent-Disposition: form-data; name=\\"file\\"; filename=\\"a.zip\\"\\r\\n\\r\\n" + archive + b"\\r\\n")
                if position == "after": extra()
                chunk(b"--b--\\r\\n")
                s.sendall(b"0\\r\\n\\r\\n")
                print(s.recv(65536).split(b"\\r\\n")[0].decode(), flush=True)
                """
            let archivePath = NSTemporaryDirectory() + "chunked-\(UUID().uuidString).zip"
            try Data(archive).write(to: URL(fileURLWithPath: archivePath))
            defer { try? FileManager.default.removeItem(atPath: archivePath) }
            let client = try ChildProcess(
                URL(fileURLWithPath: "/usr/bin/python3"),
                arguments: ["-c", script, String(api.port), setup.uploadPath, setup.user.token, position, archivePath],
                environment: ProcessInfo.processInfo.environment
            )
            #expect(await client.exitStatus(within: .seconds(60)) == 0, "\(client.output)")
            #expect(client.output.hasPrefix("HTTP/1.1 413"), "\(client.output)")
            #expect(try await api.uploadLeftovers() == 0)
            // The same archive in a body within the limit is taken.
            #expect(try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(archive)).status == .accepted)
        }
    }

    @Test(arguments: TestBlobStore.allCases)
    func anUploadStalledUntilTheSweepTookItsWriteIs408AndLeavesNothing(_ store: TestBlobStore) async throws {
        let root = NSTemporaryDirectory() + "stalled-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await TestGateway.run(configure: { if store == .filesystem { $0.blobStore = .filesystem(path: root) } }) { api in
            let setup = try await UploadSetup.make(api)
            let flag = NSTemporaryDirectory() + "resume-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: flag) }
            // 3 MiB, a pause (the sweep runs), then the last MiB of the declared length.
            let script = """
                import os, socket, sys, time
                port, path, token, flag = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
                first, rest = 3 << 20, (1 << 20) - 4
                s = socket.create_connection(("127.0.0.1", port))
                s.settimeout(30)
                s.sendall((f"POST {path} HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: Bearer {token}\\r\\n"
                           f"Content-Type: application/zip\\r\\nContent-Length: {4 + first + rest}\\r\\n\\r\\n").encode())
                s.sendall(b"PK\\x03\\x04" + bytes(first))
                print("sent", flush=True)
                while not os.path.exists(flag): time.sleep(0.02)
                s.sendall(bytes(rest))
                print(s.recv(65536).split(b"\\r\\n")[0].decode(), flush=True)
                """
            let client = try ChildProcess(
                URL(fileURLWithPath: "/usr/bin/python3"),
                arguments: ["-c", script, String(api.port), setup.uploadPath, setup.user.token, flag],
                environment: ProcessInfo.processInfo.environment
            )
            // The write has begun; the sweep finds it untouched for longer than its grace.
            let later = Date().addingTimeInterval(3600)
            var swept = 0
            #expect(try await eventually(within: .seconds(20)) {
                guard client.output.contains("sent") else { return false }
                let removed = switch store {
                case .postgres:
                    try await TestDatabase.withDatabase(api.databaseURL) { database in
                        try await PostgresBlobStore(database: database).removeAbandonedWrites(untouchedSince: later)
                    }
                case .filesystem: try await FilesystemBlobStore(root: root).removeAbandonedWrites(untouchedSince: later)
                }
                swept += removed
                return swept == 1
            })
            _ = FileManager.default.createFile(atPath: flag, contents: nil)
            #expect(await client.exitStatus(within: .seconds(60)) == 0, "\(client.output)")
            #expect(client.output.contains("HTTP/1.1 408"), "\(client.output)")
            #expect(try await api.uploadLeftovers() == 0)
        }
    }

    @Test func aClientThatDisconnectsMidUploadLeavesNoStagingBlobInThePostgresStore() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            let stalled = try StalledUploads(
                port: api.port, path: setup.uploadPath, token: setup.user.token, count: 1, sentBytes: 5 << 20
            )
            #expect(try await eventually(within: .seconds(20)) {
                guard stalled.allSent else { return false }
                return try await Self.stagingBlobs(api) == 1
            })
            await stalled.stop()
            #expect(try await eventually(within: .seconds(20)) { try await api.uploadLeftovers() == 0 })
        }
    }
}
