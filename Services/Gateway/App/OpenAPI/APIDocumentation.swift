import Foundation
import NIOCore
import Shared

/// The OpenAPI document: a file read once at start-up from
/// `Services/Gateway/OpenAPI/` (shipped as `openapi/` beside `sql/`), so no
/// Swift file holds the document.
public struct APIDocumentation: Sendable {
    /// `openapi.json`, served byte for byte.
    let document: ByteBuffer

    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Reads the files from the first directory that exists of: `$OPENAPI_DIR`,
    /// `openapi/` beside the executable, `./openapi`, the source tree's `Services/Gateway/OpenAPI`.
    public static func fromDefaultLocation(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(LoadError) -> APIDocumentation {
        var candidates: [String] = []
        if let explicit = environment["OPENAPI_DIR"] { candidates.append(explicit) }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        candidates.append(executable.deletingLastPathComponent().appendingPathComponent("openapi").path)
        candidates.append(FileManager.default.currentDirectoryPath + "/openapi")
        let sourceTree = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(sourceTree.appendingPathComponent("OpenAPI").path)
        var isDirectory: ObjCBool = false
        guard let directory = candidates.first(where: {
            FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue
        }) else {
            throw LoadError(
                description: "no OpenAPI directory found (set OPENAPI_DIR); tried: \(candidates.joined(separator: ", "))"
            )
        }
        return try APIDocumentation(directory: directory)
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
    }
}
