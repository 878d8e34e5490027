import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import ServiceLifecycle
import Shared

/// Delivers the `operator_notifications` outbox to `OPERATORS_WEBHOOK_URL`
/// (CONTRACT §5, §10.16). A delivery is claimed like a task: under a lease
/// (`claimed_by`, `locked_until`) that the sender renews while the webhook
/// call runs, with `attempts` as the fencing token every later write checks.
/// So no other sender takes it while this one is still sending, however slow
/// the webhook; a sender that died leaves it to be retried once the lease
/// runs out. A failed attempt is retried with exponential backoff, and after
/// `maxAttempts` the delivery is given up and stays visible as failed.
public struct OperatorNotificationSender: Service {
    public struct Configuration: Sendable {
        public var webhookURL: String
        /// How often due rows are looked for.
        public var pollInterval: Duration = .seconds(1)
        /// How long a claim holds a delivery; renewed every third of it while
        /// the webhook call runs, so it matters only when a sender dies.
        public var claimLease: Duration = .seconds(60)
        /// `WEBHOOK_MAX_ATTEMPTS`: attempts before a delivery is given up (default 20).
        public var maxAttempts = 20
        /// First retry delay; doubles per attempt up to `maximumBackoff`.
        public var initialBackoff: Duration = .seconds(2)
        public var maximumBackoff: Duration = .seconds(600)
        /// Time allowed for one webhook call, answer included.
        public var requestTimeout: Duration = .seconds(10)
        /// Deliveries tried per round, one after the other.
        public var batchSize = 10
        /// Names this process in `claimed_by` (host:pid).
        public var name = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"

        public init(webhookURL: String) { self.webhookURL = webhookURL }

        public init(webhookURL: String, config: AppConfig) {
            self.webhookURL = webhookURL
            pollInterval = .seconds(config.workerPollSeconds)
            maxAttempts = config.webhookMaxAttempts
        }
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

    /// One round: claims due deliveries one at a time (a claim is held only
    /// while its own call runs) and tries each once; none after a shutdown
    /// began. Returns how many were delivered.
    public func deliverDue() async throws -> Int {
        var delivered = 0
        rounds: for _ in 0..<configuration.batchSize where !Task.isShuttingDownGracefully {
            switch try await claimNext() {
            case .none: break rounds
            case .gaveUp: continue
            case .claimed(let claim): if try await attempt(claim) { delivered += 1 }
            }
        }
        return delivered
    }

    /// A delivery this sender holds: what to post, and the fencing token.
    struct Claim: Sendable {
        var id: Int64
        var payload: String
        var sender: String
        var attempts: Int
    }

    /// What a claim found: nothing due, a delivery to send, or one that had
    /// used up its attempts (its senders died while sending) and is failed instead.
    enum ClaimOutcome: Sendable {
        case none
        case claimed(Claim)
        case gaveUp
    }

    private var leaseSeconds: Double { configuration.claimLease / .seconds(1) }

    /// Claims the next due delivery whose lease, if any, has run out, in one statement.
    func claimNext() async throws -> ClaimOutcome {
        let rows = try await database.client.query(
            """
            WITH next AS (
                SELECT id FROM operator_notifications
                WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
                  AND (locked_until IS NULL OR locked_until <= now())
                ORDER BY next_attempt_at, id
                LIMIT 1
                FOR UPDATE SKIP LOCKED
            )
            UPDATE operator_notifications n SET
                attempts = CASE WHEN n.attempts >= \(configuration.maxAttempts) THEN n.attempts ELSE n.attempts + 1 END,
                failed_at = CASE WHEN n.attempts >= \(configuration.maxAttempts) THEN now() END,
                last_error = CASE WHEN n.attempts >= \(configuration.maxAttempts)
                                  THEN format('Gave up after %s attempts; the last sender stopped while sending.', n.attempts)
                                  ELSE n.last_error END,
                claimed_by = \(configuration.name),
                locked_until = CASE WHEN n.attempts >= \(configuration.maxAttempts) THEN NULL
                                    ELSE now() + \(leaseSeconds) * interval '1 second' END
            FROM next
            WHERE n.id = next.id
            RETURNING n.id, n.payload::text, n.attempts, n.failed_at IS NOT NULL
            """,
            logger: logger
        )
        for try await (id, payload, attempts, gaveUp) in rows.decode((Int64, String, Int32, Bool).self) {
            if gaveUp {
                logger.error("operator webhook delivery given up", metadata: ["notification_id": "\(id)", "attempts": "\(attempts)"])
                return .gaveUp
            }
            return .claimed(Claim(id: id, payload: payload, sender: configuration.name, attempts: Int(attempts)))
        }
        return .none
    }

    /// Posts a claimed delivery and records the outcome under the fence. True when delivered.
    private func attempt(_ claim: Claim) async throws -> Bool {
        let metadata: Logger.Metadata = ["notification_id": "\(claim.id)", "attempt": "\(claim.attempts)"]
        switch try await postHoldingLease(claim) {
        case .accepted:
            let recorded = try await database.client.query(
                """
                UPDATE operator_notifications SET delivered_at = now(), locked_until = NULL, last_error = NULL
                WHERE \(fence: claim) RETURNING id
                """,
                logger: logger
            )
            for try await _ in recorded { return true }
            logger.warning("operator webhook delivered after its claim was lost", metadata: metadata)
            return false
        case .failed(let failure):
            let backoff = min(
                configuration.initialBackoff * (1 << min(claim.attempts - 1, 20)), configuration.maximumBackoff
            )
            let recorded = try await database.client.query(
                """
                UPDATE operator_notifications SET
                    last_error = \(failure), locked_until = NULL,
                    next_attempt_at = now() + \(backoff / .seconds(1)) * interval '1 second',
                    failed_at = CASE WHEN attempts >= \(configuration.maxAttempts) THEN now() END
                WHERE \(fence: claim) RETURNING failed_at IS NOT NULL
                """,
                logger: logger
            )
            for try await gaveUp in recorded.decode(Bool.self) {
                if gaveUp {
                    logger.error("operator webhook delivery given up", metadata: metadata.merging(["error": "\(failure)"]) { $1 })
                } else {
                    logger.warning("operator webhook failed", metadata: metadata.merging(["error": "\(failure)"]) { $1 })
                }
                return false
            }
            logger.warning("operator webhook attempt ended after its claim was lost", metadata: metadata)
            return false
        case .leaseLost:
            logger.warning("operator webhook claim lost while sending; the call was abandoned", metadata: metadata)
            return false
        }
    }

    private enum PostOutcome: Sendable {
        case accepted
        case failed(String)
        case leaseLost
    }

    /// Runs the webhook call while renewing the claim; whichever ends first
    /// decides: the call's answer, its deadline, or the loss of the claim
    /// (which abandons the call, since another sender may now take it).
    private func postHoldingLease(_ claim: Claim) async throws -> PostOutcome {
        try await withThrowingTaskGroup(of: PostOutcome.self) { group in
            group.addTask { await post(claim.payload).map(PostOutcome.failed) ?? .accepted }
            group.addTask {
                try await Task.sleep(for: configuration.requestTimeout)
                return .failed("no answer within \(configuration.requestTimeout)")
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: configuration.claimLease / 3)
                    guard try await renew(claim) else { return .leaseLost }
                }
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { return .leaseLost }
            return first
        }
    }

    /// Pushes the claim's lease a full term ahead; false when it is no longer this claim.
    private func renew(_ claim: Claim) async throws -> Bool {
        let renewed = try await database.client.query(
            """
            UPDATE operator_notifications SET locked_until = now() + \(leaseSeconds) * interval '1 second'
            WHERE \(fence: claim) RETURNING id
            """,
            logger: logger
        )
        for try await _ in renewed { return true }
        return false
    }

    /// nil on a 2xx answer, else why not.
    private func post(_ payload: String) async -> String? {
        var request = HTTPClientRequest(url: configuration.webhookURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: payload))
        do {
            let timeout = TimeAmount.milliseconds(Int64(configuration.requestTimeout / .milliseconds(1)))
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return (200..<300).contains(response.status.code) ? nil : "HTTP \(response.status.code)"
        } catch {
            return "\(error)"
        }
    }
}

extension PostgresQuery.StringInterpolation {
    /// `\(fence: claim)`: the row is the delivery, still pending and still held by this claim.
    mutating func appendInterpolation(fence claim: OperatorNotificationSender.Claim) {
        appendLiteral("id = ")
        appendInterpolation(claim.id)
        appendLiteral(" AND claimed_by = ")
        appendInterpolation(claim.sender)
        appendLiteral(" AND attempts = ")
        appendInterpolation(claim.attempts)
        appendLiteral(" AND delivered_at IS NULL AND failed_at IS NULL")
    }
}
