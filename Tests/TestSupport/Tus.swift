import Foundation
import HTTPTypes
import NIOCore
import PostgresNIO

/// tus 1.0.0 requests through the test client, byte for byte.
extension GatewayClient {
    public static let tus: HTTPFields = [HTTPField.Name("Tus-Resumable")!: "1.0.0"]

    /// `POST .../base-images/uploads` of an upload of `length` bytes.
    public func tusCreate(_ setup: UploadSetup, length: Int, extra: HTTPFields = [:]) async throws -> APIResponse {
        var headers = Self.tus
        headers[HTTPField.Name("Upload-Length")!] = String(length)
        for field in extra { headers.append(field) }
        return try await request(.post, "/api/v1/set-designs/\(setup.design)/base-images/uploads", token: setup.user.token, headers: headers)
    }

    public func tusPatch(
        _ path: String, token: String, offset: Int, _ bytes: [UInt8], checksum: String? = nil,
        contentType: String = "application/offset+octet-stream"
    ) async throws -> APIResponse {
        var headers = Self.tus
        headers[.contentType] = contentType
        headers[HTTPField.Name("Upload-Offset")!] = String(offset)
        if let checksum { headers[HTTPField.Name("Upload-Checksum")!] = checksum }
        return try await request(.patch, path, token: token, body: ByteBuffer(bytes: bytes), headers: headers)
    }

    public func tusHead(_ path: String, token: String) async throws -> APIResponse {
        try await request(.head, path, token: token, headers: Self.tus)
    }

    /// The server's offset of the upload, if it answers one.
    public func tusOffset(_ path: String, token: String) async throws -> Int? {
        try await tusHead(path, token: token).header("Upload-Offset").flatMap { Int($0) }
    }

    /// Partial blobs in the postgres store (resumable/...).
    public func partialBlobCount() async throws -> Int {
        try await TestDatabase.withClient(databaseURL) { client in
            try await client.query("SELECT count(*) FROM blobs WHERE key LIKE 'resumable/%'").one(Int.self)
        }
    }
}

extension APIResponse {
    public func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }

    /// The upload's path, from the Location of its creation.
    public func uploadPath() throws -> String {
        guard let location = header("Location"), let start = location.range(of: "/api/v1/") else {
            throw TestFailure("no upload Location: \(status) \(text)")
        }
        return String(location[start.lowerBound...])
    }
}
