import Foundation
import Hummingbird
import NIOCore
import Shared

/// The `file` of an upload route, read as it streams: the field `file` of a
/// multipart/form-data body, or (where a route allows it) a raw body of a
/// given content type.
enum UploadedFile {
    /// What a multipart body may carry besides the file: boundaries, part headers, small fields.
    static let multipartEnvelope = 64 << 10

    /// Streams the upload into `store`. Client errors become API errors:
    /// no `file` field → 422, over the limit → 413 (at once when the declared
    /// `Content-Length` says so), a malformed body → 422. `discardsOnFailure`:
    /// the blob's name is this upload's own, so a failure after it was
    /// stored (a malformed or missing end of the body) deletes it; a
    /// content-addressed blob may be another upload's too, and stays.
    static func store(
        _ request: Request, in store: any BlobStore, write: BlobWrite, rawContentTypes: Set<String> = [], discardsOnFailure: Bool = false
    ) async throws -> StoredBlob {
        let contentType = request.headers[.contentType]
        let boundary = Multipart.boundary(of: contentType)
        let limit = write.maxBytes + (boundary == nil ? 0 : multipartEnvelope)
        try checkDeclaredLength(request, limit: limit)
        // A chunked body declares no length: the same limit is counted as it arrives.
        let body = CappedBody(base: request.body.makeAsyncIterator(), limit: limit)
        do {
            if let boundary {
                var reader = MultipartReader(boundary: boundary, source: body)
                while let part = try await reader.nextPart() {
                    guard part.name == "file" else { continue }
                    let blob = try await store.put(write) { try await reader.nextChunk() }
                    do {
                        // Read to the end so the client is not cut off mid-request.
                        while try await reader.nextPart() != nil {}
                    } catch {
                        if discardsOnFailure { try? await store.delete(blob.key) }
                        throw error
                    }
                    return blob
                }
                throw APIError.validation(.missing(["body", "file"], input: .null))
            }
            let mediaType = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            if let mediaType, rawContentTypes.contains(mediaType) {
                var body = body
                return try await store.put(write) { try await body.next() }
            }
            throw APIError.validation(.missing(["body", "file"], input: .null))
        } catch BlobStoreError.tooLarge(let limit) {
            throw APIError(.contentTooLarge, "The file is larger than the limit of \(limit) bytes")
        } catch BlobStoreError.writeAbandoned {
            throw APIError(.requestTimeout, "The upload stalled for so long that it was discarded; send it again")
        } catch let malformed as Multipart.Malformed {
            throw APIError.validation(.valueError(["body", "file"], message: "Malformed multipart body: \(malformed)", input: .null))
        }
    }

    /// The request body, failing with 413 once more than `limit` bytes arrived.
    struct CappedBody<Base: AsyncIteratorProtocol>: AsyncIteratorProtocol where Base.Element == ByteBuffer {
        var base: Base
        let limit: Int
        private var received = 0

        init(base: Base, limit: Int) {
            self.base = base
            self.limit = limit
        }

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            let (total, overflow) = received.addingReportingOverflow(chunk.readableBytes)
            guard !overflow, total <= limit else {
                throw APIError(.contentTooLarge, "The request body is larger than the limit of \(limit) bytes")
            }
            received = total
            return chunk
        }
    }

    /// 413 before a byte of the body is read when its declared length is over
    /// `limit` (a length too large for an integer is over any limit).
    static func checkDeclaredLength(_ request: Request, limit: Int) throws(APIError) {
        guard let declared = request.headers[.contentLength]?.trimmingCharacters(in: .whitespaces),
            !declared.isEmpty, declared.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return }
        if let length = Int(declared), length <= limit { return }
        throw APIError(.contentTooLarge, "The request body is larger than the limit of \(limit) bytes")
    }
}
