import Foundation

/// `result_data` of a task (CONTRACT §6, §11), and the items the match
/// preview shares with it: each shape written once.
public enum TaskResult {
    /// `{"matched": [...], "skipped": [...], "unmatched_shot_types": [...]}`.
    public static func document(matched: [JSONValue], skipped: [JSONValue], unmatchedShotTypes: [UUID]) -> JSONObject {
        [
            "matched": .array(matched), "skipped": .array(skipped),
            "unmatched_shot_types": .array(unmatchedShotTypes.map(JSONValue.uuid)),
        ]
    }

    /// The start of a `matched` item: the entry and its slot.
    public static func matchedItem(file: String, slot: Slot) -> JSONObject {
        ["file": .string(file), "subject_id": .uuid(slot.subjectID), "shot_type_id": .uuid(slot.shotTypeID)]
    }

    /// A `skipped` item; `mediaID` when the image was kept, the tied shot
    /// types of an `ambiguous_shot_type` (in a stable order).
    public static func skippedItem(file: String, reason: SkipReason, mediaID: UUID? = nil, candidates: Set<UUID> = []) -> JSONValue {
        var item: JSONObject = ["file": .string(file), "reason": .string(reason.rawValue)]
        if let mediaID { item["media_resource_id"] = .uuid(mediaID) }
        if reason == .ambiguousShotType {
            item["candidate_shot_type_ids"] = .array(candidates.map(\.lowercasedString).sorted().map(JSONValue.string))
        }
        return .object(item)
    }

    /// The images a task kept but did not place: each `skipped` item with a
    /// `media_resource_id`, in the result's order.
    public static func keptImages(in result: JSONValue) -> [(file: String, mediaID: UUID)] {
        guard case .object(let document) = result, case .array(let skipped)? = document["skipped"] else { return [] }
        return skipped.compactMap { item in
            guard case .object(let fields) = item, case .string(let file)? = fields["file"],
                case .string(let id)? = fields["media_resource_id"], let mediaID = UUID(uuidString: id)
            else { return nil }
            return (file, mediaID)
        }
    }
}
