import Foundation
import Shared

/// `/api/v1/background-presets/`: reusable backgrounds; public ones (made so by
/// superusers only) are shared with everyone. SQL for `background_presets`.
struct BackgroundPresetsRepository: CatalogRepository {
    static let table = TenantTable(name: "background_presets", noun: "Background preset", hasPublicFlag: true)
    static let reader = RowReader(columns: NamedRowColumns.columns + ", t.public") { cells in
        BackgroundPresetPublic(columns: try NamedRowColumns.read(&cells), isPublic: try cells.next(Bool.self))
    }

    let database: Database

    func insert(_ body: BackgroundPresetCreate, owner: Ownership, in write: CatalogWrite) async throws -> UUID {
        try await write.connection.query(
            """
            INSERT INTO background_presets (name, description, public, owner_id, organization_id)
            VALUES (\(body.name), \(body.description), \(body.isPublic), \(owner.ownerID), \(owner.organizationID))
            RETURNING id
            """,
            logger: write.logger
        ).one(UUID.self)
    }

    func update(_ id: UUID, with body: BackgroundPresetUpdate, in write: CatalogWrite) async throws {
        try await write.connection.query(
            """
            UPDATE background_presets SET
                name = coalesce(\(body.named.name), name),
                description = coalesce(\(body.named.description), description),
                public = coalesce(\(body.isPublic), public),
                updated_at = now()
            WHERE id = \(id)
            """,
            logger: write.logger
        )
    }
}
