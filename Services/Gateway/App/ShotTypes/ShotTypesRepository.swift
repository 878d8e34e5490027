import Foundation
import Shared

/// `/api/v1/shot-types/`: SQL for `shot_types`. Deletes are soft; public shot
/// types are seen by everyone, made public only by superusers and changed only
/// by those who see them without the flag.
struct ShotTypesRepository: CatalogRepository {
    static let table = TenantTable(name: "shot_types", noun: "Shot type", hasPublicFlag: true, softDeletes: true)
    static let reader = RowReader(
        columns: """
            t.id, t.name, t.view_angle, t.framing, t.shot_type_ref_image_url, t.shot_type_prompt_instruction,
            t.file_naming_convention, t.reference_image_url, t.prompt, t.prompt_builder_section, t.core_focus,
            t.default_shot_type, t.margins, t.owner_id, t.public, t.organization_id, t.created_at, t.updated_at, t.deleted_at
            """
    ) { cells in
        let (id, name, viewAngle, framing, refImageURL, promptInstruction) = try cells.decode(
            (UUID, String, String, String, String?, String?).self
        )
        let (fileNamingConvention, referenceImageURL, prompt, promptBuilderSection, coreFocus) = try cells.decode(
            (String?, String?, String?, String?, Bool).self
        )
        let (defaultShotType, margins, ownerID, isPublic, organizationID, createdAt, updatedAt, deletedAt) = try cells.decode(
            (String?, String?, UUID?, Bool, UUID?, Date, Date, Date?).self
        )
        return ShotTypePublic(
            id: id, name: name, viewAngle: viewAngle, framing: framing, shotTypeRefImageURL: refImageURL,
            shotTypePromptInstruction: promptInstruction, fileNamingConvention: fileNamingConvention,
            referenceImageURL: referenceImageURL, prompt: prompt, promptBuilderSection: promptBuilderSection,
            coreFocus: coreFocus, defaultShotType: defaultShotType,
            margins: margins.flatMap { try? JSONParser.parse(Array($0.utf8)) } ?? .null,
            ownerID: ownerID, isPublic: isPublic, organizationID: organizationID,
            createdAt: createdAt, updatedAt: updatedAt, deletedAt: deletedAt
        )
    }

    let database: Database

    func insert(_ body: ShotTypeCreate, owner: Ownership, in write: CatalogWrite) async throws -> UUID {
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

    func update(_ id: UUID, with body: ShotTypeUpdate, in write: CatalogWrite) async throws {
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
