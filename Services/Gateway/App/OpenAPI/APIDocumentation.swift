import Foundation
import NIOCore
import Shared

/// The OpenAPI document and the Swagger UI page that presents it: files read
/// once at start-up from `Services/Gateway/OpenAPI/` (shipped as `openapi/`
/// beside `sql/`), so no Swift file holds the document.
public struct APIDocumentation: Sendable {
    /// A file served as is, with its content type.
    struct Asset: Sendable {
        var bytes: ByteBuffer
        var contentType: String
    }

    /// `openapi.json`, served byte for byte.
    let document: ByteBuffer
    /// `docs/index.html`, served at `/docs`.
    let page: Asset
    /// What the page loads from `/docs/{name}`.
    let assets: [String: Asset]

    /// The page's own files and the vendored Swagger UI (see `docs/swagger-ui/VENDORED.md`).
    static let assetFiles: [(name: String, path: String, contentType: String)] = [
        ("swagger-initializer.js", "docs/swagger-initializer.js", "text/javascript; charset=utf-8"),
        ("swagger-ui-bundle.js", "docs/swagger-ui/swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
        ("swagger-ui.css", "docs/swagger-ui/swagger-ui.css", "text/css; charset=utf-8"),
    ]

    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Reads the files from the first directory that exists of: `$OPENAPI_DIR`,
    /// `openapi/` beside the executable, `./openapi`, the source tree's `Services/Gateway/OpenAPI`.
    public static func fromDefaultLocation(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(LoadError) -> APIDocumentation {
        let sourceTree = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        switch InstalledDirectory.find(
            variable: "OPENAPI_DIR", name: "openapi", sourceTreePath: sourceTree.appendingPathComponent("OpenAPI").path,
            environment: environment
        ) {
        case .success(let directory): return try APIDocumentation(directory: directory)
        case .failure(let notFound):
            throw LoadError(
                description: "no OpenAPI directory found (set OPENAPI_DIR); tried: \(notFound.tried.joined(separator: ", "))"
            )
        }
    }

    /// Reads and checks the files of `directory`: the document must be an OpenAPI 3.1 JSON object with paths.
    public init(directory: String) throws(LoadError) {
        let base = URL(fileURLWithPath: directory)
        func read(_ path: String) throws(LoadError) -> [UInt8] {
            do {
                return [UInt8](try Data(contentsOf: base.appendingPathComponent(path)))
            } catch {
                throw LoadError(description: "cannot read \(base.appendingPathComponent(path).path) (set OPENAPI_DIR): \(error.localizedDescription)")
            }
        }
        let documentPath = base.appendingPathComponent("openapi.json").path
        let bytes = try read("openapi.json")
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(bytes)
        } catch {
            throw LoadError(description: "\(documentPath) is not JSON: \(error.reason) at byte \(error.position)")
        }
        guard case .object(let root) = parsed, case .string(let version)? = root["openapi"], version.hasPrefix("3.1."),
              case .object? = root["paths"]
        else {
            throw LoadError(description: "\(documentPath) is not an OpenAPI 3.1 document (no \"openapi\": \"3.1.x\" and \"paths\")")
        }
        document = ByteBuffer(bytes: bytes)
        page = Asset(bytes: ByteBuffer(bytes: try read("docs/index.html")), contentType: "text/html; charset=utf-8")
        var assets: [String: Asset] = [:]
        for file in Self.assetFiles {
            assets[file.name] = Asset(bytes: ByteBuffer(bytes: try read(file.path)), contentType: file.contentType)
        }
        self.assets = assets
    }
}
