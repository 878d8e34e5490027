import Foundation
@testable import GatewayApp
import Logging
import Shared
import Testing
import TestSupport

@Suite("OpenAPI document")
struct OpenAPITests {
    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// "GET /api/v1/shot-types/{id}" for every operation of the served document.
    static func documentedOperations(_ document: JSONValue) -> Set<String> {
        var operations = Set<String>()
        let paths = document["paths"]
        for path in paths.keys {
            for method in methods where !paths[path][method].isNull { operations.insert("\(method.uppercased()) \(path)") }
        }
        return operations
    }

    /// The Python with the pinned tools of Tests/OpenAPI/requirements.txt, which `deploy/local/test` provides.
    static func python() throws -> URL {
        guard let path = ProcessInfo.processInfo.environment["TEST_PYTHON"] else {
            throw TestFailure("TEST_PYTHON is not set: run the tests with deploy/local/test")
        }
        return URL(fileURLWithPath: path)
    }

    static let toolsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("OpenAPI")

    // MARK: Tests

    @Test func theDocumentListsExactlyTheRoutesTheRouterServes() async throws {
        try await TestGateway.run { api in
            let response = try await api.get("/openapi.json", token: nil)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.json["openapi"] == "3.1.0")

            let routes = try await GatewayRoutes(config: api.config, logger: Logger(label: "openapi-test")).router.routes
            let served = Set(routes.map { "\($0.method) \($0.path.description.hasPrefix("/") ? "" : "/")\($0.path)" })
            #expect(served.count == routes.count)
            let documented = Self.documentedOperations(response.json)
            #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
            #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
        }
    }

    @Test func theServedDocumentIsAValidOpenAPI31Document() async throws {
        try await TestGateway.run { api in
            let document = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: document) }
            try Data(try await api.get("/openapi.json", token: nil).body.readableBytesView).write(to: document)
            let validator = try ChildProcess(
                try Self.python(), arguments: ["-m", "openapi_spec_validator", "--schema", "3.1", document.path], environment: [:]
            )
            #expect(await validator.exitStatus(within: .seconds(60)) == 0, "\(validator.output)")
        }
    }

    /// schemathesis against the live gateway (and a worker), with a token:
    /// valid and invalid input for every operation; no answer may be a 5xx
    /// or differ from the document in status, content type, headers or schema.
    @Test func schemathesisFindsNoServerErrorAndNoAnswerTheDocumentDoesNotDescribe() async throws {
        try await TestGateway.run { api in
            try await TestWorker.run(api.config) {
                let token = try await api.superuserToken()
                let work = FileManager.default.temporaryDirectory.appendingPathComponent("conformance-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: work) }
                let run = try ChildProcess(
                    try Self.python(),
                    arguments: [Self.toolsDirectory.appendingPathComponent("conformance.py").path, "http://127.0.0.1:\(api.port)", token, work.path],
                    environment: ["PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8", "HOME": work.path]
                )
                let status = await run.exitStatus(within: .seconds(600))
                #expect(status == 0, "\(run.output)")
            }
        }
    }
}
