import Foundation
import Shared

/// The `name` (1..255 characters) and `description` (up to 1024) that
/// subjects, background presets and guidelines share, plus the optional
/// `owner_id` / `organization_id` of a create body.
struct NamedFields {
    var name: String?
    var description: String?

    /// Reads both fields; `name` is required when `requireName`.
    static func read(_ reader: ObjectReader, requireName: Bool) -> NamedFields {
        let readName = { (value: ValueReader) in value.string(minLength: 1, maxLength: 255) }
        return NamedFields(
            name: requireName ? reader.required("name", readName) : reader.optional("name", readName),
            description: reader.optional("description") { $0.string(maxLength: 1024) }
        )
    }
}

struct OwnerFields {
    var ownerID: UUID?
    var organizationID: UUID?

    static func read(_ reader: ObjectReader) -> OwnerFields {
        OwnerFields(
            ownerID: reader.optional("owner_id") { $0.uuid() },
            organizationID: reader.optional("organization_id") { $0.uuid() }
        )
    }
}

/// The columns subjects, background presets and guidelines share, read from
/// a row and written in the documents' order (`extra` goes after `description`).
struct NamedRowColumns: Sendable {
    /// The select list over alias `t`, in the order `read` decodes it.
    static let columns = "t.id, t.name, t.description, t.owner_id, t.organization_id, t.created_at, t.updated_at"

    var id: UUID
    var name: String
    var description: String?
    var ownerID: UUID
    var organizationID: UUID?
    var createdAt: Date
    var updatedAt: Date

    static func read(_ cells: inout RowCells) throws -> NamedRowColumns {
        let (id, name, description, ownerID, organizationID, createdAt, updatedAt) = try cells.decode(
            (UUID, String, String?, UUID, UUID?, Date, Date).self
        )
        return NamedRowColumns(
            id: id, name: name, description: description, ownerID: ownerID, organizationID: organizationID,
            createdAt: createdAt, updatedAt: updatedAt
        )
    }

    func json(extra: JSONObject = [:]) -> JSONValue {
        var object: JSONObject = ["id": .uuid(id), "name": .string(name), "description": .string(description)]
        object.members += extra.members
        object.members += [
            ("owner_id", .uuid(ownerID)), ("organization_id", .uuid(organizationID)),
            ("created_at", .date(createdAt)), ("updated_at", .date(updatedAt)),
        ]
        return .object(object)
    }
}

/// The insert and update of the tables whose rows are just named fields and
/// an owner (subjects, guidelines): the same two statements on each table.
extension CatalogRepository {
    /// Inserts a row with these columns; returns its id.
    func insertNamedRow(name: String, description: String?, owner: Ownership, in write: CatalogWrite) async throws -> UUID {
        try await write.connection.query(
            """
            INSERT INTO \(unescaped: Self.table.name) (name, description, owner_id, organization_id)
            VALUES (\(name), \(description), \(owner.ownerID), \(owner.organizationID))
            RETURNING id
            """,
            logger: write.logger
        ).one(UUID.self)
    }

    /// Updates name and description (null = no change).
    func updateNamedRow(_ id: UUID, with named: NamedFields, in write: CatalogWrite) async throws {
        try await write.connection.query(
            """
            UPDATE \(unescaped: Self.table.name) SET
                name = coalesce(\(named.name), name),
                description = coalesce(\(named.description), description),
                updated_at = now()
            WHERE id = \(id)
            """,
            logger: write.logger
        )
    }
}
