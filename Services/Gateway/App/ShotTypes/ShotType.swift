import Foundation
import PostgresNIO
import Shared

extension ViewAngle: APIEnum {}
extension ShotTypeFraming: APIEnum {}

/// `/api/v1/shot-types/`: `ShotTypePublic`, field for field. Deletes are soft;
/// public shot types are seen by everyone, made public only by superusers and
/// changed only by those who see them without the flag.
struct ShotTypePublic: CatalogResource {
    static let table = TenantTable(name: "shot_types", noun: "Shot type", hasPublicFlag: true, softDeletes: true)

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

    init(row: PostgresRandomAccessRow) throws {
        id = try row.value("id")
        name = try row.value("name")
        viewAngle = try row.value("view_angle")
        framing = try row.value("framing")
        shotTypeRefImageURL = try row.value("shot_type_ref_image_url")
        shotTypePromptInstruction = try row.value("shot_type_prompt_instruction")
        fileNamingConvention = try row.value("file_naming_convention")
        referenceImageURL = try row.value("reference_image_url")
        prompt = try row.value("prompt")
        promptBuilderSection = try row.value("prompt_builder_section")
        coreFocus = try row.value("core_focus")
        defaultShotType = try row.value("default_shot_type")
        margins = try row.value("margins", as: String?.self).flatMap { try? JSONParser.parse(Array($0.utf8)) } ?? .null
        ownerID = try row.value("owner_id")
        isPublic = try row.value("public")
        organizationID = try row.value("organization_id")
        createdAt = try row.value("created_at")
        updatedAt = try row.value("updated_at")
        deletedAt = try row.value("deleted_at")
    }

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

    /// The fields a create or update may set; in an update each is optional (null = no change).
    struct Fields {
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

        static func read(_ reader: ObjectReader, creating: Bool) -> Fields {
            let name = { (value: ValueReader) in value.string(minLength: 1, maxLength: 255) }
            let viewAngle = { (value: ValueReader) in value.enumeration(ViewAngle.self) }
            let framing = { (value: ValueReader) in value.enumeration(ShotTypeFraming.self) }
            let url = { (value: ValueReader) in value.string(maxLength: 2048) }
            let text = { (value: ValueReader) in value.string(maxLength: 20_000) }
            let short = { (value: ValueReader) in value.string(maxLength: 255) }
            return Fields(
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

    struct Create: OwnedCreate {
        var fields: Fields
        var ownerID: UUID?
        var organizationID: UUID?
        var isPublic: Bool { fields.isPublic ?? false }

        static func read(_ reader: ObjectReader) -> Create? {
            let fields = Fields.read(reader, creating: true)
            let owner = OwnerFields.read(reader)
            guard fields.name != nil, fields.viewAngle != nil, fields.framing != nil else { return nil }
            return Create(fields: fields, ownerID: owner.ownerID, organizationID: owner.organizationID)
        }
    }

    struct Update: CatalogUpdate {
        var fields: Fields
        var isPublic: Bool? { fields.isPublic }

        static func read(_ reader: ObjectReader) -> Update? {
            Update(fields: Fields.read(reader, creating: false))
        }
    }

    static func insert(_ body: Create, owner: Ownership, in write: CatalogWrite) async throws -> UUID {
        let fields = body.fields
        return try await write.connection.query(
            """
            INSERT INTO shot_types (
                name, view_angle, framing, shot_type_ref_image_url, shot_type_prompt_instruction,
                file_naming_convention, reference_image_url, prompt, prompt_builder_section, core_focus,
                default_shot_type, margins, public, owner_id, organization_id
            ) VALUES (
                \(fields.name), \(fields.viewAngle?.rawValue)::view_angle, \(fields.framing?.rawValue)::shot_type_framing,
                \(fields.shotTypeRefImageURL), \(fields.shotTypePromptInstruction),
                \(fields.fileNamingConvention), \(fields.referenceImageURL), \(fields.prompt), \(fields.promptBuilderSection),
                \(fields.coreFocus ?? false), \(fields.defaultShotType), \(fields.marginsText)::jsonb, \(fields.isPublic ?? false),
                \(owner.ownerID), \(owner.organizationID)
            )
            RETURNING id
            """,
            logger: write.logger
        ).one(UUID.self)
    }

    static func update(_ id: UUID, with body: Update, in write: CatalogWrite) async throws {
        let fields = body.fields
        try await write.connection.query(
            """
            UPDATE shot_types SET
                name = coalesce(\(fields.name), name),
                view_angle = coalesce(\(fields.viewAngle?.rawValue)::view_angle, view_angle),
                framing = coalesce(\(fields.framing?.rawValue)::shot_type_framing, framing),
                shot_type_ref_image_url = coalesce(\(fields.shotTypeRefImageURL), shot_type_ref_image_url),
                shot_type_prompt_instruction = coalesce(\(fields.shotTypePromptInstruction), shot_type_prompt_instruction),
                file_naming_convention = coalesce(\(fields.fileNamingConvention), file_naming_convention),
                reference_image_url = coalesce(\(fields.referenceImageURL), reference_image_url),
                prompt = coalesce(\(fields.prompt), prompt),
                prompt_builder_section = coalesce(\(fields.promptBuilderSection), prompt_builder_section),
                core_focus = coalesce(\(fields.coreFocus), core_focus),
                default_shot_type = coalesce(\(fields.defaultShotType), default_shot_type),
                margins = coalesce(\(fields.marginsText)::jsonb, margins),
                public = coalesce(\(fields.isPublic), public),
                updated_at = now()
            WHERE id = \(id)
            """,
            logger: write.logger
        )
    }
}
