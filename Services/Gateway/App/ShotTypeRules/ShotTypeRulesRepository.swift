import Foundation
import Logging
import PostgresNIO
import Shared

/// SQL for `guidelines_shot_type_rules`. Rules pointing at deleted shot types,
/// or at shot types the caller cannot see (a former member's guidelines that
/// name the organization's shot types, say), are kept but never shown. Callers
/// hold the guidelines row lock (`lockGuidelines`) for every change, which
/// serialises concurrent bulk-replaces of one guideline.
struct ShotTypeRulesRepository: Sendable {
    let database: Database

    static let guidelines = ShootingGuidelinesRepository.table
    static let reader = RowReader(
        columns: "r.id, r.guidelines_id, r.rule_kind::text, r.rule_value, r.shot_type_id, r.created_at, r.updated_at"
    ) { cells in
        let (id, guidelinesID, ruleKind, ruleValue, shotTypeID, createdAt, updatedAt) = try cells.decode(
            (UUID, UUID, String, String, UUID, Date, Date).self
        )
        return GuidelinesShotTypeRulePublic(
            id: id, guidelinesID: guidelinesID, ruleKind: ruleKind, ruleValue: ruleValue, shotTypeID: shotTypeID,
            createdAt: createdAt, updatedAt: updatedAt
        )
    }

    /// 404 unless the caller may see the guidelines.
    func requireVisibleGuidelines(_ guidelinesID: UUID, scope: TenantScope, logger: Logger) async throws {
        try await TenantRows(database: database).find(Self.guidelines, id: guidelinesID, scope: scope, logger: logger)
    }

    /// Locks the guidelines for a change of their rules (404, or 403 for public ones).
    func lockGuidelines(_ guidelinesID: UUID, scope: TenantScope, on connection: PostgresConnection, logger: Logger) async throws {
        try await TenantRows.lockForChange(Self.guidelines, id: guidelinesID, scope: scope, on: connection, logger: logger)
    }

    /// Flat rows, ordered by kind (as text), value and age; optionally one key only.
    func rules(
        of guidelinesID: UUID, key: (kind: GuidelinesShotTypeRuleKind, value: String)? = nil, scope: TenantScope,
        on client: some PostgresQueryable, logger: Logger
    ) async throws -> [GuidelinesShotTypeRulePublic] {
        let viewer = try TenantScope(viewer: scope.viewer, organizationID: nil)
        let rows = try await client.run(
            """
            SELECT \(unescaped: Self.reader.columns) FROM guidelines_shot_type_rules r
            JOIN shot_types t ON t.id = r.shot_type_id AND \(visible: ShotTypesRepository.table, in: viewer)
            WHERE r.guidelines_id = \(guidelinesID)
              AND (\(key?.kind.rawValue)::text IS NULL OR (r.rule_kind::text = \(key?.kind.rawValue) AND r.rule_value = \(key?.value)))
            ORDER BY r.rule_kind::text, r.rule_value, r.created_at, r.id
            """,
            logger: logger
        )
        return try await Self.reader.decodeAll(rows)
    }

    /// Groups by (kind, value), shot types by name, each a full `ShotTypePublic`.
    func groups(of guidelinesID: UUID, scope: TenantScope, logger: Logger) async throws -> [GuidelinesShotTypeRuleGroup] {
        let viewer = try TenantScope(viewer: scope.viewer, organizationID: nil)
        let shotTypes = ShotTypesRepository.reader
        let rows = try await database.client.query(
            """
            SELECT r.rule_kind::text, r.rule_value, \(unescaped: shotTypes.columns)
            FROM guidelines_shot_type_rules r
            JOIN shot_types t ON t.id = r.shot_type_id AND \(visible: ShotTypesRepository.table, in: viewer)
            WHERE r.guidelines_id = \(guidelinesID)
            ORDER BY r.rule_kind::text, r.rule_value, t.name, t.id
            """,
            logger: logger
        )
        var groups: [GuidelinesShotTypeRuleGroup] = []
        for try await row in rows {
            var cells = RowCells(row)
            let (kind, value) = try cells.decode((String, String).self)
            let shotType = try shotTypes.read(&cells)
            try cells.requireEnd()
            if let last = groups.last, last.ruleKind == kind, last.ruleValue == value {
                groups[groups.count - 1].shotTypes.append(shotType)
            } else {
                groups.append(GuidelinesShotTypeRuleGroup(ruleKind: kind, ruleValue: value, shotTypes: [shotType]))
            }
        }
        return groups
    }

    /// Adds one rule after checking its shot type; a repeat is a 409.
    func create(
        _ body: GuidelinesShotTypeRuleCreate, in guidelinesID: UUID, scope: TenantScope, logger: Logger
    ) async throws -> GuidelinesShotTypeRulePublic {
        try await database.transaction { connection in
            try await lockGuidelines(guidelinesID, scope: scope, on: connection, logger: logger)
            let issues = try await TenantRows.resolve(
                [Reference(id: body.shotTypeID, loc: ["body", "shot_type_id"])], in: ShotTypesRepository.table,
                scope: scope, on: connection, logger: logger
            ).issues
            guard issues.isEmpty else { throw APIError.validation(issues) }
            do {
                return try await Self.reader.one(connection.query(
                    """
                    INSERT INTO guidelines_shot_type_rules AS r (guidelines_id, rule_kind, rule_value, shot_type_id)
                    VALUES (\(guidelinesID), \(body.ruleKind.rawValue)::guidelines_shot_type_rule_kind, \(body.ruleValue), \(body.shotTypeID))
                    RETURNING \(unescaped: Self.reader.columns)
                    """,
                    logger: logger
                ))
            } catch let error where DatabaseFailure(error) == .uniqueViolation(constraint: "guidelines_shot_type_rules_unique") {
                throw APIError.conflict("This rule already exists for these guidelines")
            }
        }
    }

    /// Replaces one key's shot types and answers that key's rules.
    func bulkReplace(
        _ guidelinesID: UUID, group: GuidelinesShotTypeRuleGroupInput, scope: TenantScope, logger: Logger
    ) async throws -> [GuidelinesShotTypeRulePublic] {
        try await database.transaction { connection in
            try await lockGuidelines(guidelinesID, scope: scope, on: connection, logger: logger)
            try await replaceAll(
                guidelinesID, groups: [group], locPrefix: ["body"], groupsAreListed: false, scope: scope,
                on: connection, logger: logger
            )
            return try await rules(
                of: guidelinesID, key: (group.ruleKind, group.ruleValue), scope: scope, on: connection, logger: logger
            )
        }
    }

    /// Deletes a rule of the guidelines; 404 for a rule of other guidelines.
    func delete(_ ruleID: UUID, of guidelinesID: UUID, scope: TenantScope, logger: Logger) async throws {
        try await database.transaction { connection in
            try await lockGuidelines(guidelinesID, scope: scope, on: connection, logger: logger)
            let deleted = try await connection.query(
                "DELETE FROM guidelines_shot_type_rules WHERE id = \(ruleID) AND guidelines_id = \(guidelinesID) RETURNING id",
                logger: logger
            )
            for try await _ in deleted { return }
            throw APIError.notFound("Rule not found")
        }
    }

    /// Makes the key's shot types exactly `shotTypeIDs`; rows that stay keep their ids.
    private func replace(
        _ guidelinesID: UUID, group: GuidelinesShotTypeRuleGroupInput, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let ids = Array(Set(group.shotTypeIDs))
        try await connection.query(
            """
            DELETE FROM guidelines_shot_type_rules
            WHERE guidelines_id = \(guidelinesID) AND rule_kind = \(group.ruleKind.rawValue)::guidelines_shot_type_rule_kind
              AND rule_value = \(group.ruleValue) AND NOT (shot_type_id = ANY (\(ids)))
            """,
            logger: logger
        )
        try await connection.query(
            """
            INSERT INTO guidelines_shot_type_rules (guidelines_id, rule_kind, rule_value, shot_type_id)
            SELECT \(guidelinesID), \(group.ruleKind.rawValue)::guidelines_shot_type_rule_kind, \(group.ruleValue), id
            FROM unnest(\(ids)::uuid[]) AS id
            ON CONFLICT ON CONSTRAINT guidelines_shot_type_rules_unique DO NOTHING
            """,
            logger: logger
        )
    }

    /// Validates every group's shot types, then replaces each key; a bad id
    /// anywhere changes nothing (the caller's transaction rolls back).
    func replaceAll(
        _ guidelinesID: UUID, groups: [GuidelinesShotTypeRuleGroupInput], locPrefix: [ValidationIssue.Location],
        groupsAreListed: Bool, scope: TenantScope, on connection: PostgresConnection, logger: Logger
    ) async throws {
        var references: [Reference] = []
        for (groupIndex, group) in groups.enumerated() {
            let groupLoc = groupsAreListed ? locPrefix + [.index(groupIndex)] : locPrefix
            for (index, id) in group.shotTypeIDs.enumerated() {
                references.append(Reference(id: id, loc: groupLoc + ["shot_type_ids", .index(index)]))
            }
        }
        let issues = try await TenantRows.resolve(references, in: ShotTypesRepository.table, scope: scope, on: connection, logger: logger).issues
        guard issues.isEmpty else { throw APIError.validation(issues) }
        for group in groups {
            try await replace(guidelinesID, group: group, on: connection, logger: logger)
        }
    }
}
