import Foundation
import Shared

/// `BackgroundPresetCreate`
struct BackgroundPresetCreate: OwnedCreate {
    var name: String
    var description: String?
    var isPublic: Bool
    var ownerID: UUID?
    var organizationID: UUID?

    static func read(_ reader: ObjectReader) -> BackgroundPresetCreate? {
        let named = NamedFields.read(reader, requireName: true)
        let isPublic = reader.optional("public") { $0.bool() }
        let owner = OwnerFields.read(reader)
        guard let name = named.name else { return nil }
        return BackgroundPresetCreate(
            name: name, description: named.description, isPublic: isPublic ?? false,
            ownerID: owner.ownerID, organizationID: owner.organizationID
        )
    }
}

/// `BackgroundPresetUpdate`: null = no change.
struct BackgroundPresetUpdate: CatalogUpdate {
    var named: NamedFields
    var isPublic: Bool?

    static func read(_ reader: ObjectReader) -> BackgroundPresetUpdate? {
        BackgroundPresetUpdate(named: NamedFields.read(reader, requireName: false), isPublic: reader.optional("public") { $0.bool() })
    }
}

/// `BackgroundPresetPublic`
struct BackgroundPresetPublic: JSONRepresentable {
    var columns: NamedRowColumns
    var isPublic: Bool

    var json: JSONValue { columns.json(extra: ["public": .bool(isPublic)]) }
}

/// `BackgroundPresetsPublic`
typealias BackgroundPresetsPublic = Page<BackgroundPresetPublic>
