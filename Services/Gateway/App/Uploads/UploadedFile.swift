import Hummingbird
import NIOCore
import Shared

/// The `file` of an upload route, read as it streams: the field `file` of a
/// multipart/form-data body, or (where a route allows it) a raw body of a
/// given content type.
enum UploadedFile {
    /// Streams the upload into `store`. Client errors become API errors:
    /// no `file` field → 422, over the limit → 413, a malformed body → 422.
    static func store(
        _ request: Request, in store: any BlobStore, write: BlobWrite, rawContentTypes: Set<String> = []
    ) async throws -> StoredBlob {
        let contentType = request.headers[.contentType]
        do {
            if let boundary = Multipart.boundary(of: contentType) {
                var reader = MultipartReader(boundary: boundary, source: request.body.makeAsyncIterator())
                while let part = try await reader.nextPart() {
                    guard part.name == "file" else { continue }
                    let blob = try await store.put(write) { try await reader.nextChunk() }
                    // Read to the end so the client is not cut off mid-request.
                    while try await reader.nextPart() != nil {}
                    return blob
                }
                throw APIError.validation(.missing(["body", "file"], input: .null))
            }
            let mediaType = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            if let mediaType, rawContentTypes.contains(mediaType) {
                var body = request.body.makeAsyncIterator()
                return try await store.put(write) { try await body.next() }
            }
            throw APIError.validation(.missing(["body", "file"], input: .null))
        } catch BlobStoreError.tooLarge(let limit) {
            throw APIError(.contentTooLarge, "The file is larger than the limit of \(limit) bytes")
        } catch let malformed as Multipart.Malformed {
            throw APIError.validation(.valueError(["body", "file"], message: "Malformed multipart body: \(malformed)", input: .null))
        }
    }
}
