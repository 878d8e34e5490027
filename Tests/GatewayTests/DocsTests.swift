import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Shared
import Testing
import TestSupport

/// `/docs`: Swagger UI over `/openapi.json`, every file served by the gateway itself.
@Suite("API documentation page")
struct DocsTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// Where browser screenshots are kept for a look after the run (`.build/` is not committed).
    static let outputDirectory = repository.appendingPathComponent(".build/test-output")
    static let files = ["swagger-initializer.js", "swagger-ui-bundle.js", "swagger-ui.css"]

    /// Every path of the repository's document.
    static func documentedPaths() throws -> [String] {
        let bytes = try Data(contentsOf: repository.appendingPathComponent("Services/Gateway/OpenAPI/openapi.json"))
        return try JSONParser.parse(Array(bytes))["paths"].keys
    }

    /// Headless Debian Chromium (deploy/local/test installs it) with a profile of its own.
    static func chromium(_ arguments: [String], profile: URL) throws -> ChildProcess {
        var options = ["--headless", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=\(profile.path)"]
        // Chromium's sandbox cannot run as root.
        if getuid() == 0 { options.append("--no-sandbox") }
        return try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/chromium"), arguments: options + arguments, environment: ["HOME": profile.path]
        )
    }

    static func send(_ url: String, headers: [(String, String)] = []) async throws -> (HTTPClientResponse, ByteBuffer) {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        return (response, try await response.body.collect(upTo: 16 << 20))
    }

    // MARK: Tests

    @Test func thePageAndItsFilesAreServedByTheGatewayWithoutAToken() async throws {
        try await TestGateway.run { api in
            let page = try await api.get("/docs", token: nil)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            for file in Self.files { #expect(page.text.contains("\"/docs/\(file)\""), "\(file)") }
            // Deployments may have no internet: nothing may come from elsewhere.
            #expect(!page.text.contains("//"), "\(page.text)")

            let types = ["js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"]
            for file in Self.files {
                let response = try await api.get("/docs/\(file)", token: nil)
                #expect(response.status == .ok, "\(file)")
                #expect(response.headers[.contentType] == types[String(file.split(separator: ".").last!)], "\(file)")
                #expect(response.body.readableBytes > 0)
                #expect(!String(buffer: response.body).contains("petstore"), "\(file)")
            }
            let initializer = try await api.get("/docs/swagger-initializer.js", token: nil)
            #expect(initializer.text.contains("\"/openapi.json\""))
            #expect(initializer.text.contains("validatorUrl: null"))

            for missing in ["/docs/nothing.js", "/docs/swagger-ui.css.map", "/docs/..%2Fopenapi.json", "/docs/index.html"] {
                let response = try await api.get(missing, token: nil)
                #expect(response.status == .notFound, "\(missing)")
                #expect(response.json == ["detail": "Not Found"], "\(missing)")
            }
        }
    }

    @Test(.tags(.slow), .slowTestsEnabled) func thePageAndItsFilesPassThroughNginxTypedAndCompressed() async throws {
        try await TestGateway.run { api in
            try await TestNginx.run(inFrontOf: api.port) { nginx in
                for (path, type) in [
                    ("/docs", "text/html; charset=utf-8"), ("/docs/swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
                    ("/docs/swagger-ui.css", "text/css; charset=utf-8"), ("/docs/swagger-initializer.js", "text/javascript; charset=utf-8"),
                ] {
                    let direct = try await api.get(path, token: nil)
                    let (response, body) = try await Self.send(nginx.baseURL + path)
                    #expect(response.status == .ok, "\(path)")
                    #expect(response.headers["Content-Type"] == [type], "\(path)")
                    // Browsers refuse a script or style of the wrong type under nosniff: the type above must hold.
                    #expect(response.headers["X-Content-Type-Options"] == ["nosniff"], "\(path)")
                    #expect(body == direct.body, "\(path)")
                }
                let (compressed, _) = try await Self.send(
                    nginx.baseURL + "/docs/swagger-ui-bundle.js", headers: [("Accept-Encoding", "gzip")]
                )
                #expect(compressed.headers["Content-Encoding"] == ["gzip"])
            }
        }
    }

    /// A real browser runs the page's scripts: the operations render from the
    /// served document, and a screenshot is kept in `.build/test-output/docs.png`.
    @Test(.tags(.slow), .slowTestsEnabled) func swaggerUIRendersEveryOperationInChromium() async throws {
        let paths = try Self.documentedPaths()
        #expect(paths.contains("/api/v1/set-designs/{id}"))
        try FileManager.default.createDirectory(at: Self.outputDirectory, withIntermediateDirectories: true)
        let screenshot = Self.outputDirectory.appendingPathComponent("docs.png")
        try? FileManager.default.removeItem(at: screenshot)
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }

        try await TestGateway.run { api in
            let url = "http://127.0.0.1:\(api.port)/docs"
            // The virtual time budget lets the page fetch /openapi.json and render before the DOM is taken.
            let dom = try Self.chromium(["--virtual-time-budget=30000", "--dump-dom", url], profile: profile)
            #expect(await dom.exitStatus(within: .seconds(120)) == 0, "\(dom.output)")
            let html = dom.output
            #expect(html.contains("Set-design backend"), "\(html)")
            let missing = paths.filter { !html.contains("data-path=\"\($0)\"") }
            #expect(missing.isEmpty, "operations not rendered: \(missing)\n\(html)")

            let shot = try Self.chromium(
                ["--virtual-time-budget=30000", "--window-size=1280,5200", "--hide-scrollbars", "--screenshot=\(screenshot.path)", url],
                profile: profile
            )
            #expect(await shot.exitStatus(within: .seconds(120)) == 0, "\(shot.output)")
        }
        let image = try Data(contentsOf: screenshot)
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(image.count > 20_000)
    }
}
