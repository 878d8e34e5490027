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
        guard let bytes = ipv6Bytes(address) else { return address }
        if let ipv4 = embeddedIPv4(bytes) { return ipv4 }
        var prefix = bytes
        for index in 8..<16 { prefix[index] = 0 }
        return ipv6Text(prefix).map { $0 + "/64" } ?? address
    }

    /// An IPv4 client written as IPv6 is that IPv4 address: mapped (`::ffff:a.b.c.d`,
    /// as an IPv6 socket sees one), compatible (`::a.b.c.d`, not `::` or `::1`)
    /// and NAT64 (`64:ff9b::a.b.c.d`); nil for anything else.
    static func canonicalIPv4(_ address: String) -> String? {
        ipv6Bytes(address).flatMap(embeddedIPv4)
    }

    private static func ipv6Bytes(_ address: String) -> [UInt8]? {
        var raw = in6_addr()
        guard address.contains(":"), inet_pton(AF_INET6, address, &raw) == 1 else { return nil }
        return withUnsafeBytes(of: &raw) { Array($0) }
    }

    private static func embeddedIPv4(_ bytes: [UInt8]) -> String? {
        let high = bytes[0..<12]
        let mapped = high.prefix(10).allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
        let compatible = high.allSatisfy { $0 == 0 } && !bytes[12..<15].allSatisfy { $0 == 0 }
        let nat64 = Array(high) == [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]
        guard mapped || compatible || nat64 else { return nil }
        return bytes[12..<16].map(String.init).joined(separator: ".")
    }

    private static func ipv6Text(_ bytes: [UInt8]) -> String? {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = bytes.withUnsafeBytes { raw in inet_ntop(AF_INET6, raw.baseAddress, &text, socklen_t(text.count)) }
        guard written != nil else { return nil }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The client: the peer itself, or what a trusted proxy says in `X-Real-IP`
    /// (else the last `X-Forwarded-For` hop, the one that proxy added).
    func clientAddress(_ request: Request, context: AppRequestContext) -> String {
        let seen = context.peerAddress?.ipAddress ?? "unknown"
        // A proxy on 127.0.0.1 reaches a gateway listening on `::` as ::ffff:127.0.0.1.
        let peer = Self.canonicalIPv4(seen) ?? seen
        guard trustedProxies.contains("*") || trustedProxies.contains(peer) || trustedProxies.contains(seen) else { return peer }
        let realIP = request.headers[HTTPField.Name("X-Real-IP")!]?.trimmingCharacters(in: .whitespaces)
        let forwarded = request.headers[HTTPField.Name("X-Forwarded-For")!]?
            .split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) }
        let claimed = [realIP, forwarded].compactMap { $0 }.first { !$0.isEmpty && $0.utf8.count <= 64 }
        return claimed ?? peer
    }

    /// Answers 429 with `Retry-After` while the account or the address is at
    /// its limit; otherwise counts the attempt against its account before the
    /// password is checked. The count and the check are one statement under
    /// the account row's lock, so parallel guesses cannot all pass a check
    /// that none of them is counted in yet; a refused attempt is rolled back,
    /// so attempts answered 429 never count. The address's count is of
    /// finished failures only (`recordFailure`): a proxy's logins in progress,
    /// successful ones among them, never limit each other.
    func admit(_ attempt: Attempt, now: Date = Date(), logger: Logger) async throws {
        try await database.transaction { connection in
            let rows = try await connection.query(
                """
                WITH address AS (
                    SELECT failures, window_started_at FROM login_failures
                    WHERE subject = \(attempt.address)
                      AND window_started_at > \(now)::timestamptz - \(seconds)::double precision * interval '1 second'),
                account AS (
                    INSERT INTO login_failures AS f (subject, window_started_at, failures)
                    VALUES ('account:' || md5(lower(\(attempt.account))), \(now), 1)
                    ON CONFLICT (subject) DO UPDATE SET
                        failures = CASE WHEN f.window_started_at > \(now)::timestamptz - \(seconds)::double precision * interval '1 second'
                            THEN f.failures + 1 ELSE 1 END,
                        window_started_at = CASE WHEN f.window_started_at > \(now)::timestamptz - \(seconds)::double precision * interval '1 second'
                            THEN f.window_started_at ELSE \(now) END
                    RETURNING failures, window_started_at)
                SELECT account.failures,
                       ceil(extract(epoch FROM account.window_started_at + \(seconds)::double precision * interval '1 second' - \(now)))::bigint,
                       address.failures,
                       ceil(extract(epoch FROM address.window_started_at + \(seconds)::double precision * interval '1 second' - \(now)))::bigint
                FROM account LEFT JOIN address ON true
                """,
                logger: logger
            )
            var retryAfter: Int64?
            for try await (accountFailures, accountRemaining, addressFailures, addressRemaining) in rows.decode((Int64, Int64, Int64?, Int64?).self) {
                if accountFailures > maxAccountFailures { retryAfter = accountRemaining }
                if let addressFailures, addressFailures >= maxAddressFailures { retryAfter = max(retryAfter ?? 0, addressRemaining ?? 0) }
            }
            if let retryAfter {
                throw APIError.tryLater(
                    .tooManyRequests, "Too many failed login attempts; try again later", afterSeconds: Int(clamping: retryAfter)
                )
            }
        }
    }

    /// A wrong password: the account counted it already (`admit`); the address counts it now.
    func recordFailure(_ attempt: Attempt, now: Date = Date(), logger: Logger) async throws {
        try await database.client.query(
            """
            INSERT INTO login_failures AS f (subject, window_started_at, failures) VALUES (\(attempt.address), \(now), 1)
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

    /// Takes back the account's count of an attempt whose password was never checked (the server failed first).
    func withdraw(_ attempt: Attempt, logger: Logger) async throws {
        try await database.client.query(
            """
            WITH cleared AS (
                DELETE FROM login_failures WHERE subject = 'account:' || md5(lower(\(attempt.account))) AND failures <= 1)
            UPDATE login_failures SET failures = failures - 1
            WHERE subject = 'account:' || md5(lower(\(attempt.account))) AND failures > 1
            """,
            logger: logger
        )
    }

    private var seconds: Double {
        let (whole, fraction) = window.components
        return Double(whole) + Double(fraction) / 1e18
    }
}
