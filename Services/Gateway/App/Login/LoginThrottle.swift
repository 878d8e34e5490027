import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PostgresNIO
import Shared

/// Failed-login limits of CONTRACT §3, per account and per client address,
/// in Postgres (sql/0007) so that every gateway counts together. A subject
/// at its limit is refused before its password is checked, so a flood of
/// guesses costs no bcrypt time. Windows are fixed: they start at the first
/// failure and last `window`.
struct LoginThrottle: Sendable {
    let database: Database
    let maxAccountFailures: Int
    let maxAddressFailures: Int
    let window: Duration
    /// Peers whose forwarding headers are believed (`FORWARDED_ALLOW_IPS`).
    let trustedProxies: Set<String>

    init(database: Database, config: AppConfig) {
        self.database = database
        maxAccountFailures = config.loginMaxFailures
        maxAddressFailures = config.loginMaxFailuresPerAddress
        window = .seconds(config.loginFailureWindowSeconds)
        trustedProxies = config.forwardedAllowIPs
    }

    /// Who is logging in, as the limits count them.
    struct Attempt: Sendable {
        /// The username as typed.
        var account: String
        var address: String
    }

    func attempt(username: String, request: Request, context: AppRequestContext) -> Attempt {
        // The email as typed, so unknown emails are limited alike; folded and hashed in SQL
        // (`accountSubject`), as users are found, and of a fixed length whatever was typed.
        Attempt(account: username, address: "address:" + clientAddress(request, context: context))
    }

    /// The client: the peer itself, or what a trusted proxy says in `X-Real-IP`
    /// (else the last `X-Forwarded-For` hop, the one that proxy added).
    func clientAddress(_ request: Request, context: AppRequestContext) -> String {
        let peer = context.peerAddress?.ipAddress ?? "unknown"
        guard trustedProxies.contains("*") || trustedProxies.contains(peer) else { return peer }
        let realIP = request.headers[HTTPField.Name("X-Real-IP")!]?.trimmingCharacters(in: .whitespaces)
        let forwarded = request.headers[HTTPField.Name("X-Forwarded-For")!]?
            .split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) }
        let claimed = [realIP, forwarded].compactMap { $0 }.first { !$0.isEmpty && $0.utf8.count <= 64 }
        return claimed ?? peer
    }

    /// 429 with `Retry-After` while the account or the address is at its limit.
    func checkAllowed(_ attempt: Attempt, now: Date = Date(), logger: Logger) async throws {
        let rows = try await database.client.query(
            """
            SELECT ceil(extract(epoch FROM max(window_started_at) + \(seconds)::double precision * interval '1 second' - \(now)))::bigint
            FROM login_failures
            WHERE window_started_at > \(now)::timestamptz - \(seconds)::double precision * interval '1 second'
              AND ((subject = 'account:' || md5(lower(\(attempt.account))) AND failures >= \(maxAccountFailures))
                OR (subject = \(attempt.address) AND failures >= \(maxAddressFailures)))
            """,
            logger: logger
        )
        for try await retryAfter in rows.decode(Int64?.self) {
            guard let retryAfter else { return }
            throw APIError.tryLater(
                .tooManyRequests, "Too many failed login attempts; try again later", afterSeconds: Int(clamping: retryAfter)
            )
        }
    }

    /// Counts a failure for the account and the address, starting a new window where the last has passed.
    func recordFailure(_ attempt: Attempt, now: Date = Date(), logger: Logger) async throws {
        try await database.client.query(
            """
            INSERT INTO login_failures AS f (subject, window_started_at, failures)
            SELECT subject, \(now), 1
            FROM unnest(ARRAY['account:' || md5(lower(\(attempt.account))), \(attempt.address)]) subject ORDER BY subject
            ON CONFLICT (subject) DO UPDATE SET
                failures = CASE WHEN f.window_started_at > \(now)::timestamptz - \(seconds)::double precision * interval '1 second'
                    THEN f.failures + 1 ELSE 1 END,
                window_started_at = CASE WHEN f.window_started_at > \(now)::timestamptz - \(seconds)::double precision * interval '1 second'
                    THEN f.window_started_at ELSE \(now) END
            """,
            logger: logger
        )
        // Windows that have passed are of no use; dropping a few per failure keeps the table small.
        try await database.client.query(
            """
            DELETE FROM login_failures WHERE subject IN (
                SELECT subject FROM login_failures
                WHERE window_started_at < \(now)::timestamptz - \(seconds)::double precision * interval '1 second'
                LIMIT 100 FOR UPDATE SKIP LOCKED)
            """,
            logger: logger
        )
    }

    /// A successful login clears the account's failures (never the address's: a proxy's other users count there).
    func recordSuccess(_ attempt: Attempt, logger: Logger) async throws {
        try await database.client.query(
            "DELETE FROM login_failures WHERE subject = 'account:' || md5(lower(\(attempt.account)))", logger: logger
        )
    }

    private var seconds: Double {
        let (whole, fraction) = window.components
        return Double(whole) + Double(fraction) / 1e18
    }
}
