import Foundation
import Logging
import PostgresNIO
import Shared

/// SQL for `guidelines_shot_type_rules`. Rules pointing at deleted shot types,
/// or at shot types the caller cannot see (a former member's guidelines that
/// name the organization's shot types, say), are kept but never shown. Callers hold the guidelines row lock
/// (`TenantRows.lockForChange`) for every change, which serialises concurrent
/// bulk-replaces of one guideline.
struct ShotTypeRulesRepository: Sendable {
    /// Flat rows, ordered by kind (as text), value and age; optionally one key only.
    static func rules(
        of guidelinesID: UUID, key: (kind: GuidelinesShotTypeRuleKind, value: String)? = nil, scope: TenantScope,
        on client: some PostgresQueryable, logger: Logger
    ) async throws -> [GuidelinesShotTypeRulePublic] {
        let viewer = try TenantScope(viewer: scope.viewer, organizationID: nil)
        let rows = try await client.run(
            """
            SELECT r.* FROM guidelines_shot_type_rules r
            JOIN shot_types t ON t.id = r.shot_type_id AND \(visible: ShotTypePublic.table, in: viewer)
            WHERE r.guidelines_id = \(guidelinesID)
              AND (\(key?.kind.rawValue)::text IS NULL OR (r.rule_kind::text = \(key?.kind.rawValue) AND r.rule_value = \(key?.value)))
            ORDER BY r.rule_kind::text, r.rule_value, r.created_at, r.id
            """,
            logger: logger
        )
        var rules: [GuidelinesShotTypeRulePublic] = []
        for try await row in rows { rules.append(try GuidelinesShotTypeRulePublic(row: row.makeRandomAccess())) }
        return rules
    }

    /// Groups by (kind, value), shot types by name, each a full `ShotTypePublic`.
    static func groups(
        of guidelinesID: UUID, scope: TenantScope, on client: some PostgresQueryable, logger: Logger
    ) async throws -> [GuidelinesShotTypeRuleGroup] {
        let viewer = try TenantScope(viewer: scope.viewer, organizationID: nil)
        let rows = try await client.run(
            """
            SELECT r.rule_kind::text AS rule_kind_text, r.rule_value AS rule_value_text, t.*
            FROM guidelines_shot_type_rules r
            JOIN shot_types t ON t.id = r.shot_type_id AND \(visible: ShotTypePublic.table, in: viewer)
            WHERE r.guidelines_id = \(guidelinesID)
            ORDER BY r.rule_kind::text, r.rule_value, t.name, t.id
            """,
            logger: logger
        )
        var groups: [GuidelinesShotTypeRuleGroup] = []
        for try await row in rows {
            let columns = row.makeRandomAccess()
            let kind: String = try columns.value("rule_kind_text")
            let value: String = try columns.value("rule_value_text")
            let shotType = try ShotTypePublic(row: columns)
            if let last = groups.last, last.ruleKind == kind, last.ruleValue == value {
                groups[groups.count - 1].shotTypes.append(shotType)
            } else {
                groups.append(GuidelinesShotTypeRuleGroup(ruleKind: kind, ruleValue: value, shotTypes: [shotType]))
            }
        }
        return groups
    }

    /// Makes the key's shot types exactly `shotTypeIDs`; rows that stay keep their ids.
    static func replace(
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
    static func replaceAll(
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
        let issues = try await TenantRows.resolve(references, in: ShotTypePublic.table, scope: scope, on: connection, logger: logger).issues
        guard issues.isEmpty else { throw APIError.validation(issues) }
        for group in groups {
            try await replace(guidelinesID, group: group, on: connection, logger: logger)
        }
    }
}
