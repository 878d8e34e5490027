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
}
