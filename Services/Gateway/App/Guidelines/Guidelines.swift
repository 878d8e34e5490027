import Foundation
import PostgresNIO
import Shared

/// `/api/v1/guidelines/`: shooting guidelines. Create and update also take
/// `shot_type_rules` groups, each applied as by bulk-replace.
struct GuidelinesPublic: CatalogResource {
    static let table = TenantTable(name: "shooting_guidelines", noun: "Guidelines")
    static let idParameter = "guidelines_id"

    var columns: NamedRowColumns

    init(row: PostgresRandomAccessRow) throws { columns = try NamedRowColumns(row: row) }

    var json: JSONValue { columns.json() }

    struct Create: OwnedCreate {
        var name: String
        var description: String?
        var ownerID: UUID?
        var organizationID: UUID?
        var shotTypeRules: [GuidelinesShotTypeRuleGroupInput]

        static func read(_ reader: ObjectReader) -> Create? {
            let named = NamedFields.read(reader, requireName: true)
            let owner = OwnerFields.read(reader)
            let rules = reader.optional("shot_type_rules") { $0.list { $0.object(GuidelinesShotTypeRuleGroupInput.read) } }
            guard let name = named.name else { return nil }
            return Create(
                name: name, description: named.description, ownerID: owner.ownerID,
                organizationID: owner.organizationID, shotTypeRules: rules ?? []
            )
        }
    }

    struct Update: CatalogUpdate {
        var named: NamedFields
        /// nil = rules unchanged; listed keys are replaced, unlisted keys stay.
        var shotTypeRules: [GuidelinesShotTypeRuleGroupInput]?

        static func read(_ reader: ObjectReader) -> Update? {
            Update(
                named: NamedFields.read(reader, requireName: false),
                shotTypeRules: reader.optional("shot_type_rules") { $0.list { $0.object(GuidelinesShotTypeRuleGroupInput.read) } }
            )
        }
    }

    static func insert(_ body: Create, owner: Ownership, in write: CatalogWrite) async throws -> UUID {
        let id = try await NamedRowColumns.insert(
            into: table, name: body.name, description: body.description, owner: owner, in: write
        )
        try await ShotTypeRulesRepository.replaceAll(
            id, groups: body.shotTypeRules, locPrefix: ["body", "shot_type_rules"], groupsAreListed: true,
            scope: write.scope, on: write.connection, logger: write.logger
        )
        return id
    }

    static func update(_ id: UUID, with body: Update, in write: CatalogWrite) async throws {
        try await NamedRowColumns.update(table, id: id, with: body.named, in: write)
        if let groups = body.shotTypeRules {
            try await ShotTypeRulesRepository.replaceAll(
                id, groups: groups, locPrefix: ["body", "shot_type_rules"], groupsAreListed: true,
                scope: write.scope, on: write.connection, logger: write.logger
            )
        }
    }
}
