import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Shared
import Testing
import TestSupport

/// The gateway behind Debian's nginx with the config of `deploy/nginx/`:
/// uploads stream through, progress events arrive live, the URLs the gateway
/// builds point at the proxy and work there.
@Suite("Behind nginx")
struct ReverseProxyTests {
    static func send(
        _ method: HTTPMethod, _ url: String, token: String?, body: [UInt8]? = nil, headers: [(String, String)] = []
    ) async throws -> (HTTPClientResponse, ByteBuffer) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        return (response, try await response.body.collect(upTo: 64 << 20))
    }

    /// An image for the front shot type and 3 MB of noise: far more than
    /// nginx holds in memory, so a buffered request body would go to a file.
    static func archive() throws -> (archive: [UInt8], image: [UInt8]) {
        var generator = SplitMix64(seed: 7)
        var builder = try ArchiveBuilder()
        defer { builder.remove() }
        let image = try Fixtures.imageBytes("baseline_64x48.jpg")
        try builder.add("front_full_body.jpg", image)
        try builder.add("noise.bin", (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        return (try builder.archive(), image)
    }

    // MARK: Tests

    @Test func anUploadItsLiveProgressAndItsImagePassThroughNginx() async throws {
        try await TestGateway.run { api in
            try await TestNginx.run(inFrontOf: try #require(api.client.port)) { nginx in
                let setup = try await UploadTasksTests.setUp(api)
                _ = try await api.createShotType(by: setup.user)
                let (archive, image) = try Self.archive()
                let form = MultipartForm.file(archive, filename: "looks.zip", contentType: "application/zip")
                let (accepted, body) = try await Self.send(
                    .POST, nginx.baseURL + setup.uploadPath, token: setup.user.token, body: form.body,
                    headers: [("Content-Type", form.contentType)]
                )
                #expect(accepted.status == .accepted, "\(String(buffer: body))")
                let task = try #require(try JSONParser.parse(Array(body.readableBytesView))["id"].uuid)
                #expect(!nginx.errorLog.contains("buffered to a temporary file"), "\(nginx.errorLog)")

                // The first event arrives while the task waits: nothing holds it back.
                var (stream, events) = try await UploadTaskEventsTests.open(api, through: nginx.baseURL, task: task, token: setup.user.token)
                #expect(stream.status == .ok)
                #expect(try await events.nextTask()?["status"].string == "PENDING")
                let ended = try await TestWorker.run(api.config) {
                    try await eventually(within: .seconds(30)) {
                        try await api.get("/api/v1/set-designs/upload-tasks/\(task)", token: setup.user.token).json["status"] == "COMPLETED"
                    }
                }
                #expect(ended)
                var statuses: [String] = []
                while let next = try await events.nextTask() { statuses.append(next["status"].string ?? "") }
                #expect(statuses.last == "COMPLETED", "\(statuses)")

                // The image URL names the proxy (X-Forwarded-Host) and serves the stored bytes there.
                let (_, designBody) = try await Self.send(.GET, nginx.baseURL + "/api/v1/set-designs/\(setup.design)", token: setup.user.token)
                let design = try JSONParser.parse(Array(designBody.readableBytesView))
                let url = try #require(design["base_images"][0]["image_media"]["url"].string)
                #expect(url.hasPrefix(nginx.baseURL + "/api/v1/media/"), "\(url)")
                let (download, bytes) = try await Self.send(.GET, url, token: nil)
                #expect(download.status == .ok)
                #expect(Array(bytes.readableBytesView) == image)
            }
        }
    }

    @Test func jsonIsGzippedAndMetricsStayPrivate() async throws {
        try await TestGateway.run { api in
            try await TestNginx.run(inFrontOf: try #require(api.client.port)) { nginx in
                let user = try await api.createUser("alice@example.com")
                for index in 0..<20 { _ = try await api.createShotType("Shot type \(index)", by: user) }
                let (list, body) = try await Self.send(
                    .GET, nginx.baseURL + "/api/v1/shot-types/", token: user.token, headers: [("Accept-Encoding", "gzip")]
                )
                #expect(list.status == .ok)
                #expect(list.headers["Content-Encoding"].first == "gzip")
                // The shared client inflates what it receives.
                #expect(try JSONParser.parse(Array(body.readableBytesView))["count"].int == 20)

                let (metrics, _) = try await Self.send(.GET, nginx.baseURL + "/metrics", token: nil)
                #expect(metrics.status == .forbidden)
                #expect(try await api.get("/metrics", token: nil).status == .ok)
            }
        }
    }

    @Test func aLargeJSONBodyOutsideTheUploadRoutesIsBufferedByNginxAsUsual() async throws {
        // The control for the upload test: the log line it looks for does appear when a body is buffered.
        try await TestGateway.run { api in
            try await TestNginx.run(inFrontOf: try #require(api.client.port)) { nginx in
                let user = try await api.createUser("alice@example.com")
                let name = String(repeating: "x", count: 1 << 20)
                let (response, _) = try await Self.send(
                    .POST, nginx.baseURL + "/api/v1/shot-types/", token: user.token, body: Array(#"{"name": "\#(name)"}"#.utf8),
                    headers: [("Content-Type", "application/json")]
                )
                #expect([413, 422].contains(response.status.code))
                #expect(nginx.errorLog.contains("buffered to a temporary file"))
            }
        }
    }
}
