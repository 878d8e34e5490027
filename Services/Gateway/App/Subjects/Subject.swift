import Foundation
import PostgresNIO
import Shared

/// `/api/v1/subjects/`: who or what is photographed.
struct SubjectPublic: CatalogResource {
    static let table = TenantTable(name: "subjects", noun: "Subject")

    var columns: NamedRowColumns

    init(row: PostgresRandomAccessRow) throws { columns = try NamedRowColumns(row: row) }

    var json: JSONValue { columns.json() }

    struct Create: OwnedCreate {
        var named: NamedFields
        var owner: OwnerFields
        var ownerID: UUID? { owner.ownerID }
        var organizationID: UUID? { owner.organizationID }

        static func read(_ reader: ObjectReader) -> Create? {
            let named = NamedFields.read(reader, requireName: true)
            let owner = OwnerFields.read(reader)
            return named.name == nil ? nil : Create(named: named, owner: owner)
        }
    }

    struct Update: CatalogUpdate {
        var named: NamedFields

        static func read(_ reader: ObjectReader) -> Update? {
            Update(named: NamedFields.read(reader, requireName: false))
        }
    }

    static func insert(_ body: Create, owner: Ownership, in write: CatalogWrite) async throws -> UUID {
        try await NamedRowColumns.insert(
            into: table, name: body.named.name ?? "", description: body.named.description, owner: owner, in: write
        )
    }

    static func update(_ id: UUID, with body: Update, in write: CatalogWrite) async throws {
        try await NamedRowColumns.update(table, id: id, with: body.named, in: write)
    }
}
