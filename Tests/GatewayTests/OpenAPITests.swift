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

    /// The document and the /docs page as they are in the repository.
    static let sourceDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Services/Gateway/OpenAPI")

    /// Runs one of the Python checks of Tests/OpenAPI; they write no bytecode into the repository.
    static func runPython(_ arguments: [String], home: URL, within timeout: Duration) async throws -> (Int32?, String) {
        let process = try ChildProcess(
            try python(), arguments: arguments,
            environment: ["PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8", "HOME": home.path, "PYTHONDONTWRITEBYTECODE": "1"]
        )
        return (await process.exitStatus(within: timeout), process.output)
    }

    /// A copy of the document directory with `openapi.json` replaced (or removed, for nil).
    static func documentDirectory(withDocument document: String?) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: sourceDirectory, to: directory)
        let file = directory.appendingPathComponent("openapi.json")
        try FileManager.default.removeItem(at: file)
        if let document { try Data(document.utf8).write(to: file) }
        return directory
    }

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
    @Test(.tags(.slow), .slowTestsEnabled) func schemathesisFindsNoServerErrorAndNoAnswerTheDocumentDoesNotDescribe() async throws {
        try await TestGateway.run { api in
            try await TestWorker.run(api.config) {
                let token = try await api.superuserToken()
                let work = FileManager.default.temporaryDirectory.appendingPathComponent("conformance-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: work) }
                let (status, output) = try await Self.runPython(
                    [Self.toolsDirectory.appendingPathComponent("conformance.py").path, "http://127.0.0.1:\(api.port)", token, work.path],
                    home: work, within: .seconds(600)
                )
                #expect(status == 0, "\(output)")
            }
        }
    }

    @Test func theDocumentFileIsAValidOpenAPI31DocumentWithoutAServer() async throws {
        let (status, output) = try await Self.runPython(
            ["-m", "openapi_spec_validator", "--schema", "3.1", Self.sourceDirectory.appendingPathComponent("openapi.json").path],
            home: FileManager.default.temporaryDirectory, within: .seconds(60)
        )
        #expect(status == 0, "\(output)")
    }

    @Test func theServedDocumentIsTheFileByteForByte() async throws {
        let file = try Data(contentsOf: Self.sourceDirectory.appendingPathComponent("openapi.json"))
        try await TestGateway.run { api in
            let response = try await api.get("/openapi.json", token: nil)
            #expect(Data(response.body.readableBytesView) == file)
        }
    }

    /// drift.py: real answers hold exactly the document's fields, and every
    /// validated field's limits (and every body's required fields) are the document's.
    @Test func theDocumentAgreesWithEveryAnswerAndEveryValidatedLimit() async throws {
        try await TestGateway.run { api in
            try await TestWorker.run(api.config) {
                let token = try await api.superuserToken()
                let (status, output) = try await Self.runPython(
                    [
                        Self.toolsDirectory.appendingPathComponent("drift.py").path, "http://127.0.0.1:\(api.port)", token,
                        TestGateway.superuserEmail, TestGateway.superuserPassword,
                    ],
                    home: FileManager.default.temporaryDirectory, within: .seconds(300)
                )
                #expect(status == 0, "\(output)")
            }
        }
    }

    @Test func aMissingOrBrokenDocumentIsRefusedNamingTheFile() throws {
        for (document, complaint) in [(nil, "cannot read"), ("{\"openapi\": ", "is not JSON"), ("{\"openapi\": \"3.0.3\", \"paths\": {}}", "not an OpenAPI 3.1")] {
            let directory = try Self.documentDirectory(withDocument: document)
            defer { try? FileManager.default.removeItem(at: directory) }
            let error = #expect(throws: APIDocumentation.LoadError.self) {
                try APIDocumentation.fromDefaultLocation(environment: ["OPENAPI_DIR": directory.path])
            }
            #expect(error?.description.contains(complaint) == true, "\(String(describing: error))")
            #expect(error?.description.contains(directory.appendingPathComponent("openapi.json").path) == true)
        }
    }

    @Test(.tags(.slow), .slowTestsEnabled) func theGatewayRefusesToStartWithoutItsDocumentAsAConfigurationError() async throws {
        let directory = try Self.documentDirectory(withDocument: nil)
        defer { try? FileManager.default.removeItem(at: directory) }
        let gateway = try ChildProcess(Binaries.gateway, environment: ["OPENAPI_DIR": directory.path])
        #expect(await gateway.exitStatus(within: .seconds(60)) == 78, "\(gateway.output)")
        #expect(gateway.output.contains("openapi.json"))
        #expect(gateway.output.contains("OPENAPI_DIR"))
    }
}
