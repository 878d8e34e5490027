import Foundation
import Logging
import PostgresNIO

/// Placing stored images into a design's base-image slots, one statement
/// however many: shared by the worker (an archive or a rematch) and the
/// assign route. The design's own writes of whole image lists stay with the
/// set-design routes.
public enum BaseImageSlots {
    /// A slot after an upsert.
    public struct Placed: Sendable {
        public var baseImageID: UUID
        public var createdAt: Date
        public var updatedAt: Date
        /// The slot already had an image, now replaced.
        public var replaced: Bool
    }

    /// Puts each image in its slot (a slot given twice is a caller's bug:
    /// Postgres refuses it), replacing what is there, or with `replacing`
    /// false leaving a slot that has an image as it is (it is then missing
    /// from the answer); in the caller's transaction. New slots go after the
    /// design's last position.
    public static func place(
        _ images: [(slot: Slot, mediaID: UUID)], inDesign setDesignID: UUID, replacing: Bool = true, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> [Slot: Placed] {
        guard !images.isEmpty else { return [:] }
        // The design first, as the set-design routes lock it: taking it after the slot rows
        // (whose foreign key waits on it) would deadlock with a writer that holds it. It also
        // keeps two writers from computing the same next position.
        try await connection.query("UPDATE set_designs SET updated_at = clock_timestamp() WHERE id = \(setDesignID)", logger: logger)
        let onConflict =
            replacing
            ? "DO UPDATE SET image_media_id = EXCLUDED.image_media_id, image_url = NULL, updated_at = clock_timestamp()" : "DO NOTHING"
        // xmax is set on a row version made by the ON CONFLICT update: the slot had an image.
        let rows = try await connection.query(
            """
            INSERT INTO set_base_images (set_design_id, subject_id, shot_type_id, image_media_id, position)
            SELECT \(setDesignID), slot.subject_id, slot.shot_type_id, slot.media_id, next.position + slot.number - 1
            FROM unnest(\(images.map(\.slot.subjectID))::uuid[], \(images.map(\.slot.shotTypeID))::uuid[], \(images.map(\.mediaID))::uuid[])
                     WITH ORDINALITY AS slot(subject_id, shot_type_id, media_id, number),
                 (SELECT coalesce(max(position) + 1, 0) AS position FROM set_base_images WHERE set_design_id = \(setDesignID)) next
            ON CONFLICT ON CONSTRAINT set_base_images_slot_key \(unescaped: onConflict)
            RETURNING subject_id, shot_type_id, id, created_at, updated_at, xmax <> 0
            """,
            logger: logger
        )
        var placed: [Slot: Placed] = [:]
        for try await (subject, shotType, id, created, updated, replaced) in rows.decode((UUID, UUID, UUID, Date, Date, Bool).self) {
            placed[Slot(subjectID: subject, shotTypeID: shotType)] = Placed(
                baseImageID: id, createdAt: created, updatedAt: updated, replaced: replaced
            )
        }
        return placed
    }

    /// The design's slots that have a base image: an upsert into one of them replaces it.
    public static func filled(inDesign setDesignID: UUID, client: PooledClient, logger: Logger) async throws -> Set<Slot> {
        let rows = try await client.query(
            "SELECT subject_id, shot_type_id FROM set_base_images WHERE set_design_id = \(setDesignID)",
            logger: logger
        )
        var slots = Set<Slot>()
        for try await (subject, shotType) in rows.decode((UUID, UUID).self) { slots.insert(Slot(subjectID: subject, shotTypeID: shotType)) }
        return slots
    }
}
