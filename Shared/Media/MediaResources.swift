import Foundation
import PostgresNIO

/// The one way a stored image becomes a `media_resources` row, shared by the
/// media upload route and the ZIP worker.
public enum MediaResources {
    /// Inserts the row for `blob` in the tenant, or touches the existing row
    /// of the same bytes (content addressing: one row per tenant and hash).
    /// Answers the whole row.
    public static func upsert(
        ownerID: UUID, organizationID: UUID?, blob: StoredBlob, info: ImageInfo
    ) -> PostgresQuery {
        """
        INSERT INTO media_resources (
            owner_id, organization_id, content_hash, blob_key, mime_type, extension, file_size,
            width, height, orientation, aspect_ratio
        ) VALUES (
            \(ownerID), \(organizationID), \(blob.sha256), \(blob.key), \(info.format.mimeType),
            \(info.format.fileExtension), \(Int64(blob.size)), \(info.width.map(Int32.init)), \(info.height.map(Int32.init)),
            \(info.orientation), \(info.aspectRatio)
        )
        ON CONFLICT ON CONSTRAINT media_resources_tenant_content_key DO UPDATE SET updated_at = now()
        RETURNING *
        """
    }
}
