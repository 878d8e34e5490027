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
        Attempt(account: username, address: "address:" + Self.addressSubject(clientAddress(request, context: context)))
    }

    /// The unit an address limit counts: an IPv4 address, or the /64 of an
    /// IPv6 one (a single host is commonly given a whole /64 to pick from).
    static func addressSubject(_ address: String) -> String {
        var bytes = in6_addr()
        guard address.contains(":"), inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
        return withUnsafeMutableBytes(of: &bytes) { raw in
            // An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d) is that IPv4 address.
            if raw[0..<10].allSatisfy({ $0 == 0 }), raw[10] == 0xff, raw[11] == 0xff {
                return raw[12..<16].map(String.init).joined(separator: ".")
            }
            for index in 8..<16 { raw[index] = 0 }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, raw.baseAddress, &text, socklen_t(text.count)) != nil else { return address }
            return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/64"
        }
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

    /// Counts the attempt against its account and its address before the
    /// password is checked, and answers 429 with `Retry-After` when either had
    /// reached its limit. Counting first, in one statement that locks both
    /// rows, means parallel guesses cannot all pass a check that none of them
    /// has been counted in yet. A success or an attempt that never reached
    /// the password check takes its count back (`recordSuccess`, `withdraw`).
    func admit(_ attempt: Attempt, now: Date = Date(), logger: Logger) async throws {
        let rows = try await database.client.query(
            """
            INSERT INTO login_failures AS f (subject, window_started_at, failures)
            SELECT subject, \(now), 1
            FROM unnest(ARRAY['account:' || md5(lower(\(attempt.account))), \(attempt.address)]) subject ORDER BY subject
            ON CONFLICT (subject) DO UPDATE SET
                failures = CASE WHEN f.window_started_at > \(now)::timestamptz - \(seconds)::double precision * interval '1 second'
                    THEN f.failures + 1 ELSE 1 END,
                window_started_at = CASE WHEN f.window_started_at > \(now)::timestamptz - \(seconds)::double precision * interval '1 second'
                    THEN f.window_started_at ELSE \(now) END
            RETURNING subject LIKE 'account:%', failures,
                ceil(extract(epoch FROM window_started_at + \(seconds)::double precision * interval '1 second' - \(now)))::bigint
            """,
            logger: logger
        )
        var retryAfter: Int64?
        for try await (isAccount, failures, remaining) in rows.decode((Bool, Int64, Int64).self) {
            if failures > (isAccount ? maxAccountFailures : maxAddressFailures) { retryAfter = max(retryAfter ?? 0, remaining) }
        }
        // Windows that have passed are of no use; dropping a few per attempt keeps the table small.
        try await database.client.query(
            """
            DELETE FROM login_failures WHERE subject IN (
                SELECT subject FROM login_failures
                WHERE window_started_at < \(now)::timestamptz - \(seconds)::double precision * interval '1 second'
                LIMIT 100 FOR UPDATE SKIP LOCKED)
            """,
            logger: logger
        )
        if let retryAfter {
            throw APIError.tryLater(
                .tooManyRequests, "Too many failed login attempts; try again later", afterSeconds: Int(clamping: retryAfter)
            )
        }
    }

    /// A successful login clears the account's failures and takes back its
    /// count at the address (never the address's others: a proxy's other users count there).
    func recordSuccess(_ attempt: Attempt, logger: Logger) async throws {
        try await database.client.query(
            """
            WITH cleared AS (
                DELETE FROM login_failures
                WHERE subject = 'account:' || md5(lower(\(attempt.account))) OR (subject = \(attempt.address) AND failures <= 1))
            UPDATE login_failures SET failures = failures - 1 WHERE subject = \(attempt.address) AND failures > 1
            """,
            logger: logger
        )
    }

    /// Takes back the counts of an attempt whose password was never checked (the server failed first).
    func withdraw(_ attempt: Attempt, logger: Logger) async throws {
        try await database.client.query(
            """
            WITH subjects AS (SELECT unnest(ARRAY['account:' || md5(lower(\(attempt.account))), \(attempt.address)]) subject),
                 cleared AS (DELETE FROM login_failures WHERE subject IN (SELECT subject FROM subjects) AND failures <= 1)
            UPDATE login_failures SET failures = failures - 1 WHERE subject IN (SELECT subject FROM subjects) AND failures > 1
            """,
            logger: logger
        )
    }

    private var seconds: Double {
        let (whole, fraction) = window.components
        return Double(whole) + Double(fraction) / 1e18
    }
}
