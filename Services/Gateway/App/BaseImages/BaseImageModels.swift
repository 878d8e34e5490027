import Foundation
import Shared

/// `BaseImagesMatchPreviewRequest`: the entry names of an archive not yet sent.
struct MatchPreviewRequest: RequestBody {
    /// As many names as an archive may hold files, each as long as an archive allows.
    static let limits = ZipLimits()
    /// A name of `limits.maxNameBytes` can take six bytes of JSON per byte (`\u00e9`), and a little more for the rest.
    static let maxBodyBytes = limits.maxEntries * (limits.maxNameBytes * 6 + 8) / 4

    var files: [String]

    static func read(_ reader: ObjectReader) -> MatchPreviewRequest? {
        let files = reader.required("files") { list -> [String]? in
            if case .array(let items) = list.value, items.count > limits.maxEntries {
                list.issues.add(.listTooLong(list.loc, input: list.value, maxLength: limits.maxEntries, actualLength: items.count))
                return nil
            }
            return list.list { name in
                guard let text = name.string(maxLength: limits.maxNameBytes) else { return nil }
                // The worker refuses an archive with a longer name: say so before it is sent.
                guard text.utf8.count <= limits.maxNameBytes else {
                    name.issues.add(
                        .valueError(name.loc, message: "Value error, a name is at most \(limits.maxNameBytes) bytes of UTF-8", input: name.value)
                    )
                    return nil
                }
                return text
            }
        }
        return files.map(MatchPreviewRequest.init)
    }
}

/// `BaseImagesMatchPreview`: the `result_data` the task would produce from
/// the names alone (CONTRACT §11), each item as the task writes it, plus
/// what only a preview tells.
struct BaseImagesMatchPreview: JSONRepresentable {
    var placements: [(path: String, match: EntryMatch)]
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
