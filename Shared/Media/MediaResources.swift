import Foundation
import Logging
import PostgresNIO

/// The one way stored images become `media_resources` rows, shared by the
/// media upload route (one image) and the ZIP worker (a whole archive).
public enum MediaResources {
    /// Inserts a row per distinct content hash in the tenant, or touches the
    /// existing row of the same bytes (content addressing: one row per tenant
    /// and hash), in one statement. Answers each row's `id, content_hash`.
    public static func upsert(
        ownerID: UUID, organizationID: UUID?, images: [(blob: StoredBlob, info: ImageInfo)]
    ) -> PostgresQuery {
        // Arrays cannot carry NULLs here: -1 and '' stand for "unknown" and become NULL again.
        let blobs = images.map(\.blob), infos = images.map(\.info)
        return """
            INSERT INTO media_resources (
                owner_id, organization_id, content_hash, blob_key, mime_type, extension, file_size,
                width, height, orientation, aspect_ratio
            )
            SELECT DISTINCT ON (image.hash)
                \(ownerID), \(organizationID), image.hash, image.key, image.mime, image.extension, image.size,
                nullif(image.width, -1), nullif(image.height, -1), nullif(image.orientation, ''), nullif(image.aspect, -1)
            FROM unnest(
                \(blobs.map(\.sha256))::text[], \(blobs.map(\.key))::text[], \(infos.map(\.format.mimeType))::text[],
                \(infos.map(\.format.fileExtension))::text[], \(blobs.map { Int64($0.size) })::int8[],
                \(infos.map { Int32($0.width ?? -1) })::int4[], \(infos.map { Int32($0.height ?? -1) })::int4[],
                \(infos.map { $0.orientation ?? "" })::text[], \(infos.map { $0.aspectRatio ?? -1 })::float8[]
            ) AS image(hash, key, mime, extension, size, width, height, orientation, aspect)
            ON CONFLICT ON CONSTRAINT media_resources_tenant_content_key DO UPDATE SET updated_at = now()
            RETURNING id, content_hash
            """
    }

    /// The ids among `ids` that still have a row of this tenant (a rematch's
    /// kept images: a design moved to another tenant takes none of the old one's).
    public static func existing(
        _ ids: [UUID], ownerID: UUID, organizationID: UUID?, client: PooledClient, logger: Logger
    ) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        let rows = try await client.query(
            """
            SELECT id FROM media_resources
            WHERE id = ANY (\(ids)) AND owner_id = \(ownerID) AND organization_id IS NOT DISTINCT FROM \(organizationID)::uuid
            """,
            logger: logger
        )
        var found = Set<UUID>()
        for try await id in rows.decode(UUID.self) { found.insert(id) }
        return found
    }
}
