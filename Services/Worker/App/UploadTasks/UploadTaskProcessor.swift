import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO
import Shared

/// Processes one claimed upload task (CONTRACT §6, §11): reads the archive
/// entry by entry (or, for a rematch, the images an earlier task kept), places
/// what matches, keeps the images that only their names held back, reports
/// progress, and applies the result in one transaction with the switch to
/// COMPLETED.
struct UploadTaskProcessor: Sendable {
    let database: Database
    let blobs: any BlobStore
    let store: UploadTaskStore
    let limits: ZipLimits
    /// Progress writes are at most this frequent; the final state is always written.
    var progressInterval: Duration = .milliseconds(100)
    let logger: Logger

    /// An image of the task: stored from the archive (its media row is made
    /// at the apply), or already media (a rematch).
    enum Image {
        case stored(StoredBlob, ImageInfo)
        case media(UUID)
    }

    /// What became of one entry.
    enum Outcome {
        case placed(file: String, slot: Slot, image: Image)
        /// Skipped for its name alone: the image is kept.
        case kept(file: String, reason: SkipReason, candidates: Set<UUID>, image: Image)
        case skipped(file: String, reason: SkipReason)
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
            if let source = task.rematchOf {
                try await rematch(task, source: source, counters: &counters, ending: &ending)
            } else {
                guard let key = task.archiveKey else { throw ArchiveFailure(message: "The uploaded archive is no longer stored.") }
                try await withArchive(of: key, taskID: task.id) { archive, entries in
                    try await ingest(task, archive: archive, entries: entries, counters: &counters, ending: &ending)
                }
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
        var matcher = try await matcher(for: task)
        if task.subjectID == nil { try await store.recordSubjects(task, matcher.subjects(touchedBy: entries.map(\.path))) }
        counters.total = entries.count
        try await store.report(task, counters)

        var outcomes: [Outcome] = []
        var lastReport = ContinuousClock.now
        // The store may still be writing an image while the next is read; all are stored before the apply.
        try await blobs.putMany { writer in
            for entry in entries {
                try Task.checkCancellation()
                let outcome: Outcome
                do {
                    outcome = try await store(entry, of: archive, into: writer, decision: matcher.match(path: entry.path))
                } catch let skip as Skip {
                    outcome = .skipped(file: entry.path, reason: skip.reason)
                }
                if case .placed(_, let slot, _) = outcome { matcher.take(slot) }
                record(outcome, in: &counters)
                outcomes.append(outcome)
                if ContinuousClock.now - lastReport >= progressInterval {
                    try await store.report(task, counters)
                    lastReport = .now
                }
            }
        }
        try await apply(task, outcomes, unmatched: matcher.unmatchedShotTypes, counters: &counters, ending: &ending)
    }

    /// Matches again the images the source task kept (CONTRACT §11), in path
    /// order, into the slots that are empty: a rematch never replaces an
    /// image (a person's assign, the archive's own winner), assign does.
    private func rematch(_ task: ClaimedTask, source: UUID, counters: inout TaskCounters, ending: inout Ending) async throws {
        guard let sourceTask = try await store.task(source) else {
            throw ArchiveFailure(message: "The task whose images were to be matched again no longer exists.")
        }
        var kept = TaskResult.keptImages(in: sourceTask.resultData)
        // Only images still stored as the design's tenant's: not one whose owner was deleted,
        // nor one of the tenant a design was moved from.
        let existing = try await MediaResources.existing(
            kept.map(\.mediaID), ownerID: task.ownerID, organizationID: task.organizationID, client: database.client, logger: logger
        )
        kept = kept.filter { existing.contains($0.mediaID) }
        let filled = try await BaseImageSlots.filled(inDesign: task.setDesignID, client: database.client, logger: logger)
        var matcher = try await matcher(for: task, taken: filled)
        if task.subjectID == nil { try await store.recordSubjects(task, matcher.subjects(touchedBy: kept.map(\.file))) }
        counters.total = kept.count
        var outcomes: [Outcome] = []
        for (image, match) in matcher.placeAll(kept, path: \.file) {
            let outcome: Outcome = switch match {
            case .matched(let slot): .placed(file: image.file, slot: slot, image: .media(image.mediaID))
            case .skipped(let reason, let candidates): .kept(file: image.file, reason: reason, candidates: candidates, image: .media(image.mediaID))
            }
            record(outcome, in: &counters)
            outcomes.append(outcome)
        }
        try await apply(task, outcomes, unmatched: matcher.unmatchedShotTypes, counters: &counters, ending: &ending)
    }

    /// The design's candidates, read as the preview reads them.
    private func matcher(for task: ClaimedTask, taken: Set<Slot> = []) async throws -> ArchiveMatcher {
        try await MatchCandidates.matcher(
            ownerID: task.ownerID, organizationID: task.organizationID, subjectID: task.subjectID, taken: taken,
            client: database.client, logger: logger
        )
    }

    /// Counts one entry handled, for the progress reports.
    private func record(_ outcome: Outcome, in counters: inout TaskCounters) {
        if case .placed = outcome { counters.imagesProcessed += 1 } else { counters.imagesSkipped += 1 }
        counters.processed += 1
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

    /// Streams one entry into the blob store if it is an image, placed or
    /// kept as its name `decision` says; otherwise throws the reason to skip
    /// it. Content is judged before the name: `notes.txt` is `not_an_image`,
    /// known from its first bytes without inflating more of it.
    private func store(_ entry: ZipEntry, of archive: ZipArchive, into writer: BlobWriter, decision: EntryMatch) async throws -> Outcome {
        if case .skipped(.ignored, _) = decision { throw Skip(reason: .ignored) }
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
        let inspected = NIOLockedValueBox<ImageInfo?>(nil)
        let write = BlobWrite.contentAddressed(maxBytes: limits.maxEntryBytes, prefixLength: ImageHeader.prefixLength) { prefix in
            do {
                let info = try ImageHeader.inspect(prefix)
                inspected.withLockedValue { $0 = info }
            } catch {
                throw Skip(reason: .corruptImage)  // its first bytes were an image's
            }
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
        guard let info = inspected.withLockedValue({ $0 }) else { throw Skip(reason: .corruptImage) }
        switch decision {
        case .matched(let slot): return .placed(file: entry.path, slot: slot, image: .stored(blob, info))
        case .skipped(let reason, let candidates):
            return .kept(file: entry.path, reason: reason, candidates: candidates, image: .stored(blob, info))
        }
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

    /// All or nothing: media rows for the stored images, the slots, and
    /// COMPLETED with the result, in one transaction that first checks the
    /// lease. What changed while the entries were read is settled here: a
    /// subject or shot type deleted meanwhile leaves its image kept, and for
    /// a rematch a slot filled meanwhile stays as it is (the image kept).
    private func apply(
        _ task: ClaimedTask, _ outcomes: [Outcome], unmatched: [UUID], counters: inout TaskCounters, ending: inout Ending
    ) async throws {
        let final: [Outcome]
        do {
            final = try await applyChecked(task, outcomes, unmatched: unmatched, counters: counters)
        } catch let error as PSQLError where Self.refusesData(error) {
            // The same write would be refused again: fail now rather than after every attempt.
            let reason = error.serverInfo?[.message] ?? "the database refused it"
            throw ArchiveFailure(message: "The result could not be saved: \(reason).")
        }
        counters = Self.counters(of: final, total: counters.total)
        ending.skipReasons = final.compactMap { outcome in
            switch outcome {
            case .placed: nil
            case .kept(_, let reason, _, _), .skipped(_, let reason): reason
            }
        }
    }

    /// The counters of a task whose entries ended as `outcomes`.
    private static func counters(of outcomes: [Outcome], total: Int) -> TaskCounters {
        var counters = TaskCounters()
        counters.total = total
        counters.processed = outcomes.count
        counters.imagesProcessed = outcomes.filter { if case .placed = $0 { true } else { false } }.count
        counters.imagesSkipped = outcomes.count - counters.imagesProcessed
        return counters
    }

    /// Applies the outcomes; answers them as they ended.
    private func applyChecked(_ task: ClaimedTask, _ outcomes: [Outcome], unmatched: [UUID], counters: TaskCounters) async throws -> [Outcome] {
        let logger = self.logger
        var stored: [(blob: StoredBlob, info: ImageInfo)] = []
        for outcome in outcomes {
            switch outcome {
            case .placed(_, _, .stored(let blob, let info)), .kept(_, _, _, .stored(let blob, let info)): stored.append((blob, info))
            default: break
            }
        }
        return try await database.transaction { connection in
            try await UploadTaskStore.lock(task, on: connection, logger: logger)
            // One statement for the media rows, one for the slots, however many images.
            var mediaByHash: [String: UUID] = [:]
            if !stored.isEmpty {
                let media = try await connection.query(
                    MediaResources.upsert(ownerID: task.ownerID, organizationID: task.organizationID, images: stored), logger: logger
                )
                for try await (id, hash) in media.decode((UUID, String).self) { mediaByHash[hash] = id }
            }
            func mediaID(_ image: Image) throws -> UUID {
                switch image {
                case .media(let id): return id
                case .stored(let blob, _):
                    guard let id = mediaByHash[blob.sha256] else { throw MediaRowsMissing() }
                    return id
                }
            }
            var final = try await Self.keepingDeletedTargets(outcomes, on: connection, logger: logger)
            var slots: [(slot: Slot, mediaID: UUID)] = []
            for case .placed(_, let slot, let image) in final { slots.append((slot, try mediaID(image))) }
            let placed = try await BaseImageSlots.place(
                slots, inDesign: task.setDesignID, replacing: task.rematchOf == nil, on: connection, logger: logger
            )
            final = final.map { outcome in
                guard case .placed(let file, let slot, let image) = outcome, placed[slot] == nil else { return outcome }
                return .kept(file: file, reason: .duplicateShotType, candidates: [], image: image)  // a rematch found the slot filled
            }
            var matched: [JSONValue] = []
            var skipped: [JSONValue] = []
            for outcome in final {
                switch outcome {
                case .placed(let file, let slot, let image):
                    var item = TaskResult.matchedItem(file: file, slot: slot)
                    item["base_image_id"] = .uuid(placed[slot]?.baseImageID)
                    item["media_resource_id"] = .uuid(try mediaID(image))
                    item["replaced"] = .bool(placed[slot]?.replaced ?? false)
                    matched.append(.object(item))
                case .kept(let file, let reason, let candidates, let image):
                    skipped.append(TaskResult.skippedItem(file: file, reason: reason, mediaID: try mediaID(image), candidates: candidates))
                case .skipped(let file, let reason):
                    skipped.append(TaskResult.skippedItem(file: file, reason: reason))
                }
            }
            let result = TaskResult.document(matched: matched, skipped: skipped, unmatchedShotTypes: unmatched)
            try await UploadTaskStore.complete(
                task, counters: Self.counters(of: final, total: counters.total), result: .object(result), on: connection, logger: logger
            )
            return final
        }
    }

    /// The outcomes with each placement whose subject or shot type was
    /// deleted while the entries were read kept instead; the others' rows
    /// stay locked (as their foreign keys would) until the transaction ends.
    private static func keepingDeletedTargets(_ outcomes: [Outcome], on connection: PostgresConnection, logger: Logger) async throws -> [Outcome] {
        var subjects = Set<UUID>(), shotTypes = Set<UUID>()
        for case .placed(_, let slot, _) in outcomes {
            subjects.insert(slot.subjectID)
            shotTypes.insert(slot.shotTypeID)
        }
        guard !subjects.isEmpty else { return outcomes }
        var alive = Set<UUID>()
        for query: PostgresQuery in [
            "SELECT id FROM subjects WHERE id = ANY (\(Array(subjects))) FOR KEY SHARE",
            "SELECT id FROM shot_types WHERE id = ANY (\(Array(shotTypes))) FOR KEY SHARE",
        ] {
            for try await id in try await connection.query(query, logger: logger).decode(UUID.self) { alive.insert(id) }
        }
        return outcomes.map { outcome in
            guard case .placed(let file, let slot, let image) = outcome else { return outcome }
            if !alive.contains(slot.subjectID) { return .kept(file: file, reason: .noMatchingSubject, candidates: [], image: image) }
            if !alive.contains(slot.shotTypeID) { return .kept(file: file, reason: .noMatchingShotType, candidates: [], image: image) }
            return outcome
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
