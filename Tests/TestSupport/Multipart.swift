import Foundation
import NIOCore

/// Builds multipart/form-data bodies the way browsers and curl do.
public struct MultipartForm: Sendable {
    public struct Field: Sendable {
        public var name: String
        public var filename: String?
        public var contentType: String?
        public var bytes: [UInt8]

        public init(name: String, filename: String? = nil, contentType: String? = nil, bytes: [UInt8]) {
            self.name = name
            self.filename = filename
            self.contentType = contentType
            self.bytes = bytes
        }
    }

    public var boundary = "----FormBoundary" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
    public var fields: [Field]

    public init(_ fields: [Field]) { self.fields = fields }

    /// A form with one `file` field.
    public static func file(_ bytes: [UInt8], filename: String = "upload.bin", contentType: String = "application/octet-stream") -> MultipartForm {
        MultipartForm([Field(name: "file", filename: filename, contentType: contentType, bytes: bytes)])
    }

    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    public var body: [UInt8] {
        var output: [UInt8] = []
        for field in fields {
            var disposition = "Content-Disposition: form-data; name=\"\(field.name)\""
            if let filename = field.filename { disposition += "; filename=\"\(filename)\"" }
            var head = "--\(boundary)\r\n\(disposition)\r\n"
            if let contentType = field.contentType { head += "Content-Type: \(contentType)\r\n" }
            output += Array((head + "\r\n").utf8) + field.bytes + Array("\r\n".utf8)
        }
        return output + Array("--\(boundary)--\r\n".utf8)
    }
}

extension GatewayClient {
    /// POSTs a multipart form.
    public func upload(_ path: String, token: String?, form: MultipartForm) async throws -> APIResponse {
        try await request(.post, path, token: token, body: ByteBuffer(bytes: form.body), headers: [.contentType: form.contentType])
    }
}
