import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO
import Shared

/// Processes one claimed upload task (CONTRACT §6): reads the archive entry
/// by entry, stores the images that match shot types, reports progress, and
/// applies the result in one transaction with the switch to COMPLETED.
struct UploadTaskProcessor: Sendable {
    let database: Database
    let blobs: any BlobStore
    let store: UploadTaskStore
    let limits: ZipLimits
    /// Progress writes are at most this frequent; the final state is always written.
    var progressInterval: Duration = .milliseconds(100)
    let logger: Logger

    /// An entry that became (or will become, once applied) a base image.
    struct MatchedImage {
        var file: String
        var shotTypeID: UUID
        var blob: StoredBlob
        var info: ImageInfo
    }

    /// Why an entry was not used.
    struct Skip: Error {
        var reason: SkipReason
    }

    /// The media upsert answered fewer rows than images: a bug, never a client's doing.
    struct MediaRowsMissing: Error {}

    /// A failure of the whole archive, in words for people.
    struct ArchiveFailure: Error {
        var message: String
    }

    /// How a processed task ended, for the worker's metrics.
    struct Ending {
        var status: UploadTaskStatus
        var counters = TaskCounters()
        var skipReasons: [SkipReason] = []
    }

    func process(_ task: ClaimedTask) async throws -> Ending {
        var counters = TaskCounters()
        var ending = Ending(status: .completed)
        do {
            guard let key = task.archiveKey else { throw ArchiveFailure(message: "The uploaded archive is no longer stored.") }
            try await withArchive(of: key, taskID: task.id) { archive, entries in
                try await ingest(task, archive: archive, entries: entries, counters: &counters, ending: &ending)
            }
        } catch let failure as ArchiveFailure {
            try await store.fail(task, message: failure.message, counters: counters)
            ending.status = .failed
        } catch let error as ZipArchiveError {
            try await store.fail(task, message: error.description, counters: counters)
            ending.status = .failed
        }
        if let key = task.archiveKey {
            // Best effort: an archive left behind is deleted by a later sweep.
            do { try await store.deleteArchive(taskID: task.id, key: key, from: blobs) } catch {
                logger.warning("deleting an archive failed", metadata: ["task_id": "\(task.id)", "error": "\(error)"])
            }
        }
        ending.counters = counters
        return ending
    }

    /// `entries` are the archive's files in the order they are processed (`processingOrder`).
    private func ingest(
        _ task: ClaimedTask, archive: ZipArchive, entries: [ZipEntry], counters: inout TaskCounters, ending: inout Ending
    ) async throws {
        guard !entries.isEmpty else { throw ArchiveFailure(message: "The archive is empty.") }
        counters.total = entries.count
        try await store.report(task, counters)

        let candidates = try await shotTypesInScope(of: task)
        let matcher = ShotTypeMatcher(candidates: candidates)
        var taken = Set<UUID>()
        var matched: [MatchedImage] = []
        var skipped: [(file: String, reason: SkipReason)] = []
        var lastReport = ContinuousClock.now
        // The store may still be writing an image while the next is read; all are stored before the apply.
        try await blobs.putMany { writer in
            for entry in entries {
                try Task.checkCancellation()
                do {
                    let image = try await store(entry, of: archive, into: writer, matcher: matcher, taken: taken)
                    taken.insert(image.shotTypeID)
                    matched.append(image)
                    counters.imagesProcessed += 1
                } catch let skip as Skip {
                    skipped.append((entry.path, skip.reason))
                    counters.imagesSkipped += 1
                    ending.skipReasons.append(skip.reason)
                }
                counters.processed += 1
                if ContinuousClock.now - lastReport >= progressInterval {
                    try await store.report(task, counters)
                    lastReport = .now
                }
            }
        }
        let unmatched = candidates.filter { !taken.contains($0.id) }.map(\.id)
        do {
            try await apply(task, matched: matched, skipped: skipped, unmatched: unmatched, counters: counters)
        } catch let error as PSQLError where Self.refusesData(error) {
            // The same write would be refused again: fail now rather than after every attempt.
            let reason = error.serverInfo?[.message] ?? "the database refused it"
            throw ArchiveFailure(message: "The result could not be saved: \(reason).")
        }
    }

    /// A data exception, constraint violation or size limit (SQLSTATE classes 22, 23, 54):
    /// an error of the data written, not of the connection or the moment.
    static func refusesData(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return ["22", "23", "54"].contains(state.prefix(2))
    }

    /// How many leading bytes tell an image from anything else: `ImageHeader.inspect`
    /// finds every format's signature within them (HEIF and AVIF brands are looked
    /// for in the first 256 bytes), so a non-image is judged from them alone.
    static let signatureLength = 256

    /// Streams one entry into the blob store if it is an image for a shot
    /// type not yet taken; otherwise throws the reason to skip it. Content is
    /// judged before the name: `notes.txt` is `not_an_image`, known from its
    /// first bytes without inflating more of it.
    private func store(
        _ entry: ZipEntry, of archive: ZipArchive, into writer: BlobWriter, matcher: ShotTypeMatcher, taken: Set<UUID>
    ) async throws -> MatchedImage {
        if ShotTypeMatcher.isIgnored(path: entry.path) { throw Skip(reason: .ignored) }
        if entry.isEncrypted { throw Skip(reason: .encrypted) }
        if !entry.isSupported { throw Skip(reason: .unsupportedCompression) }
        if entry.exceedsEntryLimit { throw Skip(reason: .tooLarge) }
        var reader = try await archive.reader(for: entry)
        let head = try await Self.skippingBadEntries { try await reader.next(maxBytes: Self.signatureLength) }
        do {
            _ = try ImageHeader.inspect(head.map { Array($0.readableBytesView) } ?? [])
        } catch ImageHeaderError.notAnImage {
            throw Skip(reason: .notAnImage)
        } catch {
            // An image's signature: its header is read from the full prefix below.
        }
        let decision = matcher.match(path: entry.path, taken: taken)
        let inspected = NIOLockedValueBox<ImageInfo?>(nil)
        let write = BlobWrite.contentAddressed(maxBytes: limits.maxEntryBytes, prefixLength: ImageHeader.prefixLength) { prefix in
            do {
                let info = try ImageHeader.inspect(prefix)
                inspected.withLockedValue { $0 = info }
            } catch {
                throw Skip(reason: .corruptImage)  // its first bytes were an image's
            }
            if let reason = decision.skipReason { throw Skip(reason: reason) }
        }
        var pending = head  // the bytes already read go first
        let blob = try await Self.skippingBadEntries {
            try await writer.put(write) {
                if let chunk = pending {
                    pending = nil
                    return chunk
                }
                return try await reader.next()
            }
        }
        guard case .matched(let shotTypeID) = decision, let info = inspected.withLockedValue({ $0 }) else {
            throw Skip(reason: .corruptImage)
        }
        return MatchedImage(file: entry.path, shotTypeID: shotTypeID, blob: blob, info: info)
    }

    /// Runs a read of one entry; the errors that concern only that entry become its skip reason.
    private static func skippingBadEntries<Value>(_ body: () async throws -> Value) async throws -> Value {
        do {
            return try await body()
        } catch BlobStoreError.tooLarge {
            throw Skip(reason: .tooLarge)
        } catch ZipArchiveError.entryTooLarge, ZipArchiveError.entryCompressionRatioTooHigh {
            throw Skip(reason: .tooLarge)
        } catch ZipArchiveError.corruptEntry {
            throw Skip(reason: .corruptImage)
        }
    }

    /// Shot types an archive of this design may fill (CONTRACT §10.9), not
    /// deleted: the design's own (its organization's, or for a personal design
    /// the owner's personal ones), and public ones of anyone, which matching
    /// tries only where no own one matches (CONTRACT §6).
    private func shotTypesInScope(of task: ClaimedTask) async throws -> [ShotTypeCandidate] {
        let rows = try await database.client.query(
            """
            SELECT id, name, view_angle::text, framing::text, file_naming_convention, own
            FROM shot_types, LATERAL (
                SELECT coalesce(
                    CASE WHEN \(task.organizationID)::uuid IS NULL
                        THEN organization_id IS NULL AND owner_id = \(task.ownerID)
                        ELSE organization_id = \(task.organizationID)
                    END, false) AS own
            ) scope
            WHERE deleted_at IS NULL AND (own OR public)
            ORDER BY name, id
            """,
            logger: logger
        )
        var candidates: [ShotTypeCandidate] = []
        for try await (id, name, viewAngle, framing, convention, own) in rows.decode((UUID, String, String, String, String?, Bool).self) {
            candidates.append(
                ShotTypeCandidate(id: id, name: name, viewAngle: viewAngle, framing: framing, fileNamingConvention: convention, isOwn: own)
            )
        }
        return candidates
    }

    /// All or nothing: media rows, base-image upserts per slot, and COMPLETED
    /// with the result, in one transaction that first checks the lease.
    private func apply(
        _ task: ClaimedTask, matched: [MatchedImage], skipped: [(file: String, reason: SkipReason)], unmatched: [UUID],
        counters: TaskCounters
    ) async throws {
        let logger = self.logger
        try await database.transaction { connection in
            try await UploadTaskStore.lock(task, on: connection, logger: logger)
            // One statement for the media rows, one for the slots, however many images.
            var mediaIDs: [String: UUID] = [:]
            if !matched.isEmpty {
                let media = try await connection.query(
                    MediaResources.upsert(
                        ownerID: task.ownerID, organizationID: task.organizationID, images: matched.map { ($0.blob, $0.info) }
                    ),
                    logger: logger
                )
                for try await row in media {
                    let columns = row.makeRandomAccess()
                    mediaIDs[try columns["content_hash"].decode(String.self)] = try columns["id"].decode(UUID.self)
                }
            }
            let slotMedia = matched.compactMap { mediaIDs[$0.blob.sha256] }
            guard slotMedia.count == matched.count else { throw MediaRowsMissing() }
            // xmax is set on a row version made by the ON CONFLICT update: the slot had an image.
            let rows = try await connection.query(
                """
                INSERT INTO set_base_images (set_design_id, subject_id, shot_type_id, image_media_id, position)
                SELECT \(task.setDesignID), \(task.subjectID), slot.shot_type_id, slot.media_id, next.position + slot.number - 1
                FROM unnest(\(matched.map(\.shotTypeID))::uuid[], \(slotMedia)::uuid[]) WITH ORDINALITY
                         AS slot(shot_type_id, media_id, number),
                     (SELECT coalesce(max(position) + 1, 0) AS position FROM set_base_images WHERE set_design_id = \(task.setDesignID)) next
                ON CONFLICT ON CONSTRAINT set_base_images_slot_key DO UPDATE
                    SET image_media_id = EXCLUDED.image_media_id, image_url = NULL, updated_at = clock_timestamp()
                RETURNING shot_type_id, id, xmax <> 0
                """,
                logger: logger
            )
            var placed: [UUID: (baseImageID: UUID, replaced: Bool)] = [:]
            for try await (shotType, baseImageID, replaced) in rows.decode((UUID, UUID, Bool).self) {
                placed[shotType] = (baseImageID, replaced)
            }
            let matchedResults: [JSONValue] = matched.map { image in
                [
                    "file": .string(image.file), "shot_type_id": .uuid(image.shotTypeID),
                    "base_image_id": .uuid(placed[image.shotTypeID]?.baseImageID), "media_resource_id": .uuid(mediaIDs[image.blob.sha256]),
                    "replaced": .bool(placed[image.shotTypeID]?.replaced ?? false),
                ]
            }
            if !matched.isEmpty {
                try await connection.query(
                    "UPDATE set_designs SET updated_at = clock_timestamp() WHERE id = \(task.setDesignID)", logger: logger
                )
            }
            let result: JSONValue = [
                "matched": .array(matchedResults),
                "skipped": .array(skipped.map { ["file": .string($0.file), "reason": .string($0.reason.rawValue)] }),
                "unmatched_shot_types": .array(unmatched.map(JSONValue.uuid)),
            ]
            try await UploadTaskStore.complete(task, counters: counters, result: result, on: connection, logger: logger)
        }
    }

    /// Files in path order (CONTRACT §6: of two entries for one shot type, the first in path order wins).
    private static func processingOrder(of archive: ZipArchive) -> [ZipEntry] {
        archive.fileEntries.sorted { ShotTypeMatcher.pathOrder($0.path, $1.path) }
    }

    /// Runs `body` with the archive open and its files in processing order,
    /// read in place where the store can. When that order would be costly to
    /// read in place (files stored far out of path order in a chunked store),
    /// or the store cannot, it is read from a local copy instead.
    private func withArchive(of key: String, taskID: UUID, _ body: (ZipArchive, [ZipEntry]) async throws -> Void) async throws {
        do {
            if let reader = try await blobs.readerInPlace(of: key) {
                let archive = try await ZipArchive(source: reader, limits: limits)
                let entries = Self.processingOrder(of: archive)
                if reader.readsCheaply(inOrder: entries.map(\.approximateSpan)) {
                    return try await body(archive, entries)
                }
                logger.info("archive far out of path order: reading a local copy", metadata: ["task_id": "\(taskID)"])
            }
            try await withLocalCopy(of: key, taskID: taskID) { path in
                let archive = try await ZipArchive(path: path, limits: limits)
                try await body(archive, Self.processingOrder(of: archive))
            }
        } catch BlobStoreError.notFound {
            throw ArchiveFailure(message: "The uploaded archive is no longer stored.")
        }
    }

    /// Runs `body` with the path of a temporary copy of the blob, streamed out of the store.
    private func withLocalCopy(of key: String, taskID: UUID, _ body: (String) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("upload-\(taskID.lowercasedString).zip").path
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown)
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            try await blobs.read(key, range: nil) { chunk in
                try file.write(contentsOf: chunk.readableBytesView)
            }
            try file.close()
        } catch {
            try? file.close()
            throw error
        }
        try await body(path)
    }
}
