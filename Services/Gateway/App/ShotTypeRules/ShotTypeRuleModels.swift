import Foundation
import Shared

extension GuidelinesShotTypeRuleKind: APIEnum {}

/// `GuidelinesShotTypeRulePublic`: one rule row.
struct GuidelinesShotTypeRulePublic: JSONRepresentable {
    var id: UUID
    var guidelinesID: UUID
    var ruleKind: String
    var ruleValue: String
    var shotTypeID: UUID
    var createdAt: Date
    var updatedAt: Date

    var json: JSONValue {
        .object([
            "id": .uuid(id),
            "guidelines_id": .uuid(guidelinesID),
            "rule_kind": .string(ruleKind),
            "rule_value": .string(ruleValue),
            "shot_type_id": .uuid(shotTypeID),
            "created_at": .date(createdAt),
            "updated_at": .date(updatedAt),
        ])
    }
}

/// `GuidelinesShotTypeRulesPublic`
typealias GuidelinesShotTypeRulesPublic = Page<GuidelinesShotTypeRulePublic>

/// `GuidelinesShotTypeRuleGroup`: one (kind, value) key with its shot types.
struct GuidelinesShotTypeRuleGroup: JSONRepresentable {
    var ruleKind: String
    var ruleValue: String
    var shotTypes: [ShotTypePublic]

    var json: JSONValue {
        .object(["rule_kind": .string(ruleKind), "rule_value": .string(ruleValue), "shot_types": .list(shotTypes)])
    }
}

/// `GuidelinesShotTypeRuleGroupsPublic`
typealias GuidelinesShotTypeRuleGroupsPublic = Page<GuidelinesShotTypeRuleGroup>

/// `GuidelinesShotTypeRuleCreate`: one (kind, value, shot type) row.
struct GuidelinesShotTypeRuleCreate: RequestBody {
    var ruleKind: GuidelinesShotTypeRuleKind
    var ruleValue: String
    var shotTypeID: UUID

    static func read(_ reader: ObjectReader) -> GuidelinesShotTypeRuleCreate? {
        let kind = reader.required("rule_kind") { $0.enumeration(GuidelinesShotTypeRuleKind.self) }
        let value = reader.required("rule_value") { $0.string(minLength: 1, maxLength: 100) }
        let shotTypeID = reader.required("shot_type_id") { $0.uuid() }
        guard let kind, let value, let shotTypeID else { return nil }
        return GuidelinesShotTypeRuleCreate(ruleKind: kind, ruleValue: value, shotTypeID: shotTypeID)
    }
}

/// `GuidelinesShotTypeRuleGroupInput`: a key and the full list of its shot
/// types; an omitted or empty list clears the key.
struct GuidelinesShotTypeRuleGroupInput: RequestBody {
    var ruleKind: GuidelinesShotTypeRuleKind
    var ruleValue: String
    var shotTypeIDs: [UUID]

    static func read(_ reader: ObjectReader) -> GuidelinesShotTypeRuleGroupInput? {
        let kind = reader.required("rule_kind") { $0.enumeration(GuidelinesShotTypeRuleKind.self) }
        let value = reader.required("rule_value") { $0.string(minLength: 1, maxLength: 100) }
        let ids = reader.optional("shot_type_ids") { $0.list { $0.uuid() } }
        guard let kind, let value else { return nil }
        return GuidelinesShotTypeRuleGroupInput(ruleKind: kind, ruleValue: value, shotTypeIDs: ids ?? [])
    }
}
