import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Shared

/// Resumable uploads of archives with tus 1.0.0 (core, creation,
/// termination, expiration, checksum): the same archives, checks and task as
/// `POST .../base-images/upload`, sent in as many PATCH requests as a
/// connection needs. Bytes go to the blob store as they come (a partial
/// blob), the offset is recorded as they become durable, and no database
/// connection is held while waiting on the client. When the last byte is in,
/// the archive is renamed to an upload's archive and its task queued exactly
/// as the existing route does, with the upload's id as the task's.
struct ResumableUploadsController {
    let database: Database
    let blobs: any BlobStore
    let slots: UploadSlots
    let signer: MediaURLSigner
    let maxUploadBytes: Int
    /// `RESUMABLE_UPLOAD_TTL_SECONDS`: an unfinished upload expires this long after its last bytes.
    let ttl: Duration

    /// A PATCH's claim on its upload holds this long unless renewed: a gateway
    /// that died mid-PATCH blocks the next one (423) no longer than this.
    static let lease: Duration = .seconds(30)
    /// A PATCH renews its claim before it writes once the claim is this old,
    /// so it never writes on a claim that may have lapsed: one that stalled
    /// past its lease (and was taken over) finds out before touching a byte.
    static let renewAfter: Duration = .seconds(10)
    /// Unfinished uploads one user may have at once: each may hold `MAX_UPLOAD_BYTES` for a day.
    static let maxUnfinishedPerUser = 16
    /// The offset moves with the bytes made durable, every this many bytes or this often.
    static let checkpointBytes = 8 << 20
    static let checkpointInterval: Duration = .seconds(5)

    var store: ResumableUploadStore { ResumableUploadStore(database: database, logger: database.logger) }

    /// `OPTIONS`: what this server speaks, without credentials (browsers ask before they send any).
    var discoveryEndpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.on(":id/base-images/uploads", method: .options, use: options)
        routes.on(":id/base-images/uploads/:upload_id", method: .options, use: options)
        return routes
    }

    var endpoints: RouteCollection<AuthenticatedContext> {
        let routes = RouteCollection(context: AuthenticatedContext.self)
        routes.post(":id/base-images/uploads", use: create)
        routes.on(":id/base-images/uploads/:upload_id", method: .head, use: head)
        routes.patch(":id/base-images/uploads/:upload_id", use: patch)
        routes.delete(":id/base-images/uploads/:upload_id", use: terminate)
        return routes
    }

    @Sendable func options(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response(
            status: .noContent,
            headers: [
                Tus.Header.tusVersion: Tus.version, Tus.Header.tusExtension: Tus.extensions, Tus.Header.tusMaxSize: String(maxUploadBytes),
                Tus.Header.tusChecksumAlgorithm: Tus.checksumAlgorithms,
            ]
        )
    }

    /// Creation: the design and subject checked as the upload route checks
    /// them, the length against `MAX_UPLOAD_BYTES`; 201 with the upload's URL.
    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let (designID, subject, scope) = try await context.scoped(request, id: "id") { .some($0.optionalQueryUUID("subject_id")) }
        let tooLarge = APIError(.contentTooLarge, "Upload-Length is over the limit of \(maxUploadBytes) bytes")
        if request.headers[Tus.Header.uploadDeferLength] != nil { throw APIError.badRequest("Upload-Defer-Length is not supported: send Upload-Length") }
        guard let length = try Tus.byteCount(request, Tus.Header.uploadLength, tooLarge: tooLarge) else {
            throw APIError.badRequest("Upload-Length is required")
        }
        guard length <= maxUploadBytes else { throw tooLarge }
        // Too short to start with a ZIP signature: refused as the upload route refuses it.
        guard length >= 4 else { throw UploadTasksController.notAZip }  // too short for a ZIP signature, as the upload route says
        let metadata = request.headers[Tus.Header.uploadMetadata]
        var filename: String?
        if let metadata { filename = try Tus.filename(inMetadata: metadata) }
        _ = try await UploadTasksController.visibleDesign(designID, subject: subject, scope: scope, database: database, logger: context.logger)
        guard try await store.unfinishedCount(ownerID: context.user.id) < Self.maxUnfinishedPerUser else {
            throw APIError.tryLater(
                .tooManyRequests, "\(Self.maxUnfinishedPerUser) unfinished uploads already: finish or end one first", afterSeconds: 60
            )
        }

        let id = UUID()
        try await blobs.createPartial(PartialBlob.key(uploadID: id))
        let created = try await store.create(
            id: id, ownerID: context.user.id, setDesignID: designID, subjectID: subject, length: length, metadata: metadata,
            filename: filename, ttl: ttl
        )
        guard let created else {
            // The design went meanwhile.
            try? await blobs.delete(PartialBlob.key(uploadID: id))
            throw APIError.notFound("Set design not found")
        }
        var headers = Self.state(of: created)
        headers[.location] = "\(signer.baseURL(of: request))/api/v1/set-designs/\(designID.lowercasedString)/base-images/uploads/\(id.lowercasedString)"
        return Response(status: .created, headers: headers)
    }

    /// How far the upload got.
    @Sendable func head(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let upload = try await find(request, context: context)
        var headers = Self.state(of: upload)
        headers[.cacheControl] = "no-store"
        if let metadata = upload.metadata { headers[Tus.Header.uploadMetadata] = metadata }
        return Response(status: .ok, headers: headers)
    }

    /// Termination: the upload and its bytes are gone (a complete one's
    /// archive is its task's, and stays).
    @Sendable func terminate(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let (designID, uploadID) = try Self.ids(request, context: context)
        guard let upload = try await store.delete(uploadID, ownerID: context.user.id), upload.setDesignID == designID else {
            throw APIError.notFound("Upload not found")
        }
        if !upload.isComplete { try await blobs.delete(upload.blobKey) }
        return Response(status: .noContent)
    }

    /// Appends the body at `Upload-Offset`, which must be the upload's.
    @Sendable func patch(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let (designID, uploadID) = try Self.ids(request, context: context)
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == Tus.offsetOctetStream else {
            throw APIError(.unsupportedMediaType, "A PATCH body must be \(Tus.offsetOctetStream)")
        }
        let mismatch = APIError.conflict("Upload-Offset does not match the upload's offset")
        guard let offset = try Tus.byteCount(request, Tus.Header.uploadOffset, tooLarge: mismatch) else {
            throw APIError.badRequest("Upload-Offset is required")
        }
        let checksum = try Tus.Checksum(request)
        let writer = UUID()
        let upload: ResumableUpload
        switch try await store.claim(uploadID, ownerID: context.user.id, offset: offset, writer: writer, lease: Self.lease) {
        case .claimed(let claimed) where claimed.setDesignID == designID:
            upload = claimed
        case .claimed:
            try await store.release(uploadID, writer: writer)
            throw APIError.notFound("Upload not found")
        case .busy:
            throw APIError.tryLater(Tus.locked, "Another request is writing to this upload; try again shortly", afterSeconds: 5)
        case .refused(let current):
            guard let current, current.setDesignID == designID else { throw APIError.notFound("Upload not found") }
            if current.isExpired { throw APIError(.gone, "The upload expired") }
            if current.isComplete, offset == current.length { return Response(status: .noContent, headers: Self.state(of: current)) }
            var refusal = mismatch
            refusal.headers[Tus.Header.uploadOffset] = String(current.offset)
            throw refusal
        }
        do {
            // Access taken away since the upload was created (a member removed) ends it here.
            let scope = try TenantScope(viewer: context.user, organizationID: nil)
            _ = try await UploadTasksController.visibleDesign(
                designID, subject: upload.subjectID, scope: scope, database: database, logger: context.logger
            )
            var finished = upload
            if offset < upload.length {
                finished.offset = try await slots.withSlot(for: context.user.id) {
                    try await append(request, to: upload, at: offset, checksum: checksum, writer: writer)
                }
            } else {
                // Every byte is in but no task yet (the request that brought the last ones failed after them).
                try UploadedFile.checkDeclaredLength(request, limit: 0)
            }
            if finished.offset == upload.length { finished.taskID = try await complete(upload, writer: writer) }
            try await store.release(uploadID, writer: writer)
            return Response(status: .noContent, headers: Self.state(of: finished))
        } catch {
            let (controller, store, upload) = (self, self.store, upload)
            await Task {
                // The request failed after its last bytes were kept: the archive is complete all the same.
                if let current = try? await store.find(upload.id, ownerID: upload.ownerID), current.offset == current.length, !current.isComplete {
                    _ = try? await controller.complete(upload, writer: writer)
                }
                try? await store.release(uploadID, writer: writer)
            }.value
            // The bytes went with the upload (ended or swept meanwhile).
            if case BlobStoreError.notFound = error { throw APIError.notFound("Upload not found") }
            throw error
        }
    }

    /// Streams the body into the upload's partial blob under the claim;
    /// answers the offset reached. Without a checksum, every byte that is
    /// durable counts, however the request ends; with one, the body counts
    /// whole or not at all (460).
    private func append(
        _ request: Request, to upload: ResumableUpload, at offset: Int, checksum: Tus.Checksum?, writer claim: UUID
    ) async throws -> Int {
        let (store, lease, ttl) = (self.store, Self.lease, self.ttl)
        let remaining = upload.length - offset
        let tooLarge = APIError(.contentTooLarge, "The body goes past Upload-Length (\(upload.length) bytes)")
        try UploadedFile.checkDeclaredLength(request, limit: remaining)
        let (writer, held) = try await blobs.openPartial(upload.blobKey, at: offset)
        if held < offset {
            // Bytes said to be stored were lost (a crash before they were durable): the client goes on from here.
            await writer.close()
            _ = try await store.advance(upload.id, writer: claim, offset: held, lease: lease, ttl: ttl)
            var refusal = APIError.conflict("The upload holds \(held) bytes: continue from there")
            refusal.headers[Tus.Header.uploadOffset] = String(held)
            throw refusal
        }
        var hasher = checksum?.hasher()
        // The first bytes wait until the ZIP signature can be checked.
        var head: ByteBuffer? = offset < 4 ? ByteBuffer() : nil
        var (received, committed) = (0, offset)
        var (lastCheckpoint, lastRenewal) = (ContinuousClock.now, ContinuousClock.now)
        // Set while a storage call runs: after a storage failure nothing more is written.
        var inStorage = false
        do {
            for try await var chunk in request.body {
                guard chunk.readableBytes <= remaining - received else { throw tooLarge }
                received += chunk.readableBytes
                chunk.withUnsafeReadableBytes { hasher?.update($0) }
                if var held = head {
                    held.writeBuffer(&chunk)
                    guard held.readableBytes >= min(4, upload.length) else {
                        head = held
                        continue
                    }
                    head = nil
                    do { try UploadTasksController.checkZipSignature(Array(held.readableBytesView.prefix(4))) } catch {
                        await writer.close()
                        try? await blobs.delete(upload.blobKey)
                        _ = try? await store.delete(upload.id, ownerID: upload.ownerID)
                        throw error
                    }
                    chunk = held
                }
                if ContinuousClock.now - lastRenewal >= Self.renewAfter {
                    guard try await store.advance(upload.id, writer: claim, offset: committed, lease: lease, ttl: ttl) else { throw Self.claimLost }
                    lastRenewal = .now
                }
                inStorage = true
                try await writer.write(chunk)
                inStorage = false
                if checksum == nil, writer.length - committed >= Self.checkpointBytes || ContinuousClock.now - lastCheckpoint >= Self.checkpointInterval {
                    inStorage = true
                    let durable = try await writer.checkpoint()
                    inStorage = false
                    guard try await store.advance(upload.id, writer: claim, offset: durable, lease: lease, ttl: ttl) else { throw Self.claimLost }
                    (committed, lastCheckpoint, lastRenewal) = (durable, .now, .now)
                }
            }
            if head != nil { throw APIError.badRequest("The first request must carry the archive's first 4 bytes") }
            // Nothing is cut here: the offset stays, and the next request's open drops the bytes past it.
            if let checksum, hasher?.finalize() != checksum.digest { throw APIError(Tus.checksumMismatch, "Upload-Checksum does not match the body") }
            if ContinuousClock.now - lastRenewal >= Self.renewAfter {
                guard try await store.advance(upload.id, writer: claim, offset: committed, lease: lease, ttl: ttl) else { throw Self.claimLost }
            }
            inStorage = true
            let durable = try await writer.sync()
            inStorage = false
            await writer.close()
            guard try await store.advance(upload.id, writer: claim, offset: durable, lease: lease, ttl: ttl) else { throw Self.claimLost }
            return durable
        } catch {
            // The client went, or the body was refused: keep what may be kept, in a task of its
            // own (the request's may be cancelled, and a cancelled task gets no connection). Only
            // on a claim renewed first: a request that lost it touches no byte. Nothing is cut:
            // bytes past the offset are dropped by the next request's open.
            let (keeps, known) = (checksum == nil && head == nil && !inStorage, committed)
            await Task {
                if keeps, (try? await store.advance(upload.id, writer: claim, offset: known, lease: lease, ttl: ttl)) == true,
                    let durable = try? await writer.sync()
                {
                    _ = try? await store.advance(upload.id, writer: claim, offset: durable, lease: lease, ttl: ttl)
                }
                await writer.close()
            }.value
            throw error
        }
    }

    static let claimLost = APIError.conflict("Another request took this upload over; ask for its offset (HEAD) and continue")

    /// The archive is complete: renamed to an upload's archive, its task
    /// queued and the upload marked complete in one transaction. Answers the task's id.
    private func complete(_ upload: ResumableUpload, writer: UUID) async throws -> UUID {
        let taskID = upload.id
        let archiveKey = UploadArchive.key(taskID: taskID)
        do {
            try await blobs.completePartial(upload.blobKey, as: archiveKey, size: upload.length)
        } catch BlobStoreError.notFound {
            // Renamed already by a request whose transaction failed: go on with it.
            guard try await blobs.size(of: archiveKey) == upload.length else { throw BlobStoreError.notFound(upload.blobKey) }
        }
        let logger = database.logger
        try await database.transaction { connection in
            let task = try await UploadTaskStore.enqueue(
                id: taskID, ownerID: upload.ownerID, setDesignID: upload.setDesignID, subjectID: upload.subjectID,
                archiveKey: archiveKey, archiveSize: upload.length, on: connection, logger: logger
            )
            guard task != nil else { throw APIError.notFound("Set design not found") }
            guard try await ResumableUploadStore.complete(upload.id, writer: writer, taskID: taskID, on: connection, logger: logger) else {
                throw Self.claimLost
            }
        }
        return taskID
    }

    /// The caller's upload under this design: 404 for anyone else's, 410 once expired.
    private func find(_ request: Request, context: AuthenticatedContext) async throws -> ResumableUpload {
        let (designID, uploadID) = try Self.ids(request, context: context)
        guard let upload = try await store.find(uploadID, ownerID: context.user.id), upload.setDesignID == designID else {
            throw APIError.notFound("Upload not found")
        }
        if upload.isExpired { throw APIError(.gone, "The upload expired") }
        return upload
    }

    /// The path's ids; a malformed one names no upload (404), as tus clients expect.
    private static func ids(_ request: Request, context: AuthenticatedContext) throws(APIError) -> (UUID, UUID) {
        guard let design = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
            let upload = context.parameters.get("upload_id").flatMap(UUID.init(uuidString:))
        else { throw .notFound("Upload not found") }
        return (design, upload)
    }

    /// The headers every answer about an upload carries.
    private static func state(of upload: ResumableUpload) -> HTTPFields {
        var headers: HTTPFields = [Tus.Header.uploadOffset: String(upload.offset), Tus.Header.uploadLength: String(upload.length)]
        if let task = upload.taskID {
            headers[Tus.Header.uploadTaskID] = task.lowercasedString
        } else {
            headers[Tus.Header.uploadExpires] = Tus.httpDate(upload.expiresAt)
        }
        return headers
    }
}
