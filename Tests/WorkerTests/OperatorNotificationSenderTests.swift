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
    /// What the receiver saw, and how it answers: 503 while "down", after
    /// `delay` (a slow webhook), or not at all while `holding` (a webhook a
    /// sender is still waiting on when it dies).
    actor Receiver {
        var down = true
        var delay: Duration = .zero
        var holding = false
        var failures = 0
        /// Every request that reached the webhook, answered or not.
        var arrivals = 0
        var delivered: [String] = []

        func setDown(_ value: Bool) { down = value }
        func setDelay(_ value: Duration) { delay = value }
        func setHolding(_ value: Bool) { holding = value }

        func arrive() -> Duration {
            arrivals += 1
            return delay
        }

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
            try await Task.sleep(for: await receiver.arrive())
            while await receiver.holding { try await Task.sleep(for: .milliseconds(20)) }
            return Response(status: await receiver.receive(text) ? .ok : .serviceUnavailable)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await LiveServer.run(app) { _, port in
            do {
                try await body(receiver, "http://127.0.0.1:\(port)/hook")
            } catch {
                await receiver.setHolding(false)
                throw error
            }
            await receiver.setHolding(false)
        }
    }

    /// A user with a design, a subject and a shot type (named as given) who has
    /// requested its completion: one message queued. Returns the design's id.
    private func requestCompletion(
        _ api: GatewayClient, design name: String = "Spring look", subject: String = "Anna", shotType: String = "Front"
    ) async throws -> UUID {
        let alice = try await api.createUser()
        let subject = try await api.createSubject(subject, by: alice)
        let shotType = try await api.createShotType(shotType, by: alice)
        let design = try #require(try await api.post("/api/v1/set-designs/", token: alice.token, json: ["name": .string(name)]).json["id"].uuid)
        let response = try await api.post(
            "/api/v1/set-designs/\(design)/request-completion", token: alice.token,
            json: ["subject_ids": [.uuid(subject)], "shot_type_ids": [.uuid(shotType)]]
        )
        #expect(response.status == .accepted)
        return design
    }

    /// A sender with quick retries, named `name` in `claimed_by`.
    private func sender(
        _ database: Database, _ url: String, name: String = "sender",
        _ configure: (inout OperatorNotificationSender.Configuration) -> Void = { _ in }
    ) -> OperatorNotificationSender {
        var configuration = OperatorNotificationSender.Configuration(webhookURL: url)
        configuration.name = name
        configuration.initialBackoff = .milliseconds(20)
        configuration.maximumBackoff = .milliseconds(100)
        configure(&configuration)
        return OperatorNotificationSender(database: database, configuration: configuration, logger: Logger(label: name))
    }

    /// The outbox row as admins see it.
    private func delivery(_ database: Database) async throws -> (status: String, attempts: Int, claimedBy: String?, lastError: String?) {
        let rows = try await database.client.query(
            "SELECT status, attempts, claimed_by, last_error FROM operator_notification_deliveries"
        )
        for try await (status, attempts, claimedBy, lastError) in rows.decode((String, Int32, String?, String?).self) {
            return (status, Int(attempts), claimedBy, lastError)
        }
        throw TestFailure("no outbox row")
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
                _ = try await requestCompletion(api)
                await receiver.setDown(false)
                try await TestDatabase.withDatabase(api.databaseURL) { database in
                    // A sender that claimed the row and died before posting it: its lease holds the row back.
                    try await database.client.query(
                        "UPDATE operator_notifications SET attempts = 1, claimed_by = 'dead:1', locked_until = now() + interval '1 hour'"
                    )
                    #expect(try await delivery(database).status == "sending")
                    let sender = sender(database, url)
                    #expect(try await sender.deliverDue() == 0)
                    // The lease runs out (moved into the past rather than waited for, so a slow machine cannot race it).
                    try await database.client.query("UPDATE operator_notifications SET locked_until = now() - interval '1 second'")
                    #expect(try await sender.deliverDue() == 1)
                    #expect(await receiver.delivered.count == 1)
                    let row = try await delivery(database)
                    #expect(row.status == "delivered" && row.attempts == 2 && row.claimedBy == "sender")
                }
            }
        }
    }

    /// A webhook slower than the claim's lease: the sender renews its lease
    /// while it waits, so the other sender never takes the delivery.
    @Test func twoSendersOverOneOutboxWithASlowWebhookSendExactlyOnce() async throws {
        try await withReceiver { receiver, url in
            try await TestGateway.run(configure: { $0.operatorsWebhookURL = url }) { api in
                _ = try await requestCompletion(api)
                await receiver.setDown(false)
                // Longer than the lease, which a renewal every third of it
                // keeps (seconds of slack for a busy machine).
                await receiver.setDelay(.seconds(8))
                try await TestDatabase.withDatabase(api.databaseURL) { database in
                    // The request itself may take as long as it needs: only the lease is under test.
                    let senders = ["a", "b"].map { name in
                        sender(database, url, name: name) { $0.claimLease = .seconds(6); $0.requestTimeout = .seconds(60) }
                    }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for sender in senders {
                            group.addTask {
                                _ = try await eventually(within: .seconds(40), every: .milliseconds(50)) {
                                    _ = try await sender.deliverDue()
                                    return await !receiver.delivered.isEmpty
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                    #expect(await receiver.arrivals == 1)
                    #expect(await receiver.delivered.count == 1)
                    let row = try await delivery(database)
                    #expect(row.status == "delivered" && row.attempts == 1)
                }
            }
        }
    }

    @Test func aWebhookThatAlwaysFailsIsGivenUpAfterItsAttemptsAndShownAsFailed() async throws {
        try await withReceiver { receiver, url in
            try await TestGateway.run(configure: { $0.operatorsWebhookURL = url }) { api in
                _ = try await requestCompletion(api)
                try await TestDatabase.withDatabase(api.databaseURL) { database in
                    let sender = sender(database, url) { $0.maxAttempts = 3 }
                    let gaveUp = try await eventually {
                        _ = try await sender.deliverDue()
                        return try await delivery(database).status == "failed"
                    }
                    #expect(gaveUp)
                    for _ in 0..<3 { #expect(try await sender.deliverDue() == 0) }
                    #expect(await receiver.failures == 3)
                    let row = try await delivery(database)
                    #expect(row.attempts == 3 && row.lastError == "HTTP 503")
                    let failed = try await database.client.query(
                        "SELECT count(*) FROM operator_notifications WHERE failed_at IS NOT NULL AND delivered_at IS NULL AND locked_until IS NULL"
                    ).one(Int.self)
                    #expect(failed == 1)
                }
            }
        }
    }

    /// A delivery whose senders all died while sending it is given up at its
    /// next claim once it has used its attempts, without another call.
    @Test func aDeliveryInterruptedOnItsLastAttemptIsGivenUpAtItsNextClaim() async throws {
        try await withReceiver { receiver, url in
            try await TestGateway.run(configure: { $0.operatorsWebhookURL = url }) { api in
                _ = try await requestCompletion(api)
                await receiver.setDown(false)
                try await TestDatabase.withDatabase(api.databaseURL) { database in
                    try await database.client.query(
                        "UPDATE operator_notifications SET attempts = 3, claimed_by = 'dead:1', locked_until = now() - interval '1 second'"
                    )
                    #expect(try await sender(database, url) { $0.maxAttempts = 3 }.deliverDue() == 0)
                    #expect(await receiver.arrivals == 0)
                    let row = try await delivery(database)
                    #expect(row.status == "failed" && row.attempts == 3)
                    #expect(row.lastError?.contains("3 attempts") == true)
                }
            }
        }
    }

    /// A worker process killed (SIGKILL) while the webhook call is in flight
    /// leaves the delivery claimed; once the lease runs out another sender
    /// delivers it.
    @Test func aSenderKilledWhileSendingLeavesTheDeliveryToAnotherAfterTheLease() async throws {
        try await withReceiver { receiver, url in
            try await TestGateway.run(configure: { $0.operatorsWebhookURL = url }) { api in
                _ = try await requestCompletion(api)
                await receiver.setDown(false)
                await receiver.setHolding(true)
                let worker = try ChildProcess(
                    Binaries.worker,
                    environment: [
                        "DATABASE_URL": api.databaseURL.environmentValue, "OPERATORS_WEBHOOK_URL": url,
                        "WORKER_POLL_SECONDS": "0.1", "LOG_LEVEL": "info",
                    ]
                )
                let sending = await eventually(within: .seconds(30)) { await receiver.arrivals == 1 }
                #expect(sending, "worker output: \(worker.output)")
                worker.signal(SIGKILL)
                _ = await worker.exitStatus(within: .seconds(10))
                await receiver.setHolding(false)

                try await TestDatabase.withDatabase(api.databaseURL) { database in
                    let held = try await delivery(database)
                    #expect(held.status == "sending" && held.attempts == 1)
                    #expect(held.claimedBy?.hasSuffix(":\(worker.pid)") == true, "\(String(describing: held.claimedBy))")
                    let sender = sender(database, url)
                    #expect(try await sender.deliverDue() == 0)
                    try await database.client.query("UPDATE operator_notifications SET locked_until = now() - interval '1 second'")
                    #expect(try await sender.deliverDue() == 1)
                    #expect(await receiver.arrivals == 2)
                    let row = try await delivery(database)
                    #expect(row.status == "delivered" && row.attempts == 2)
                }
            }
        }
    }

    /// Slack reads `<!channel>` as a mention and `<url|text>` as a link: every
    /// name in the text is escaped (CONTRACT §10.16).
    @Test func everyNameInTheWebhookTextIsEscapedSoItPingsNoOne() async throws {
        try await withReceiver { receiver, url in
            try await TestGateway.run(configure: { $0.operatorsWebhookURL = url }) { api in
                _ = try await requestCompletion(
                    api, design: "<!channel> & co", subject: "<@U024BE7LH>", shotType: "<https://evil.example|click>"
                )
                await receiver.setDown(false)
                let delivered = try await TestDatabase.withDatabase(api.databaseURL) { database in
                    try await sender(database, url).deliverDue()
                }
                #expect(delivered == 1)
                let body = try #require(await receiver.delivered.first)
                let text = try #require(try JSONParser.parse(Array(body.utf8))["text"].string)
                #expect(!text.contains("<") && !text.contains(">"), "\(text)")
                #expect(text.contains("\"&lt;!channel&gt; &amp; co\""))
                #expect(text.contains("&lt;@U024BE7LH&gt;"))
                #expect(text.contains("&lt;https://evil.example|click&gt;"))
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
