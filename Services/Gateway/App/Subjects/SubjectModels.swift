import Foundation
import Shared

/// `SubjectCreate`
struct SubjectCreate: OwnedCreate {
    var named: NamedFields
    var owner: OwnerFields
    var ownerID: UUID? { owner.ownerID }
    var organizationID: UUID? { owner.organizationID }

    static func read(_ reader: ObjectReader) -> SubjectCreate? {
        let named = NamedFields.read(reader, requireName: true)
        let owner = OwnerFields.read(reader)
        return named.name == nil ? nil : SubjectCreate(named: named, owner: owner)
    }
}

/// `SubjectUpdate`: null = no change.
struct SubjectUpdate: CatalogUpdate {
    var named: NamedFields

    static func read(_ reader: ObjectReader) -> SubjectUpdate? {
        SubjectUpdate(named: NamedFields.read(reader, requireName: false))
    }
}

/// `SubjectPublic`
struct SubjectPublic: JSONRepresentable {
    var columns: NamedRowColumns

    var json: JSONValue { columns.json() }
}

/// `SubjectsPublic`
typealias SubjectsPublic = Page<SubjectPublic>
