import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Shared
import Testing
import TestSupport
@testable import WorkerApp

/// Resumable uploads end to end: the real tus client (tuspy) through the
/// deployed nginx config, stopped half-way and resumed by a fresh client,
/// processed by a worker; and the sweep of expired uploads.
@Suite("Resumable uploads")
struct ResumableUploadTests {
    static var python: URL {
        get throws {
            guard let path = ProcessInfo.processInfo.environment["TEST_PYTHON"] else {
                throw TestFailure("TEST_PYTHON is not set: run the tests with deploy/local/test")
            }
            return URL(fileURLWithPath: path)
        }
    }

    static let client = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Resumable/tus_client.py")

    /// One run of tus_client.py; its JSON line.
    static func tuspy(_ arguments: [String], home: URL) async throws -> JSONValue {
        let process = try ChildProcess(
            try python, arguments: [client.path] + arguments,
            environment: ["HOME": home.path, "PYTHONDONTWRITEBYTECODE": "1", "LC_ALL": "C.UTF-8", "NO_PROXY": "*"]
        )
        guard await process.exitStatus(within: .seconds(120)) == 0, let line = process.output.split(separator: "\n").last else {
            throw TestFailure("tus_client.py failed: \(process.output)")
        }
        return try JSONParser.parse(Array(line.utf8))
    }

    @Test func aZipSentWithTuspyStopsHalfWayResumesInAFreshClientAndBecomesBaseImages() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("tuspy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        try await TestGateway.run { api in
            try await TestNginx.run(inFrontOf: api.port) { nginx in
                let setup = try await UploadSetup.make(api)
                let front = try await api.createShotType("Front full body", viewAngle: "front", framing: "full_body", by: setup.user)
                let back = try await api.createShotType("Back upper body", viewAngle: "back", framing: "upper_body", by: setup.user)
                var generator = SplitMix64(seed: 19)
                var builder = try ArchiveBuilder()
                defer { builder.remove() }
                try builder.add("looks/front_full_body.jpg", image: "progressive_65x33.jpg")
                try builder.add("looks/back_upper_body.png", image: "rgb_33x17.png")
                try builder.add("notes/noise.bin", (0..<600_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
                let archive = home.appendingPathComponent("shoot.zip")
                try Data(try builder.archive()).write(to: archive)
                let size = try #require(try FileManager.default.attributesOfItem(atPath: archive.path)[.size] as? Int)
                let creation = nginx.baseURL + "/api/v1/set-designs/\(setup.design)/base-images/uploads?subject_id=\(setup.subject)"
                let store = home.appendingPathComponent("urls.json").path

                // A connection lost after 300,000 bytes: 64 KiB PATCHes with sha1 checksums up to there.
                let first = try await Self.tuspy([creation, setup.user.token, archive.path, store, "65536", "300000"], home: home)
                #expect(first["offset"] == 300_000 && first["resumed_from"] == .null && first["task"] == .null, "\(first)")
                let url = try #require(first["url"].string)
                #expect(url.hasPrefix(nginx.baseURL + "/api/v1/set-designs/"), "\(url)")
                let path = String(url.dropFirst(nginx.baseURL.count))
                #expect(try await api.tusOffset(path, token: setup.user.token) == 300_000)

                // A fresh client finds the URL it stored, asks the offset, and sends the rest.
                let second = try await Self.tuspy([creation, setup.user.token, archive.path, store, "65536"], home: home)
                #expect(second["url"].string == url && second["resumed_from"] == 300_000 && second["offset"] == .int(size), "\(second)")
                let task = try #require(second["task"].string.flatMap(UUID.init(uuidString:)))
                #expect(!nginx.errorLog.contains("buffered to a temporary file"), "\(nginx.errorLog)")

                let ended = try await TestWorker.run(api.config) {
                    try await UploadIngestionTests.waitForEnd(task, token: setup.user.token, api)
                }
                #expect(ended["status"] == "COMPLETED" && ended["images_processed"] == 2, "\(ended)")
                let design = try await api.get("/api/v1/set-designs/\(setup.design)", token: setup.user.token).json
                #expect(Set((design["base_images"].array ?? []).compactMap { $0["shot_type_id"].uuid }) == [front, back])
                #expect(try await api.partialBlobCount() == 0)
            }
        }
    }

    @Test func browsersMayAskFromAnotherOriginAndReadTheProtocolsHeadersThroughNginx() async throws {
        try await TestGateway.run { api in
            try await TestNginx.run(inFrontOf: api.port) { nginx in
                let setup = try await UploadSetup.make(api)
                var preflight = HTTPClientRequest(url: nginx.baseURL + "/api/v1/set-designs/\(setup.design)/base-images/uploads")
                preflight.method = .OPTIONS
                preflight.headers.add(name: "Origin", value: "https://studio.example.com")
                preflight.headers.add(name: "Access-Control-Request-Method", value: "PATCH")
                preflight.headers.add(name: "Access-Control-Request-Headers", value: "authorization, tus-resumable, upload-offset, content-type")
                let answer = try await HTTPClient.shared.execute(preflight, timeout: .seconds(30))
                #expect(answer.status == .noContent)
                #expect(answer.headers["Access-Control-Allow-Origin"] == ["*"])
                #expect(answer.headers["Access-Control-Allow-Methods"].first?.contains("PATCH") == true)
                let allowed = answer.headers["Access-Control-Allow-Headers"].first?.lowercased() ?? ""
                #expect(["authorization", "tus-resumable", "upload-offset", "upload-length", "upload-metadata", "upload-checksum", "content-type"].allSatisfy(allowed.contains))
                let exposed = answer.headers["Access-Control-Expose-Headers"].first ?? ""
                for name in ["Location", "Upload-Offset", "Upload-Length", "Upload-Task-Id", "Tus-Resumable", "Tus-Version", "Tus-Max-Size"] {
                    #expect(exposed.contains(name), "\(name)")
                }
                #expect(answer.headers["Tus-Version"] == ["1.0.0"] && answer.headers["X-Content-Type-Options"] == ["nosniff"])

                // A creation through the proxy answers a Location at the proxy.
                var create = HTTPClientRequest(url: nginx.baseURL + "/api/v1/set-designs/\(setup.design)/base-images/uploads")
                create.method = .POST
                for (name, value) in [("Authorization", "Bearer \(setup.user.token)"), ("Tus-Resumable", "1.0.0"), ("Upload-Length", "100")] {
                    create.headers.add(name: name, value: value)
                }
                let created = try await HTTPClient.shared.execute(create, timeout: .seconds(30))
                #expect(created.status == .created && created.headers["Location"].first?.hasPrefix(nginx.baseURL) == true)
                #expect(created.headers["Access-Control-Allow-Origin"] == ["*"])
            }
        }
    }

    @Test func anUnfinishedUploadExpiresAndTheSweepRemovesItsBytes() async throws {
        try await TestGateway.run(configure: { $0.resumableUploadTTLSeconds = 1 }) { api in
            let setup = try await UploadSetup.make(api)
            let path = try (try await api.tusCreate(setup, length: 50)).uploadPath()
            #expect(try await api.tusPatch(path, token: setup.user.token, offset: 0, [0x50, 0x4B, 0x03, 0x04]).status == .noContent)
            try await Task.sleep(for: .seconds(1.5))
            #expect(try await api.tusHead(path, token: setup.user.token).status == .gone)
            #expect(try await api.tusPatch(path, token: setup.user.token, offset: 4, [1]).status == .gone)
            try await TestDatabase.withDatabase(api.databaseURL) { database in
                let sweeper = UploadSweeper(
                    database: database, blobs: PostgresBlobStore(database: database),
                    configuration: .init(grace: .seconds(600), interval: .seconds(60)), logger: Logger(label: "sweep-test")
                )
                let swept = try await sweeper.sweep(now: Date())
                #expect(swept.expiredUploads == 1)
            }
            #expect(try await api.tusHead(path, token: setup.user.token).status == .notFound)
            #expect(try await api.partialBlobCount() == 0)
        }
    }

}
