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
@Suite("Behind nginx", .tags(.slow), .slowTestsEnabled)
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
            try await TestNginx.run(inFrontOf: api.port) { nginx in
                let setup = try await UploadSetup.make(api)
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
                var (stream, events) = try await ProgressEvents.open(api, through: nginx.baseURL, task: task, token: setup.user.token)
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
            try await TestNginx.run(inFrontOf: api.port) { nginx in
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

    /// Every spelling that nginx or the gateway might read as `/metrics`
    /// (slashes, dot segments, percent-encoding, case) is refused by nginx.
    @Test func metricsStayPrivateHoweverTheyAreSpelt() async throws {
        try await TestGateway.run { api in
            try await TestNginx.run(inFrontOf: api.port) { nginx in
                let direct = try await api.get("/metrics", token: nil)
                #expect(direct.text.contains("# HELP "))
                let spellings = [
                    "/metrics", "/metrics/", "//metrics", "///metrics/", "/Metrics", "/METRICS/", "/./metrics", "/api/../metrics",
                    "/api/v1/../../metrics", "/%6Detrics", "/%2Fmetrics", "/x/..%2Fmetrics", "/metrics%2F", "/metrics;x",
                    "/metrics?format=text", "/metrics/?", "/metrics#x",
                ]
                for spelling in spellings {
                    let (response, body) = try await Self.send(.GET, nginx.baseURL + spelling, token: nil)
                    #expect(response.status != .ok, "\(spelling)")
                    #expect(!String(buffer: body).contains("# HELP "), "\(spelling)")
                }
            }
        }
    }

    /// `?access_token=` on the progress stream (CONTRACT §10.17) and a signed
    /// media URL's signature are credentials: nginx logs those requests
    /// without their query string, and other requests with theirs.
    @Test func theAccessLogNeverHoldsAnAccessTokenOrAMediaSignature() async throws {
        try await TestGateway.run { api in
            try await TestNginx.run(inFrontOf: api.port) { nginx in
                let setup = try await UploadSetup.make(api)
                let uploaded = try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(try ArchiveBuilder.oneImage()))
                let task = try #require(uploaded.json["id"].uuid)
                try await ProgressEvents.change(api, task: task, "status = 'FAILED', error_message = 'stopped', completed_at = now()")

                let events = "/api/v1/set-designs/upload-tasks/\(task)/events"
                let (stream, body) = try await Self.send(.GET, nginx.baseURL + events + "?access_token=\(setup.user.token)", token: nil)
                #expect(stream.status == .ok)
                #expect(String(buffer: body).contains("FAILED"))
                let (trailing, _) = try await Self.send(.GET, nginx.baseURL + events + "/?access_token=\(setup.user.token)", token: nil)
                #expect(trailing.status != .internalServerError)

                let media = try #require(
                    try await api.upload("/api/v1/media/", token: setup.user.token, form: .file(try Fixtures.imageBytes("baseline_64x48.jpg"))).json["url"].string
                )
                let signed = String(media[try #require(media.range(of: "/api/v1/media/")).lowerBound...])
                #expect(signed.contains("signature="))
                let (download, _) = try await Self.send(.GET, nginx.baseURL + signed, token: nil)
                #expect(download.status == .ok)
                let (listed, _) = try await Self.send(.GET, nginx.baseURL + "/api/v1/shot-types/?skip=0&limit=5", token: setup.user.token)
                #expect(listed.status == .ok)

                // nginx writes a request's line once its response has gone out.
                #expect(await eventually { nginx.accessLog.contains("/api/v1/shot-types/") })
                let log = nginx.accessLog
                #expect(!log.contains(setup.user.token))
                #expect(!log.contains("access_token"))
                #expect(!log.contains("signature="))
                #expect(log.contains("\"GET \(events) HTTP/1.1\" 200"), "\(log)")
                #expect(log.contains("/content HTTP/1.1\" 200"), "\(log)")
                #expect(log.contains("\"GET /api/v1/shot-types/?skip=0&limit=5 HTTP/1.1\" 200"), "\(log)")
            }
        }
    }

    @Test func mediaResponsesCarryNosniffOnceThroughNginxAndFromTheGateway() async throws {
        try await TestGateway.run { api in
            try await TestNginx.run(inFrontOf: api.port) { nginx in
                let user = try await api.createUser()
                let uploaded = try await api.upload("/api/v1/media/", token: user.token, form: .file(try Fixtures.imageBytes("baseline_64x48.jpg")))
                let url = try #require(uploaded.json["url"].string)
                let path = String(url[try #require(url.range(of: "/api/v1/media/")).lowerBound...])
                let (direct, _) = try await Self.send(.GET, "http://127.0.0.1:\(api.port)" + path, token: nil)
                #expect(direct.status == .ok)
                #expect(direct.headers["X-Content-Type-Options"] == ["nosniff"])
                let (proxied, _) = try await Self.send(.GET, nginx.baseURL + path, token: nil)
                #expect(proxied.status == .ok)
                #expect(proxied.headers["X-Content-Type-Options"] == ["nosniff"])
                let (missing, _) = try await Self.send(.GET, nginx.baseURL + "/api/v1/media/\(UUID())/content", token: user.token)
                #expect(missing.status == .notFound)
                #expect(missing.headers["X-Content-Type-Options"] == ["nosniff"])
            }
        }
    }

    /// nginx's coarse per-address limit on the login route: a burst passes,
    /// a flood beyond it gets 429 with `Retry-After` and a `detail` body,
    /// even for the right password (the gateway never limits those).
    @Test func aFloodOfLoginsFromOneAddressIsLimitedByNginx() async throws {
        try await TestGateway.run { api in
            try await TestNginx.run(inFrontOf: api.port) { nginx in
                let user = try await api.createUser()
                let form = Array("username=\(user.email)&password=\(user.password)".utf8)
                let responses = try await withThrowingTaskGroup(of: (Int, String?, String).self) { group in
                    for _ in 0..<50 {
                        group.addTask {
                            let (response, body) = try await Self.send(
                                .POST, nginx.baseURL + "/api/v1/login/access-token", token: nil, body: form,
                                headers: [("Content-Type", "application/x-www-form-urlencoded")]
                            )
                            return (Int(response.status.code), response.headers["Retry-After"].first, String(buffer: body))
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let passed = responses.filter { $0.0 == 200 }
                let limited = responses.filter { $0.0 == 429 }
                #expect(passed.count >= 20, "\(responses.map(\.0))")
                #expect(!limited.isEmpty, "\(responses.map(\.0))")
                #expect(passed.count + limited.count == responses.count)
                for (_, retryAfter, body) in limited {
                    #expect(retryAfter != nil)
                    #expect(try JSONParser.parse(Array(body.utf8))["detail"].string != nil)
                }
                // Other routes are not limited.
                for _ in 0..<30 { #expect(try await Self.send(.GET, nginx.baseURL + "/api/v1/users/me", token: user.token).0.status == .ok) }
            }
        }
    }

    @Test func aLargeJSONBodyOutsideTheUploadRoutesIsBufferedByNginxAsUsual() async throws {
        // The control for the upload test: the log line it looks for does appear when a body is buffered.
        try await TestGateway.run { api in
            try await TestNginx.run(inFrontOf: api.port) { nginx in
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
