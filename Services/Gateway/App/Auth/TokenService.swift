import Foundation
import JWTKit

/// Issues and checks the HS256 access tokens of CONTRACT §3: `sub` is the user
/// id, `exp` the expiry, signed with `SECRET_KEY`.
public struct TokenService: Sendable {
    struct AccessTokenPayload: JWTPayload {
        var sub: SubjectClaim
        var exp: ExpirationClaim

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
        }
    }

    private let keys: JWTKeyCollection
    let lifetime: Duration

    public init(secretKey: String, lifetime: Duration) async {
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secretKey), digestAlgorithm: .sha256)
        self.lifetime = lifetime
    }

    public func issue(userID: UUID, now: Date = Date()) async throws -> String {
        let payload = AccessTokenPayload(
            sub: SubjectClaim(value: userID.lowercasedString),
            // Whole seconds, as PyJWT writes `exp`.
            exp: ExpirationClaim(value: Date(timeIntervalSince1970: (now.timeIntervalSince1970 + TimeInterval(lifetime.components.seconds)).rounded(.down)))
        )
        return try await keys.sign(payload)
    }

    /// The user id of a valid, unexpired token signed with our key; nil otherwise.
    public func userID(from token: String) async -> UUID? {
        guard let payload = try? await keys.verify(token, as: AccessTokenPayload.self) else { return nil }
        return UUID(uuidString: payload.sub.value)
    }
}
