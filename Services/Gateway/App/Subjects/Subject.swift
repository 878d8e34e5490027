import Foundation
import PostgresNIO
import Shared

/// `/api/v1/subjects/`: who or what is photographed.
struct SubjectPublic: CatalogResource {
    static let table = TenantTable(name: "subjects", noun: "Subject")

    var id: UUID
    var name: String
    var description: String?
    var ownerID: UUID
    var organizationID: UUID?
    var createdAt: Date
    var updatedAt: Date

    init(row: PostgresRandomAccessRow) throws {
        id = try row.value("id")
        name = try row.value("name")
        description = try row.value("description")
        ownerID = try row.value("owner_id")
        organizationID = try row.value("organization_id")
        createdAt = try row.value("created_at")
        updatedAt = try row.value("updated_at")
    }

    var json: JSONValue {
        .object([
            "id": .uuid(id),
            "name": .string(name),
            "description": .string(description),
            "owner_id": .uuid(ownerID),
            "organization_id": .uuid(organizationID),
            "created_at": .date(createdAt),
            "updated_at": .date(updatedAt),
        ])
    }

    struct Create: OwnedCreate {
        var name: String
        var description: String?
        var ownerID: UUID?
        var organizationID: UUID?

        static func read(_ reader: ObjectReader) -> Create? {
            let named = NamedFields.read(reader, requireName: true)
            let owner = OwnerFields.read(reader)
            guard let name = named.name else { return nil }
            return Create(name: name, description: named.description, ownerID: owner.ownerID, organizationID: owner.organizationID)
        }
    }

    struct Update: RequestBody {
        var name: String?
        var description: String?

        static func read(_ reader: ObjectReader) -> Update? {
            let named = NamedFields.read(reader, requireName: false)
            return Update(name: named.name, description: named.description)
        }
    }

    static func insert(_ body: Create, owner: Ownership, in write: CatalogWrite) async throws -> UUID {
        let rows = try await write.connection.query(
            """
            INSERT INTO subjects (name, description, owner_id, organization_id)
            VALUES (\(body.name), \(body.description), \(owner.ownerID), \(owner.organizationID))
            RETURNING id
            """,
            logger: write.logger
        )
        return try await rows.one(UUID.self)
    }

    static func update(_ id: UUID, with body: Update, in write: CatalogWrite) async throws {
        try await write.connection.query(
            """
            UPDATE subjects SET
                name = coalesce(\(body.name), name),
                description = coalesce(\(body.description), description),
                updated_at = now()
            WHERE id = \(id)
            """,
            logger: write.logger
        )
    }
}
