import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PostgresNIO
import Shared

/// `/api/v1/media`: upload an image, read its description, fetch its bytes.
struct MediaController {
    let media: MediaRepository
    let blobs: any BlobStore
    let signer: MediaURLSigner
    let authenticator: BearerAuthenticator
    let slots: UploadSlots
    let maxUploadBytes: Int

    /// Upload and description need a user.
    var endpoints: RouteCollection<AuthenticatedContext> {
        let routes = RouteCollection(context: AuthenticatedContext.self)
        routes.post("", use: upload)
        routes.get(":id", use: read)
        return routes
    }

    /// The content route takes a signed URL instead of a token, so `<img>` tags work.
    var contentEndpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get(":id/content", use: content)
        return routes
    }

    @Sendable func upload(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let scope = try await context.scoped(request)
        let logger = context.logger
        // Before the body is read: a refused upload stores nothing.
        let owner = try await media.database.client.withConnection { connection in
            try await scope.existingOwnership(requestedOwnerID: nil, requestedOrganizationID: nil, on: connection, logger: logger)
        }
        let write = BlobWrite.contentAddressed(maxBytes: maxUploadBytes, prefixLength: ImageHeader.prefixLength) { prefix in
            _ = try Self.inspect(prefix)
        }
        let blob = try await slots.withSlot(for: context.user.id) { try await UploadedFile.store(request, in: blobs, write: write) }
        // The prefix passed inspection during the upload; read it back for the row.
        var prefix: [UInt8] = []
        try await blobs.read(blob.key, range: 0..<min(blob.size, ImageHeader.prefixLength)) { prefix += $0.readableBytesView }
        let info = try Self.inspect(prefix)
        // Checked again in the insert: the organization may have been deleted during the upload.
        let record = try await media.insert(blob, info: info, owner: owner, scope: scope, logger: logger)
        return JSONResponse(MediaResourcePublic(record: record, url: signer.url(for: record.id, request: request)))
    }

    /// 422 for bytes that are not an image or whose header is broken.
    static func inspect(_ prefix: [UInt8]) throws(APIError) -> ImageInfo {
        do {
            return try ImageHeader.inspect(prefix)
        } catch {
            switch error {
            case .notAnImage:
                throw .validation(.valueError(["body", "file"], message: "The uploaded file is not an image", input: .null))
            case .corrupt(let reason):
                throw .validation(.valueError(["body", "file"], message: "The uploaded image is corrupt: \(reason)", input: .null))
            }
        }
    }

    @Sendable func read(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (mediaID, scope) = try await context.scoped(request, id: "id")
        let record = try await media.find(mediaID, scope: scope, logger: context.logger)
        return JSONResponse(MediaResourcePublic(record: record, url: signer.url(for: mediaID, request: request)))
    }

    /// The bytes, with ETag / If-None-Match (304) and single-range requests (206).
    @Sendable func content(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = RequestInput(request, context: context)
        let mediaID = try input.validated(input.pathUUID("id"))
        let query = request.uri.queryParameters
        let record: MediaResourceRecord
        if query.get("signature") != nil {
            guard signer.isValid(mediaID: mediaID, expires: query.get("expires"), signature: query.get("signature")) else {
                throw APIError.forbidden("The media link is invalid or has expired")
            }
            record = try await media.find(signed: mediaID, logger: context.logger)
        } else {
            let user = try await authenticator.authenticate(request, logger: context.logger)
            record = try await media.find(mediaID, scope: try TenantScope(viewer: user, organizationID: nil), logger: context.logger)
        }

        let (hash, size, key) = (record.contentHash, record.fileSize, record.blobKey)
        var headers: HTTPFields = [
            .contentType: record.mimeType,
            .eTag: "\"\(hash)\"",
            .cacheControl: "private, max-age=\(signer.lifetime), immutable",
            .acceptRanges: "bytes",
            .xContentTypeOptions: "nosniff",  // uploaded bytes are never sniffed into HTML or script
        ]
        if let match = request.headers[.ifNoneMatch], Self.matches(match, hash: hash) {
            return Response(status: .notModified, headers: headers)
        }
        var status = HTTPResponse.Status.ok
        var range = 0..<size
        if let header = request.headers[.range] {
            let requested = ByteRange.parse(header, size: size)
            headers[.contentRange] = ByteRange.contentRange(requested, size: size)
            switch requested {
            case .ignored: break
            case .unsatisfiable:
                return JSONResponse(.object(["detail": "Requested range not satisfiable"]), status: .rangeNotSatisfiable, headers: headers).response()
            case .partial(let satisfiable):
                range = satisfiable
                status = .partialContent
            }
        }
        headers[.contentLength] = String(range.count)
        let blobs = self.blobs
        let wanted = range
        return Response(
            status: status, headers: headers,
            body: ResponseBody(contentLength: range.count) { writer in
                try await blobs.read(key, range: wanted) { try await writer.write($0) }
                try await writer.finish(nil)
            }
        )
    }

    static func matches(_ ifNoneMatch: String, hash: String) -> Bool {
        ifNoneMatch.split(separator: ",").contains { tag in
            let trimmed = tag.trimmingCharacters(in: .whitespaces)
            return trimmed == "*" || trimmed == "\"\(hash)\"" || trimmed == "W/\"\(hash)\""
        }
    }
}
