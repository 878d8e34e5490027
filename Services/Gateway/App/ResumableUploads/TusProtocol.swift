import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Shared

// The tus 1.0.0 protocol's headers and rules, written here: there is no tus
// server library for Hummingbird, and the protocol is a handful of headers
// over plain HTTP (https://tus.io/protocols/resumable-upload).

enum Tus {
    static let version = "1.0.0"
    static let extensions = "creation,termination,expiration,checksum"
    static let checksumAlgorithms = "sha1,sha256"
    /// Where the contract says a request reached the wrong version or none.
    static let preconditionFailed = APIError(
        .preconditionFailed, "Tus-Resumable: 1.0.0 is required", headers: [Header.tusVersion: version]
    )
    static let checksumMismatch = HTTPResponse.Status(code: 460, reasonPhrase: "Checksum Mismatch")
    static let locked = HTTPResponse.Status(code: 423, reasonPhrase: "Locked")
    /// The media type of a PATCH body.
    static let offsetOctetStream = "application/offset+octet-stream"
    /// `Upload-Metadata` longer than this is refused: it is echoed on every HEAD.
    static let maxMetadataBytes = 4096

    enum Header {
        static let tusResumable = HTTPField.Name("Tus-Resumable")!
        static let tusVersion = HTTPField.Name("Tus-Version")!
        static let tusExtension = HTTPField.Name("Tus-Extension")!
        static let tusMaxSize = HTTPField.Name("Tus-Max-Size")!
        static let tusChecksumAlgorithm = HTTPField.Name("Tus-Checksum-Algorithm")!
        static let uploadLength = HTTPField.Name("Upload-Length")!
        static let uploadDeferLength = HTTPField.Name("Upload-Defer-Length")!
        static let uploadOffset = HTTPField.Name("Upload-Offset")!
        static let uploadMetadata = HTTPField.Name("Upload-Metadata")!
        static let uploadExpires = HTTPField.Name("Upload-Expires")!
        static let uploadChecksum = HTTPField.Name("Upload-Checksum")!
        /// Ours: the task a complete upload became.
        static let uploadTaskID = HTTPField.Name("Upload-Task-Id")!
    }

    /// A non-negative byte count of a header: digits only. Nil when absent;
    /// 400 when malformed; a number too large for an integer is `tooLarge`.
    static func byteCount(_ request: Request, _ name: HTTPField.Name, tooLarge: APIError) throws(APIError) -> Int? {
        guard let text = request.headers[name]?.trimmingCharacters(in: .whitespaces) else { return nil }
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw .badRequest("\(name) must be a non-negative integer")
        }
        guard let value = Int(text) else { throw tooLarge }
        return value
    }

    /// `Upload-Expires`: an HTTP date (RFC 9110 IMF-fixdate).
    static func httpDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    /// `Upload-Metadata`: comma-separated `key base64value` pairs (the value
    /// may be left out); answers the decoded `filename` if there is one.
    static func filename(inMetadata metadata: String) throws(APIError) -> String? {
        guard metadata.utf8.count <= maxMetadataBytes else { throw .badRequest("Upload-Metadata is longer than \(maxMetadataBytes) bytes") }
        var filename: String?
        for pair in metadata.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: false)
            guard let key = parts.first, !key.isEmpty, parts.count <= 2 else { throw .badRequest("Upload-Metadata must be key and base64 value pairs") }
            guard parts.count == 2 else { continue }
            guard let value = Data(base64Encoded: String(parts[1])) else { throw .badRequest("Upload-Metadata value of \(key) is not base64") }
            if key == "filename" { filename = String(bytes: value, encoding: .utf8).map { $0.replacingOccurrences(of: "\0", with: "\u{FFFD}") } }
        }
        return filename
    }

    /// `Upload-Checksum: <algorithm> <base64 digest>` of one PATCH body.
    struct Checksum {
        enum Algorithm: String {
            case sha1, sha256
        }

        var algorithm: Algorithm
        var digest: Data

        init?(_ request: Request) throws(APIError) {
            guard let header = request.headers[Header.uploadChecksum] else { return nil }
            let parts = header.trimmingCharacters(in: .whitespaces).split(separator: " ")
            guard parts.count == 2, let algorithm = Algorithm(rawValue: parts[0].lowercased()) else {
                throw .badRequest("Upload-Checksum must name one of \(checksumAlgorithms) and a base64 digest")
            }
            let length = algorithm == .sha1 ? Insecure.SHA1.byteCount : SHA256.byteCount
            guard let digest = Data(base64Encoded: String(parts[1])), digest.count == length else {
                throw .badRequest("Upload-Checksum's digest is not a base64 \(algorithm.rawValue) digest")
            }
            self.algorithm = algorithm
            self.digest = digest
        }

        func hasher() -> Hasher { algorithm == .sha1 ? .sha1(Insecure.SHA1()) : .sha256(SHA256()) }

        enum Hasher {
            case sha1(Insecure.SHA1)
            case sha256(SHA256)

            mutating func update(_ bytes: UnsafeRawBufferPointer) {
                switch self {
                case .sha1(var hasher):
                    hasher.update(bufferPointer: bytes)
                    self = .sha1(hasher)
                case .sha256(var hasher):
                    hasher.update(bufferPointer: bytes)
                    self = .sha256(hasher)
                }
            }

            func finalize() -> Data {
                switch self {
                case .sha1(let hasher): Data(hasher.finalize())
                case .sha256(let hasher): Data(hasher.finalize())
                }
            }
        }
    }
}

/// Every tus route: `Tus-Resumable: 1.0.0` required of each request but
/// OPTIONS (412 otherwise), and carried by each answer, errors included
/// (so those become responses here, as `ErrorMiddleware` makes them).
struct TusProtocolMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await ErrorMiddleware<Context>().handle(request, context: context) { request, context in
            if request.method != .options, request.headers[Tus.Header.tusResumable] != Tus.version { throw Tus.preconditionFailed }
            return try await next(request, context)
        }
        response.headers[Tus.Header.tusResumable] = Tus.version
        return response
    }
}
