import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import Shared

/// The ZIP upload of base images and its task (CONTRACT §6, §11): the
/// upload, the two task reads, the live progress stream, and the rematch.
struct UploadTasksController {
    let database: Database
    let blobs: any BlobStore
    let hub: UploadTaskProgressHub
    let slots: UploadSlots
    let maxUploadBytes: Int
    let keepAliveInterval: Duration

    /// Mounted at `set-designs`, next to the design routes.
    var endpoints: RouteCollection<AuthenticatedContext> {
        let routes = RouteCollection(context: AuthenticatedContext.self)
        routes.post(":id/base-images/upload", use: upload)
        routes.get(":id/base-images/upload-task", use: latest)
        routes.get("upload-tasks/:task_id", use: read)
        routes.get("upload-tasks/:task_id/events", use: events)
        routes.post("upload-tasks/:task_id/rematch", use: rematch)
        return routes
    }

    /// Streams the archive to the blob store, then queues the task and wakes
    /// a worker in one transaction. Whatever fails leaves no task and no blob.
    /// Without `subject_id`, each entry's first folder names its subject.
    @Sendable func upload(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (designID, subject, scope) = try await context.scoped(request, id: "id") { .some($0.optionalQueryUUID("subject_id")) }
        let logger = context.logger
        // Refuse before reading a byte of the body.
        _ = try await Self.visibleDesign(designID, subject: subject, scope: scope, database: database, logger: logger)

        let taskID = UUID()
        let write = BlobWrite(maxBytes: maxUploadBytes, prefixLength: 4, checkPrefix: Self.checkZipSignature) { _ in
            UploadArchive.key(taskID: taskID)
        }
        let archive = try await slots.withSlot(for: context.user.id) {
            try await UploadedFile.store(
                request, in: blobs, write: write, rawContentTypes: ["application/zip", "application/x-zip-compressed"],
                discardsOnFailure: true
            )
        }
        do {
            let task = try await database.transaction { connection in
                // The design may have been deleted while the body streamed in: then nothing is inserted.
                let enqueued = try await UploadTaskStore.enqueue(
                    id: taskID, ownerID: context.user.id, setDesignID: designID, subjectID: subject, archiveKey: archive.key,
                    archiveSize: archive.size,
                    on: connection, logger: logger
                )
                guard let enqueued else { throw APIError.notFound("Set design not found") }
                return enqueued
            }
            return JSONResponse(SetDesignBaseImagesUploadTaskPublic(task), status: .accepted)
        } catch {
            try? await blobs.delete(archive.key)
            throw error
        }
    }

    /// `PK\x03\x04` starts an archive with entries, `PK\x05\x06` an empty one.
    @Sendable static func checkZipSignature(_ prefix: [UInt8]) throws {
        guard prefix == [0x50, 0x4B, 0x03, 0x04] || prefix == [0x50, 0x4B, 0x05, 0x06] else { throw notAZip }
    }

    static let notAZip = APIError.validation(.valueError(["body", "file"], message: "The uploaded file is not a ZIP archive", input: .null))

    @Sendable func read(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (taskID, scope) = try await context.scoped(request, id: "task_id")
        return JSONResponse(SetDesignBaseImagesUploadTaskPublic(try await find(taskID, scope: scope, logger: context.logger)))
    }

    /// The design and the subject of an upload or a preview, when the caller
    /// sees both: 404 for the design, 422 for the subject. Answers the
    /// design's tenant, whose candidates the archive may fill.
    static func visibleDesign(
        _ designID: UUID, subject: UUID?, scope: TenantScope, database: Database, logger: Logger
    ) async throws -> (ownerID: UUID, organizationID: UUID?) {
        let tenant = RowReader(columns: "t.owner_id, t.organization_id") { try $0.decode((UUID, UUID?).self) }
        let design = try await TenantRows.find(
            SetDesignsRepository.table, tenant, id: designID, scope: scope, on: database.client, logger: logger
        )
        if let subject {
            let subjects = try await TenantRows.resolve(
                [Reference(id: subject, loc: ["query", "subject_id"])], in: SubjectsRepository.table, scope: scope,
                on: database.client, logger: logger
            )
            guard subjects.issues.isEmpty else { throw APIError.validation(subjects.issues) }
        }
        return (design.0, design.1)
    }

    /// The newest task of a design that touched the subject, or of the design.
    @Sendable func latest(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (designID, subject, scope) = try await context.scoped(request, id: "id") { .some($0.optionalQueryUUID("subject_id")) }
        _ = try await TenantRows(database: database).find(SetDesignsRepository.table, id: designID, scope: scope, logger: context.logger)
        let store = UploadTaskStore(database: database, logger: context.logger)
        guard let task = try await store.latestTask(setDesignID: designID, subjectID: subject) else {
            throw APIError.notFound("Upload task not found")
        }
        return JSONResponse(SetDesignBaseImagesUploadTaskPublic(task))
    }

    /// Queues a task that matches again the images a COMPLETED task kept but
    /// did not place (CONTRACT §11): through the same queue, without an archive.
    @Sendable func rematch(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (sourceID, scope) = try await context.scoped(request, id: "task_id")
        let logger = context.logger
        let source = try await find(sourceID, scope: scope, logger: logger)
        guard source.status == .completed else {
            throw APIError.conflict("Only a completed task can be matched again; this one is \(source.status.rawValue)")
        }
        guard !TaskResult.keptImages(in: source.resultData).isEmpty else {
            throw APIError.conflict("The task kept no images to match again")
        }
        let task: UploadTask?
        do {
            task = try await database.transaction { connection in
                // The design may have been deleted (and the task with it) meanwhile: then nothing is inserted.
                try await UploadTaskStore.enqueueRematch(id: UUID(), ownerID: context.user.id, of: sourceID, on: connection, logger: logger)
            }
        } catch let error where DatabaseFailure(error) == .uniqueViolation(constraint: "upload_tasks_open_rematch_idx") {
            throw APIError.conflict("A rematch of this task is already queued; wait for it to end")
        }
        guard let task else { throw APIError.notFound("Upload task not found") }
        return JSONResponse(SetDesignBaseImagesUploadTaskPublic(task), status: .accepted)
    }

    /// Server-sent events: the task at once, then on every change, a comment
    /// as keep-alive, and the end after COMPLETED or FAILED. Every event is
    /// the whole task, so a client reconnecting with `Last-Event-ID` is
    /// simply given the current state at once.
    @Sendable func events(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let (taskID, scope) = try await context.scoped(request, id: "task_id")
        _ = try await find(taskID, scope: scope, logger: context.logger)
        let (hub, database, logger, keepAlive) = (hub, database, context.logger, keepAliveInterval)
        let headers: HTTPFields = [
            .contentType: "text/event-stream",
            .cacheControl: "no-cache",
            // nginx: pass events on as they come.
            HTTPField.Name("X-Accel-Buffering")!: "no",
        ]
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let (stream, continuation) = AsyncStream<UploadTaskProgressHub.Event>.makeStream(bufferingPolicy: .bufferingNewest(16))
                let token = await hub.subscribe(taskID, continuation)
                do {
                    try await Self.stream(
                        stream, continuation, taskID: taskID, keepAlive: keepAlive, database: database, logger: logger, to: &writer
                    )
                } catch {
                    await hub.unsubscribe(taskID, token: token)
                    throw error
                }
                await hub.unsubscribe(taskID, token: token)
                try await writer.finish(nil)
            }
        )
    }

    /// Writes the stream's events until the task ends, is gone, or the client leaves.
    private static func stream(
        _ stream: AsyncStream<UploadTaskProgressHub.Event>, _ continuation: AsyncStream<UploadTaskProgressHub.Event>.Continuation,
        taskID: UUID, keepAlive: Duration, database: Database, logger: Logger, to writer: inout some ResponseBodyWriter
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: keepAlive)
                    continuation.yield(.keepAlive)
                }
            }
            // Read after subscribing, so no change falls between the two.
            if let current = try await UploadTaskStore(database: database, logger: logger).task(taskID) {
                continuation.yield(.changed(current))
            } else {
                continuation.yield(.gone)
            }
            var lastSent: Date?
            events: for await event in stream {
                switch event {
                case .keepAlive:
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                case .gone:
                    break events
                case .changed(let task):
                    if task.updatedAt != lastSent {
                        lastSent = task.updatedAt
                        try await writer.write(progressEvent(task))
                    }
                    if task.status.hasEnded { break events }
                }
            }
            group.cancelAll()
        }
    }

    /// One `progress` event; its id is the row's version (microseconds of `updated_at`).
    static func progressEvent(_ task: UploadTask) -> ByteBuffer {
        let version = Int64((task.updatedAt.timeIntervalSince1970 * 1_000_000).rounded())
        var buffer = ByteBuffer(string: "id: \(version)\nevent: progress\ndata: ")
        buffer.writeBytes(JSONWriter.bytes(SetDesignBaseImagesUploadTaskPublic(task).json))
        buffer.writeString("\n\n")
        return buffer
    }

    /// The task when its set design is visible in the scope; 404 otherwise,
    /// the same whether the task is missing or only its design is invisible.
    private func find(_ taskID: UUID, scope: TenantScope, logger: Logger) async throws -> UploadTask {
        for row in try await database.client.rows(VisibleTask(id: taskID, scope: scope), logger: logger) {
            return try UploadTaskStore.task(from: row)
        }
        throw APIError.notFound("Upload task not found")
    }

    /// A task whose set design the caller can see (CONTRACT §3).
    struct VisibleTask: PreparedStatement {
        var id: UUID
        var scope: TenantScope

        static let placeholder = VisibleTask(id: UUID(), scope: .placeholder)
        var query: PostgresQuery {
            """
            SELECT \(unescaped: UploadTaskStore.columns)
            FROM upload_tasks u JOIN set_designs t ON t.id = u.set_design_id
            WHERE u.id = \(id) AND \(visible: SetDesignsRepository.table, in: scope)
            """
        }
    }
}
