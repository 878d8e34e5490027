import Foundation
import Shared

/// `ShootingGuidelinesCreate`: also takes `shot_type_rules` groups, each
/// applied as by bulk-replace.
struct ShootingGuidelinesCreate: OwnedCreate {
    var name: String
    var description: String?
    var ownerID: UUID?
    var organizationID: UUID?
    var shotTypeRules: [GuidelinesShotTypeRuleGroupInput]

    static func read(_ reader: ObjectReader) -> ShootingGuidelinesCreate? {
        let named = NamedFields.read(reader, requireName: true)
        let owner = OwnerFields.read(reader)
        let rules = reader.optional("shot_type_rules") { $0.list { $0.object(GuidelinesShotTypeRuleGroupInput.read) } }
        guard let name = named.name else { return nil }
        return ShootingGuidelinesCreate(
            name: name, description: named.description, ownerID: owner.ownerID,
            organizationID: owner.organizationID, shotTypeRules: rules ?? []
        )
    }
}

/// `ShootingGuidelinesUpdate`: null = no change.
struct ShootingGuidelinesUpdate: CatalogUpdate {
    var named: NamedFields
    /// nil = rules unchanged; listed keys are replaced, unlisted keys stay.
    var shotTypeRules: [GuidelinesShotTypeRuleGroupInput]?

    static func read(_ reader: ObjectReader) -> ShootingGuidelinesUpdate? {
        ShootingGuidelinesUpdate(
            named: NamedFields.read(reader, requireName: false),
            shotTypeRules: reader.optional("shot_type_rules") { $0.list { $0.object(GuidelinesShotTypeRuleGroupInput.read) } }
        )
    }
}

/// `ShootingGuidelinesPublic`
struct ShootingGuidelinesPublic: JSONRepresentable {
    var columns: NamedRowColumns

    var json: JSONValue { columns.json() }
}

/// `ShootingGuidelinesListPublic`
typealias ShootingGuidelinesListPublic = Page<ShootingGuidelinesPublic>
