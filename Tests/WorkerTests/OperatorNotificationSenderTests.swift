import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Shared
import Testing
import TestSupport
import WorkerApp

/// The outbox sender against a real HTTP receiver started by the test.
@Suite("Operator webhook outbox")
struct OperatorNotificationSenderTests {
    /// What the receiver saw, and whether it is "down" (answering 503).
    actor Receiver {
        var down = true
        var failures = 0
        var delivered: [String] = []

        func setDown(_ value: Bool) { down = value }

        func receive(_ body: String) -> Bool {
            if down {
                failures += 1
                return false
            }
            delivered.append(body)
            return true
        }
    }

    /// Runs `body` with a live webhook receiver and its URL.
    private func withReceiver(_ body: @escaping @Sendable (Receiver, String) async throws -> Void) async throws {
        let receiver = Receiver()
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let text = String(buffer: try await request.body.collect(upTo: 1 << 20))
            return Response(status: await receiver.receive(text) ? .ok : .serviceUnavailable)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body(receiver, "http://127.0.0.1:\(client.port!)/hook")
        }
    }

    // MARK: Tests

    @Test func aMessageIsRetriedWhileTheWebhookIsDownAndDeliveredOnceWhenItIsUp() async throws {
        try await withReceiver { receiver, url in
            try await TestGateway.run(configure: { $0.operatorsWebhookURL = url }) { api in
                let alice = try await api.createUser("alice@example.com")
                let subject = try await api.createSubject("Anna", by: alice)
                let design = try #require(
                    try await api.post("/api/v1/set-designs/", token: alice.token, json: ["name": "Spring look"]).json["id"].uuid
                )
                let response = try await api.post(
                    "/api/v1/set-designs/\(design)/request-completion", token: alice.token,
                    json: ["subject_ids": [.uuid(subject)], "shot_type_ids": []]
                )
                #expect(response.status == .accepted)

                try await TestDatabase.withDatabase(api.databaseURL) { database in
                    var configuration = OperatorNotificationSender.Configuration(webhookURL: url)
                    configuration.initialBackoff = .milliseconds(20)
                    configuration.maximumBackoff = .milliseconds(100)
                    let sender = OperatorNotificationSender(database: database, configuration: configuration, logger: Logger(label: "sender"))

                    // Down: every due attempt fails and is rescheduled, nothing is lost.
                    let retried = try await eventually {
                        _ = try await sender.deliverDue()
                        return await receiver.failures >= 3
                    }
                    #expect(retried)
                    let pending = try await database.client.query(
                        "SELECT count(*) FROM operator_notifications WHERE delivered_at IS NULL AND attempts >= 3 AND last_error = 'HTTP 503'"
                    ).one(Int.self)
                    #expect(pending == 1)

                    // Up: delivered once, then never again.
                    await receiver.setDown(false)
                    let delivered = try await eventually { try await sender.deliverDue() == 1 }
                    #expect(delivered)
                    for _ in 0..<3 { #expect(try await sender.deliverDue() == 0) }
                    let bodies = await receiver.delivered
                    #expect(bodies.count == 1)
                    let text = try #require(try JSONParser.parse(Array((bodies.first ?? "").utf8))["text"].string)
                    #expect(text.contains("Spring look") && text.contains(design.uuidString.lowercased()))
                    #expect(text.contains("alice@example.com") && text.contains("Anna"))
                }
            }
        }
    }

    @Test func aClaimOfACrashedSenderExpiresAndTheMessageIsSentByAnother() async throws {
        try await withReceiver { receiver, url in
            try await TestGateway.run(configure: { $0.operatorsWebhookURL = url }) { api in
                let alice = try await api.createUser()
                let subject = try await api.createSubject(by: alice)
                let design = try #require(try await api.post("/api/v1/set-designs/", token: alice.token, json: ["name": "D"]).json["id"].uuid)
                _ = try await api.post(
                    "/api/v1/set-designs/\(design)/request-completion", token: alice.token,
                    json: ["subject_ids": [.uuid(subject)], "shot_type_ids": []]
                )
                await receiver.setDown(false)
                try await TestDatabase.withDatabase(api.databaseURL) { database in
                    // A sender that claimed the row and died before posting it: its claim holds the row back.
                    try await database.client.query(
                        "UPDATE operator_notifications SET attempts = 1, next_attempt_at = now() + interval '1 hour'"
                    )
                    let sender = OperatorNotificationSender(
                        database: database, configuration: .init(webhookURL: url), logger: Logger(label: "sender")
                    )
                    #expect(try await sender.deliverDue() == 0)
                    // The claim runs out (moved into the past rather than waited for, so a slow machine cannot race it).
                    try await database.client.query("UPDATE operator_notifications SET next_attempt_at = now() - interval '1 second'")
                    #expect(try await sender.deliverDue() == 1)
                    #expect(await receiver.delivered.count == 1)
                }
            }
        }
    }

    @Test func withoutAWebhookTheRequestIsStoredButNothingIsQueued() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let subject = try await api.createSubject(by: alice)
            let design = try #require(try await api.post("/api/v1/set-designs/", token: alice.token, json: ["name": "D"]).json["id"].uuid)
            let response = try await api.post(
                "/api/v1/set-designs/\(design)/request-completion", token: alice.token,
                json: ["subject_ids": [.uuid(subject)], "shot_type_ids": []]
            )
            #expect(response.status == .accepted)
            let counts = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query(
                    "SELECT (SELECT count(*) FROM completion_requests) * 10 + (SELECT count(*) FROM operator_notifications)"
                ).one(Int.self)
            }
            #expect(counts == 10)
        }
    }
}
