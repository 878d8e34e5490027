import Foundation
import Shared

/// `/api/v1/guidelines/`: shooting guidelines. SQL for `shooting_guidelines`
/// (its insert and update are those of every named row, in `NamedFields.swift`);
/// their rules are written by `ShotTypeRulesRepository` in the same transaction.
struct ShootingGuidelinesRepository: CatalogRepository {
    static let table = TenantTable(name: "shooting_guidelines", noun: "Guidelines")
    static let idParameter = "guidelines_id"
    static let reader = RowReader(columns: NamedRowColumns.columns) {
        ShootingGuidelinesPublic(columns: try NamedRowColumns.read(&$0))
    }

    let database: Database
    var rules: ShotTypeRulesRepository { ShotTypeRulesRepository(database: database) }

    func insert(_ body: ShootingGuidelinesCreate, owner: Ownership, in write: CatalogWrite) async throws -> UUID {
        let id = try await insertNamedRow(name: body.name, description: body.description, owner: owner, in: write)
        try await rules.replaceAll(
            id, groups: body.shotTypeRules, locPrefix: ["body", "shot_type_rules"], groupsAreListed: true,
            scope: write.scope, on: write.connection, logger: write.logger
        )
        return id
    }

    func update(_ id: UUID, with body: ShootingGuidelinesUpdate, in write: CatalogWrite) async throws {
        try await updateNamedRow(id, with: body.named, in: write)
        if let groups = body.shotTypeRules {
            try await rules.replaceAll(
                id, groups: groups, locPrefix: ["body", "shot_type_rules"], groupsAreListed: true,
                scope: write.scope, on: write.connection, logger: write.logger
            )
        }
    }
}
