import Foundation
import PostgresNIO
import Shared

/// `/api/v1/background-presets/`: reusable backgrounds; public ones (made so by
/// superusers only) are shared with everyone.
struct BackgroundPresetPublic: CatalogResource {
    static let table = TenantTable(name: "background_presets", noun: "Background preset", hasPublicFlag: true)

    var columns: NamedRowColumns
    var isPublic: Bool

    init(row: PostgresRandomAccessRow) throws {
        columns = try NamedRowColumns(row: row)
        isPublic = try row.value("public")
    }

    var json: JSONValue { columns.json(extra: ["public": .bool(isPublic)]) }

    struct Create: OwnedCreate {
        var name: String
        var description: String?
        var isPublic: Bool
        var ownerID: UUID?
        var organizationID: UUID?

        static func read(_ reader: ObjectReader) -> Create? {
            let named = NamedFields.read(reader, requireName: true)
            let isPublic = reader.optional("public") { $0.bool() }
            let owner = OwnerFields.read(reader)
            guard let name = named.name else { return nil }
            return Create(
                name: name, description: named.description, isPublic: isPublic ?? false,
                ownerID: owner.ownerID, organizationID: owner.organizationID
            )
        }
    }

    struct Update: CatalogUpdate {
        var named: NamedFields
        var isPublic: Bool?

        static func read(_ reader: ObjectReader) -> Update? {
            Update(named: NamedFields.read(reader, requireName: false), isPublic: reader.optional("public") { $0.bool() })
        }
    }

    static func insert(_ body: Create, owner: Ownership, in write: CatalogWrite) async throws -> UUID {
        try await write.connection.query(
            """
            INSERT INTO background_presets (name, description, public, owner_id, organization_id)
            VALUES (\(body.name), \(body.description), \(body.isPublic), \(owner.ownerID), \(owner.organizationID))
            RETURNING id
            """,
            logger: write.logger
        ).one(UUID.self)
    }

    static func update(_ id: UUID, with body: Update, in write: CatalogWrite) async throws {
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
