import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import ServiceLifecycle
import Shared

/// Delivers the `operator_notifications` outbox to `OPERATORS_WEBHOOK_URL`.
/// A row is claimed by pushing its `next_attempt_at` a lease ahead (so a
/// crashed sender's rows come back), posted, then marked delivered, or
/// rescheduled with exponential backoff while the webhook fails.
public struct OperatorNotificationSender: Service {
    public struct Configuration: Sendable {
        public var webhookURL: String
        /// How often due rows are looked for.
        public var pollInterval: Duration = .seconds(1)
        /// How long a claimed row is left alone before another sender may retry it.
        public var claimLease: Duration = .seconds(60)
        /// First retry delay; doubles per attempt up to `maximumBackoff`.
        public var initialBackoff: Duration = .seconds(2)
        public var maximumBackoff: Duration = .seconds(600)
        /// Per-request timeout of the webhook call.
        public var requestTimeout: Duration = .seconds(10)
        public var batchSize = 10

        public init(webhookURL: String) { self.webhookURL = webhookURL }
    }

    let database: Database
    let configuration: Configuration
    let logger: Logger

    public init(database: Database, configuration: Configuration, logger: Logger) {
        self.database = database
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                _ = try await deliverDue()
            } catch {
                logger.warning("operator notification round failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: configuration.pollInterval) }
        }
    }

    /// One round: claims due rows and tries each once. Returns how many were delivered.
    public func deliverDue() async throws -> Int {
        // 1. Claim: due, undelivered rows, skipping those another sender holds.
        let rows = try await database.client.query(
            """
            UPDATE operator_notifications SET next_attempt_at = now() + \(configuration.claimLease / .seconds(1)) * interval '1 second',
                                              attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM operator_notifications
                WHERE delivered_at IS NULL AND next_attempt_at <= now()
                ORDER BY next_attempt_at, id
                LIMIT \(configuration.batchSize)
                FOR UPDATE SKIP LOCKED
            )
            RETURNING id, payload::text, attempts
            """,
            logger: logger
        )
        var claimed: [(id: Int64, payload: String, attempts: Int)] = []
        for try await (id, payload, attempts) in rows.decode((Int64, String, Int32).self) {
            claimed.append((id, payload, Int(attempts)))
        }
        var delivered = 0
        for row in claimed {
            // 2. Post; 3. record the outcome.
            if let failure = await post(row.payload) {
                let backoff = min(configuration.initialBackoff * (1 << min(row.attempts - 1, 20)), configuration.maximumBackoff)
                try await database.client.query(
                    """
                    UPDATE operator_notifications
                    SET next_attempt_at = now() + \(backoff / .seconds(1)) * interval '1 second', last_error = \(failure)
                    WHERE id = \(row.id)
                    """,
                    logger: logger
                )
                logger.warning("operator webhook failed", metadata: ["notification_id": "\(row.id)", "attempt": "\(row.attempts)", "error": "\(failure)"])
            } else {
                try await database.client.query(
                    "UPDATE operator_notifications SET delivered_at = now(), last_error = NULL WHERE id = \(row.id)",
                    logger: logger
                )
                delivered += 1
            }
        }
        return delivered
    }

    /// nil on a 2xx answer, else why not.
    private func post(_ payload: String) async -> String? {
        var request = HTTPClientRequest(url: configuration.webhookURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: payload))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(configuration.requestTimeout / .seconds(1))))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return (200..<300).contains(response.status.code) ? nil : "HTTP \(response.status.code)"
        } catch {
            return "\(error)"
        }
    }
}
