import Foundation
import Shared

/// `BaseImagesMatchPreviewRequest`: the entry names of an archive not yet sent.
struct MatchPreviewRequest: RequestBody {
    /// As many names as an archive may hold files, each as long as an archive allows.
    static let limits = ZipLimits()
    /// 10,000 names of 1,600 bytes of JSON each, on average, is past any real
    /// shoot; a larger body is answered 413 before it is parsed.
    static let maxBodyBytes = 16 << 20

    var files: [String]

    static func read(_ reader: ObjectReader) -> MatchPreviewRequest? {
        let files = reader.required("files") { list -> [String]? in
            if case .array(let items) = list.value, items.count > limits.maxEntries {
                list.issues.add(.listTooLong(list.loc, input: list.value, maxLength: limits.maxEntries, actualLength: items.count))
                return nil
            }
            // An entry's name is at most `maxNameBytes` bytes in the archive, each at most one character once decoded.
            return list.list { $0.string(maxLength: limits.maxNameBytes) }
        }
        return files.map(MatchPreviewRequest.init)
    }
}

/// `BaseImagesMatchPreview`: the `result_data` the task would produce from
/// the names alone (CONTRACT §11), each item as the task writes it, plus
/// what only a preview tells.
struct BaseImagesMatchPreview: JSONRepresentable {
    var placements: [(item: String, match: EntryMatch)]
    var shotTypeNames: [UUID: String]
    /// The design's slots that have a base image now.
    var filled: Set<Slot>
    var unmatchedShotTypes: [UUID]

    var json: JSONValue {
        var matched: [JSONValue] = []
        var skipped: [JSONValue] = []
        for (path, match) in placements {
            switch match {
            case .matched(let slot):
                var item = TaskResult.matchedItem(file: path, slot: slot)
                item["shot_type_name"] = .string(shotTypeNames[slot.shotTypeID])
                item["replaces"] = .bool(filled.contains(slot))
                matched.append(.object(item))
            case .skipped(let reason, let candidates):
                skipped.append(TaskResult.skippedItem(file: path, reason: reason, candidates: candidates))
            }
        }
        var document = TaskResult.document(matched: matched, skipped: skipped, unmatchedShotTypes: unmatchedShotTypes)
        // Names alone cannot tell a non-image, an encrypted or a too large entry.
        document["content_checked"] = false
        return .object(document)
    }
}

/// `BaseImageAssign`: one stored image into one slot.
struct BaseImageAssign: RequestBody {
    var subjectID: UUID
    var shotTypeID: UUID
    var mediaID: UUID

    static func read(_ reader: ObjectReader) -> BaseImageAssign? {
        let subjectID = reader.required("subject_id") { $0.uuid() }
        let shotTypeID = reader.required("shot_type_id") { $0.uuid() }
        let mediaID = reader.required("media_resource_id") { $0.uuid() }
        guard let subjectID, let shotTypeID, let mediaID else { return nil }
        return BaseImageAssign(subjectID: subjectID, shotTypeID: shotTypeID, mediaID: mediaID)
    }
}

/// `SetBaseImageAssigned`: the base image, and whether it replaced one.
struct SetBaseImageAssigned: JSONRepresentable {
    var image: SetBaseImagePublic
    var replaced: Bool

    var json: JSONValue {
        guard case .object(var object) = image.json else { return image.json }
        object["replaced"] = .bool(replaced)
        return .object(object)
    }
}
