import Testing
import TestSupport

@Suite("Health endpoints")
struct HealthTests {
    // MARK: Tests

    @Test func healthzAnswersWithoutAToken() async throws {
        try await TestGateway.run { api in
            let response = try await api.get("/healthz", token: nil)
            #expect(response.status == .ok)
            #expect(response.json == ["status": "ok"])
        }
    }

    @Test func readyzReportsTheCurrentSchemaVersion() async throws {
        try await TestGateway.run { api in
            let response = try await api.get("/readyz", token: nil)
            #expect(response.status == .ok)
            #expect(response.json["status"] == "ready")
            #expect((response.json["schema_version"].int ?? 0) >= 1)
        }
    }

    @Test func readyzIs503WhenTheSchemaIsBehind() async throws {
        try await TestGateway.run { api in
            try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)")
            }
            let response = try await api.get("/readyz", token: nil)
            #expect(response.status == .serviceUnavailable)
            #expect(response.json["detail"].string?.contains("schema version") == true)
        }
    }
}
