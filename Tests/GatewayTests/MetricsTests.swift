import Foundation
import Testing
import TestSupport

@Suite("Gateway metrics")
struct MetricsTests {
    static func scrape(_ api: GatewayClient) async throws -> PrometheusSamples {
        let response = try await api.get("/metrics", token: nil)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
        return PrometheusSamples(parsing: response.text)
    }

    // MARK: Tests

    @Test func requestsAreCountedByMethodRouteTemplateAndStatus() async throws {
        try await TestGateway.run { api in
            let user = try await api.createUser("alice@example.com")
            for _ in 0..<2 { _ = try await api.get("/api/v1/users/me", token: user.token) }
            let missing = UUID()
            #expect(try await api.get("/api/v1/shot-types/\(missing)", token: user.token).status == .notFound)
            #expect(try await api.get("/no/such/route/\(missing)", token: nil).status == .notFound)

            let samples = try await Self.scrape(api)
            #expect(samples[#"http_requests_total{method="GET",route="/api/v1/users/me",status="200"}"#] == 2)
            #expect(samples[#"http_request_duration_seconds_count{method="GET",route="/api/v1/users/me",status="200"}"#] == 2)
            #expect(samples[#"http_requests_total{method="GET",route="/api/v1/shot-types/{id}",status="404"}"#] == 1)
            #expect(samples[#"http_requests_total{method="GET",route="NotFound",status="404"}"#] == 1)
            // Raw paths never become series: ids would make them unbounded.
            #expect(!samples.values.keys.contains { $0.contains(missing.uuidString.lowercased()) || $0.contains(missing.uuidString) })
        }
    }

    @Test func queueGaugesAreReadFromTheDatabaseAtScrapeTime() async throws {
        try await TestGateway.run { api in
            let user = try await api.createUser("alice@example.com")
            let subject = try await api.createSubject(by: user)
            let design = try #require(try await api.post("/api/v1/set-designs/", token: user.token, json: ["name": "Look"]).json["id"].uuid)
            try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query(
                    """
                    INSERT INTO upload_tasks (owner_id, set_design_id, subject_id, archive_size, status, created_at, lease_expires_at)
                    VALUES (\(user.id), \(design), \(subject), 1, 'PENDING', now() - interval '90 seconds', NULL),
                           (\(user.id), \(design), \(subject), 1, 'PENDING', now() - interval '10 seconds', NULL),
                           (\(user.id), \(design), \(subject), 1, 'PROCESSING', now(), now() - interval '1 minute'),
                           (\(user.id), \(design), \(subject), 1, 'COMPLETED', now(), NULL)
                    """
                )
                try await client.query(
                    """
                    INSERT INTO operator_notifications (payload, delivered_at)
                    VALUES ('{"text": "a"}', NULL), ('{"text": "b"}', NULL), ('{"text": "c"}', now())
                    """
                )
            }
            let samples = try await Self.scrape(api)
            #expect(samples[#"upload_tasks{status="PENDING"}"#] == 2)
            #expect(samples[#"upload_tasks{status="PROCESSING"}"#] == 1)
            #expect(samples[#"upload_tasks{status="COMPLETED"}"#] == 1)
            #expect(samples[#"upload_tasks{status="FAILED"}"#] == 0)
            #expect(samples[#"upload_tasks_stuck"#] == 1)
            #expect(samples[#"operator_notifications_backlog"#] == 2)
            let age = try #require(samples["upload_task_oldest_pending_age_seconds"])
            #expect(age >= 90 && age < 3600)

            try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("UPDATE upload_tasks SET status = 'FAILED' WHERE status = 'PENDING'")
            }
            let later = try await Self.scrape(api)
            #expect(later[#"upload_tasks{status="PENDING"}"#] == 0)
            #expect(later[#"upload_tasks{status="FAILED"}"#] == 2)
            #expect(later["upload_task_oldest_pending_age_seconds"] == 0)
        }
    }
}
