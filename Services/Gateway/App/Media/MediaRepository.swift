import Foundation
import Logging
import PostgresNIO
import Shared

/// SQL for `media_resources` as the gateway reads and writes it (the insert
/// itself is `MediaResources.upsert`, shared with the worker).
struct MediaRepository: Sendable {
    static let table = TenantTable(name: "media_resources", noun: "Media resource", labelColumn: "t.content_hash")
    static let reader = RowReader(
        columns: """
            t.id, t.resource_type, t.extension, t.content_hash, t.file_size, t.width, t.height, t.aspect_ratio,
            t.orientation, t.duration, t.alt_text, t.caption, t.color_profile, t.dominant_color, t.protected,
            t.created_at, t.blob_key, t.mime_type
            """
    ) { cells in
        let (id, resourceType, fileExtension, contentHash, fileSize, width, height, aspectRatio) = try cells.decode(
            (UUID, String, String, String, Int64, Int32?, Int32?, Double?).self
        )
        let (orientation, duration, altText, caption, colorProfile, dominantColor, isProtected) = try cells.decode(
            (String?, Double?, String?, String?, String?, String?, Bool).self
        )
        let (createdAt, blobKey, mimeType) = try cells.decode((Date, String, String).self)
        return MediaResourceRecord(
            id: id, resourceType: resourceType, fileExtension: fileExtension, contentHash: contentHash,
            fileSize: Int(fileSize), width: width.map(Int.init), height: height.map(Int.init), aspectRatio: aspectRatio,
            orientation: orientation, duration: duration, altText: altText, caption: caption, colorProfile: colorProfile,
            dominantColor: dominantColor, isProtected: isProtected, createdAt: createdAt, blobKey: blobKey, mimeType: mimeType
        )
    }

    /// `LEFT JOIN` of the media whose id is in `column`, as `alias`, its
    /// columns (`alias.*`) those of `reader`: NULLs where there is none.
    static func linkedJoin(alias: String, on column: String) -> String {
        "LEFT JOIN LATERAL (SELECT \(reader.columns) FROM media_resources t WHERE t.id = \(column)) \(alias) ON true"
    }

    /// Media by id, whatever their tenant: the caller proved access to what links them.
    struct ByIDs: PreparedStatement {
        var ids: [UUID]

        static let placeholder = ByIDs(ids: [])
        var query: PostgresQuery { "SELECT \(unescaped: reader.columns) FROM media_resources t WHERE t.id = ANY (\(ids))" }
    }

    let database: Database

    /// The media if the caller may see it; 404 otherwise.
    func find(_ id: UUID, scope: TenantScope, logger: Logger) async throws -> MediaResourceRecord {
        try await TenantRows.find(Self.table, Self.reader, id: id, scope: scope, on: database.client, logger: logger)
    }

    /// The media whatever its tenant, for a signed URL that already proves access.
    func find(signed id: UUID, logger: Logger) async throws -> MediaResourceRecord {
        guard let record = try await Self.records(ids: [id], on: database.client, logger: logger).first else {
            throw APIError.notFound("Media resource not found")
        }
        return record
    }

    /// The rows of `ids`, in no particular order, whatever their tenant.
    static func records(ids: [UUID], on client: some PostgresQueryable, logger: Logger) async throws -> [MediaResourceRecord] {
        try await client.rows(ByIDs(ids: ids), logger: logger).map(reader.decode)
    }

    /// Stores the image's row in the owner's tenant (or touches the row of the
    /// same bytes), once the owner and organization are checked to still
    /// exist; they stay locked until the insert.
    func insert(
        _ blob: StoredBlob, info: ImageInfo, owner: (ownerID: UUID, organizationID: UUID?), scope: TenantScope, logger: Logger
    ) async throws -> MediaResourceRecord {
        try await database.transaction { connection in
            try await scope.requireExisting(
                ownerID: nil, organizationID: owner.organizationID, organizationIn: "query", on: connection, logger: logger
            )
            let rows = try await connection.query(
                MediaResources.upsert(ownerID: owner.ownerID, organizationID: owner.organizationID, images: [(blob, info)]),
                logger: logger
            )
            var id: UUID?
            for try await (rowID, _) in rows.decode((UUID, String).self) { id = rowID }
            guard let id, let record = try await Self.records(ids: [id], on: connection, logger: logger).first else {
                throw MissingRow()
            }
            return record
        }
    }
}
