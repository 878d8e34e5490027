import Foundation
import Shared

extension ViewAngle: APIEnum {}
extension ShotTypeFraming: APIEnum {}

/// `ShotTypePublic`, field for field.
struct ShotTypePublic: JSONRepresentable {
    var id: UUID
    var name: String
    var viewAngle: String
    var framing: String
    var shotTypeRefImageURL: String?
    var shotTypePromptInstruction: String?
    var fileNamingConvention: String?
    var referenceImageURL: String?
    var prompt: String?
    var promptBuilderSection: String?
    var coreFocus: Bool
    var defaultShotType: String?
    var margins: JSONValue
    var ownerID: UUID?
    var isPublic: Bool
    var organizationID: UUID?
    var createdAt: Date
    var updatedAt: Date
    var deletedAt: Date?

    var json: JSONValue {
        .object([
            "name": .string(name),
            "view_angle": .string(viewAngle),
            "framing": .string(framing),
            "shot_type_ref_image_url": .string(shotTypeRefImageURL),
            "shot_type_prompt_instruction": .string(shotTypePromptInstruction),
            "file_naming_convention": .string(fileNamingConvention),
            "reference_image_url": .string(referenceImageURL),
            "prompt": .string(prompt),
            "prompt_builder_section": .string(promptBuilderSection),
            "core_focus": .bool(coreFocus),
            "default_shot_type": .string(defaultShotType),
            "margins": margins,
            "owner_id": .uuid(ownerID),
            "public": .bool(isPublic),
            "organization_id": .uuid(organizationID),
            "id": .uuid(id),
            "created_at": .date(createdAt),
            "updated_at": .date(updatedAt),
            "deleted_at": .date(deletedAt),
            // Shot types have no linked reference media yet: only `reference_image_url`.
            "reference_image": .null,
        ])
    }
}

/// The fields a create or update may set; in an update each is optional (null = no change).
struct ShotTypeFields: Sendable {
    var name: String?
    var viewAngle: ViewAngle?
    var framing: ShotTypeFraming?
    var shotTypeRefImageURL: String?
    var shotTypePromptInstruction: String?
    var fileNamingConvention: String?
    var referenceImageURL: String?
    var prompt: String?
    var promptBuilderSection: String?
    var coreFocus: Bool?
    var defaultShotType: String?
    var margins: JSONObject?
    var isPublic: Bool?

    static func read(_ reader: ObjectReader, creating: Bool) -> ShotTypeFields {
        let name = { (value: ValueReader) in value.string(minLength: 1, maxLength: 255) }
        let viewAngle = { (value: ValueReader) in value.enumeration(ViewAngle.self) }
        let framing = { (value: ValueReader) in value.enumeration(ShotTypeFraming.self) }
        let url = { (value: ValueReader) in value.string(maxLength: 2048) }
        let text = { (value: ValueReader) in value.string(maxLength: 20_000) }
        let short = { (value: ValueReader) in value.string(maxLength: 255) }
        return ShotTypeFields(
            name: creating ? reader.required("name", name) : reader.optional("name", name),
            viewAngle: creating ? reader.required("view_angle", viewAngle) : reader.optional("view_angle", viewAngle),
            framing: creating ? reader.required("framing", framing) : reader.optional("framing", framing),
            shotTypeRefImageURL: reader.optional("shot_type_ref_image_url", url),
            shotTypePromptInstruction: reader.optional("shot_type_prompt_instruction", text),
            fileNamingConvention: reader.optional("file_naming_convention", short),
            referenceImageURL: reader.optional("reference_image_url", url),
            prompt: reader.optional("prompt", text),
            promptBuilderSection: reader.optional("prompt_builder_section", short),
            coreFocus: reader.optional("core_focus") { $0.bool() },
            defaultShotType: reader.optional("default_shot_type", short),
            margins: reader.optional("margins") { $0.jsonObject() },
            isPublic: reader.optional("public") { $0.bool() }
        )
    }

    var marginsText: String? { margins.map { JSONWriter.string(.object($0)) } }
}

/// `ShotTypeCreate`
struct ShotTypeCreate: OwnedCreate {
    var fields: ShotTypeFields
    var ownerID: UUID?
    var organizationID: UUID?
    var isPublic: Bool { fields.isPublic ?? false }

    static func read(_ reader: ObjectReader) -> ShotTypeCreate? {
        let fields = ShotTypeFields.read(reader, creating: true)
        let owner = OwnerFields.read(reader)
        guard fields.name != nil, fields.viewAngle != nil, fields.framing != nil else { return nil }
        return ShotTypeCreate(fields: fields, ownerID: owner.ownerID, organizationID: owner.organizationID)
    }
}

/// `ShotTypeUpdate`: null = no change.
struct ShotTypeUpdate: CatalogUpdate {
    var fields: ShotTypeFields
    var isPublic: Bool? { fields.isPublic }

    static func read(_ reader: ObjectReader) -> ShotTypeUpdate? {
        ShotTypeUpdate(fields: ShotTypeFields.read(reader, creating: false))
    }
}

/// `ShotTypesPublic`
typealias ShotTypesPublic = Page<ShotTypePublic>
