import Crypto
import Foundation
import Hummingbird

/// Signed, expiring media URLs that work in an `<img>` tag (CONTRACT §7):
/// `/api/v1/media/{id}/content?expires=<unix seconds>&signature=<HMAC>`,
/// the HMAC-SHA256 of id and expiry under `SECRET_KEY`.
struct MediaURLSigner: Sendable {
    let key: SymmetricKey
    let lifetime: Int
    let publicBaseURL: String?

    init(secretKey: String, lifetime: Int, publicBaseURL: String?) {
        key = SymmetricKey(data: Data("media-url:\(secretKey)".utf8))
        self.lifetime = lifetime
        self.publicBaseURL = publicBaseURL
    }

    func url(for mediaID: UUID, request: Request, now: Date = Date()) -> String {
        url(for: mediaID, base: baseURL(of: request), now: now)
    }

    func url(for mediaID: UUID, base: String, now: Date = Date()) -> String {
        let expires = Int(now.timeIntervalSince1970) + lifetime
        return base + "/api/v1/media/\(mediaID.lowercasedString)/content?expires=\(expires)&signature=\(signature(mediaID, expires))"
    }

    /// True when `signature` signs this media id and `expires` has not passed.
    /// `expires` is the decimal the URL was made with: `Int(_:)` alone would also
    /// take `+123` or `0123` for the same signature; one too long for an Int is refused.
    func isValid(mediaID: UUID, expires: String?, signature: String?, now: Date = Date()) -> Bool {
        guard let expires, expires.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let expiry = Int(expires), String(expiry) == expires, let signature, expiry >= Int(now.timeIntervalSince1970),
            let given = Data(base64URL: signature)
        else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Data(message(mediaID, expiry).utf8), using: key)
    }

    /// `PUBLIC_BASE_URL`, else the scheme and host the client used (through a proxy's
    /// X-Forwarded-* headers when present), else nothing: a relative URL.
    func baseURL(of request: Request) -> String {
        if let publicBaseURL { return publicBaseURL }
        let forwardedHost = request.headers[.init("X-Forwarded-Host")!]?.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let host = forwardedHost ?? request.head.authority, !host.isEmpty,
            host.allSatisfy({ $0.isLetter || $0.isNumber || ".-:[]_".contains($0) })
        else { return "" }
        let proto = request.headers[.init("X-Forwarded-Proto")!]?.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return "\(proto == "https" ? "https" : "http")://\(host)"
    }

    private func message(_ mediaID: UUID, _ expires: Int) -> String { "\(mediaID.lowercasedString):\(expires)" }

    private func signature(_ mediaID: UUID, _ expires: Int) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(message(mediaID, expires).utf8), using: key)).base64URLEncoded()
    }
}

extension Data {
    func base64URLEncoded() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init?(base64URL: String) {
        var text = base64URL.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        self.init(base64Encoded: text)
    }
}
