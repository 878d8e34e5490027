import Foundation
import Logging
import PostgresNIO
import Shared

/// SQL for set designs and their three image lists. Reading a page of designs
/// takes a constant number of round trips: the page, then each child table and
/// the linked media for all designs of the page at once.
struct SetDesignsRepository: Sendable {
    let database: Database
    let signer: MediaURLSigner

    static let table = SetDesignPublic.table

    // MARK: Reading

    /// Designs from their rows, with children and media, URLs signed against `base`.
    static func assemble(
        _ designRows: [PostgresRandomAccessRow], base: String, signer: MediaURLSigner,
        on client: some PostgresQueryable, logger: Logger
    ) async throws -> [SetDesignPublic] {
        var designs = try designRows.map { row in
            SetDesignPublic(
                id: try row.value("id"), createdAt: try row.value("created_at"), updatedAt: try row.value("updated_at"),
                name: try row.value("name"), description: try row.value("description"), ownerID: try row.value("owner_id"),
                organizationID: try row.value("organization_id"), backgroundPresetID: try row.value("background_preset_id")
            )
        }
        guard !designs.isEmpty else { return [] }
        let ids = designs.map(\.id)
        let index = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        let baseImages = try await rows("SELECT * FROM set_base_images WHERE set_design_id = ANY (\(ids)) ORDER BY position, id", client, logger)
        let references = try await rows("SELECT * FROM set_reference_images WHERE set_design_id = ANY (\(ids)) ORDER BY position, id", client, logger)
        let portraits = try await rows("SELECT * FROM subject_portraits WHERE set_design_id = ANY (\(ids)) ORDER BY position, id", client, logger)

        let mediaIDs = try (baseImages + references + portraits).compactMap { try $0.value("image_media_id", as: UUID?.self) }
        var media: [UUID: MediaResourcePublic] = [:]
        if !mediaIDs.isEmpty {
            for row in try await rows("SELECT * FROM media_resources WHERE id = ANY (\(Array(Set(mediaIDs))))", client, logger) {
                let id: UUID = try row.value("id")
                media[id] = try MediaResourcePublic(row: row, url: signer.url(for: id, base: base))
            }
        }
        func image(_ row: PostgresRandomAccessRow) throws -> LinkedImage {
            LinkedImage(url: try row.value("image_url"), media: try row.value("image_media_id", as: UUID?.self).flatMap { media[$0] })
        }
        for row in baseImages {
            designs[index[try row.value("set_design_id")]!].baseImages.append(
                SetBaseImagePublic(
                    id: try row.value("id"), createdAt: try row.value("created_at"), updatedAt: try row.value("updated_at"),
                    subjectID: try row.value("subject_id"), shotTypeID: try row.value("shot_type_id"), image: try image(row)
                )
            )
        }
        for row in references {
            designs[index[try row.value("set_design_id")]!].referenceImages.append(
                SetReferenceImagePublic(
                    id: try row.value("id"), createdAt: try row.value("created_at"), updatedAt: try row.value("updated_at"),
                    shotTypeID: try row.value("shot_type_id"), label: try row.value("label"), image: try image(row)
                )
            )
        }
        for row in portraits {
            designs[index[try row.value("set_design_id")]!].subjectPortraits.append(
                SubjectPortraitPublic(
                    id: try row.value("id"), createdAt: try row.value("created_at"), updatedAt: try row.value("updated_at"),
                    subjectID: try row.value("subject_id"), image: try image(row)
                )
            )
        }
        return designs
    }

    private static func rows(_ query: PostgresQuery, _ client: some PostgresQueryable, _ logger: Logger) async throws -> [PostgresRandomAccessRow] {
        var result: [PostgresRandomAccessRow] = []
        for try await row in try await client.run(query, logger: logger) { result.append(row.makeRandomAccess()) }
        return result
    }

    func find(_ id: UUID, scope: TenantScope, base: String, logger: Logger) async throws -> SetDesignPublic {
        try await Self.find(id, scope: scope, base: base, signer: signer, on: database.client, logger: logger)
    }

    static func find(
        _ id: UUID, scope: TenantScope, base: String, signer: MediaURLSigner, on client: some PostgresQueryable, logger: Logger
    ) async throws -> SetDesignPublic {
        let row = try await TenantRows.find(table, id: id, scope: scope, on: client, logger: logger)
        return try await assemble([row], base: base, signer: signer, on: client, logger: logger)[0]
    }

    func list(scope: TenantScope, ownerID: UUID?, paging: Paging, base: String, logger: Logger) async throws -> Page<SetDesignPublic> {
        let page = try await TenantRows(database: database).list(Self.table, scope: scope, ownerID: ownerID, paging: paging, logger: logger)
        let designs = try await Self.assemble(page.rows, base: base, signer: signer, on: database.client, logger: logger)
        return Page(data: designs, count: page.count)
    }

    // MARK: Writing

    /// 422s for every reference of the request that does not resolve: subjects,
    /// shot types, the background preset and linked media, each at its `loc`.
    static func unresolvedReferences(
        presetID: UUID?, images: SetDesignImages, scope: TenantScope, on connection: PostgresConnection, logger: Logger
    ) async throws -> [ValidationIssue] {
        var subjects: [Reference] = []
        var shotTypes: [Reference] = []
        var media: [Reference] = []
        func mediaReference(_ image: ImageInput, _ loc: [ValidationIssue.Location]) {
            if let id = image.mediaID { media.append(Reference(id: id, loc: loc + ["image", "media_resource_id"])) }
        }
        for (index, item) in (images.baseImages ?? []).enumerated() {
            let loc: [ValidationIssue.Location] = ["body", "base_images", .index(index)]
            subjects.append(Reference(id: item.subjectID, loc: loc + ["subject_id"]))
            shotTypes.append(Reference(id: item.shotTypeID, loc: loc + ["shot_type_id"]))
            mediaReference(item.image, loc)
        }
        for (index, item) in (images.referenceImages ?? []).enumerated() {
            let loc: [ValidationIssue.Location] = ["body", "reference_images", .index(index)]
            shotTypes.append(Reference(id: item.shotTypeID, loc: loc + ["shot_type_id"]))
            mediaReference(item.image, loc)
        }
        for (index, item) in (images.subjectPortraits ?? []).enumerated() {
            let loc: [ValidationIssue.Location] = ["body", "subject_portraits", .index(index)]
            subjects.append(Reference(id: item.subjectID, loc: loc + ["subject_id"]))
            mediaReference(item.image, loc)
        }
        let presets = presetID.map { [Reference(id: $0, loc: ["body", "background_preset_id"])] } ?? []
        var issues: [ValidationIssue] = []
        for (references, table) in [
            (presets, BackgroundPresetPublic.table), (subjects, SubjectPublic.table),
            (shotTypes, ShotTypePublic.table), (media, MediaResourcePublic.table),
        ] {
            issues += try await TenantRows.resolve(references, in: table, scope: scope, on: connection, logger: logger).issues
        }
        return issues
    }

    /// Replaces the lists given (nil = keep) of a design, in the caller's transaction.
    static func replaceImages(_ designID: UUID, with images: SetDesignImages, on connection: PostgresConnection, logger: Logger) async throws {
        if let baseImages = images.baseImages {
            try await connection.query("DELETE FROM set_base_images WHERE set_design_id = \(designID)", logger: logger)
            try await connection.query(
                """
                INSERT INTO set_base_images (set_design_id, subject_id, shot_type_id, image_url, image_media_id, position)
                SELECT \(designID), item.subject_id, item.shot_type_id, nullif(item.url, ''), nullif(item.media, '')::uuid, item.position - 1
                FROM unnest(\(baseImages.map(\.subjectID))::uuid[], \(baseImages.map(\.shotTypeID))::uuid[],
                            \(baseImages.map { $0.image.url ?? "" })::text[], \(baseImages.map { $0.image.mediaID?.uuidString ?? "" })::text[])
                     WITH ORDINALITY AS item (subject_id, shot_type_id, url, media, position)
                """,
                logger: logger
            )
        }
        if let references = images.referenceImages {
            try await connection.query("DELETE FROM set_reference_images WHERE set_design_id = \(designID)", logger: logger)
            try await connection.query(
                """
                INSERT INTO set_reference_images (set_design_id, shot_type_id, label, image_url, image_media_id, position)
                SELECT \(designID), item.shot_type_id, CASE WHEN item.has_label THEN item.label END,
                       nullif(item.url, ''), nullif(item.media, '')::uuid, item.position - 1
                FROM unnest(\(references.map(\.shotTypeID))::uuid[], \(references.map { $0.label != nil })::boolean[],
                            \(references.map { $0.label ?? "" })::text[], \(references.map { $0.image.url ?? "" })::text[],
                            \(references.map { $0.image.mediaID?.uuidString ?? "" })::text[])
                     WITH ORDINALITY AS item (shot_type_id, has_label, label, url, media, position)
                """,
                logger: logger
            )
        }
        if let portraits = images.subjectPortraits {
            try await connection.query("DELETE FROM subject_portraits WHERE set_design_id = \(designID)", logger: logger)
            try await connection.query(
                """
                INSERT INTO subject_portraits (set_design_id, subject_id, image_url, image_media_id, position)
                SELECT \(designID), item.subject_id, nullif(item.url, ''), nullif(item.media, '')::uuid, item.position - 1
                FROM unnest(\(portraits.map(\.subjectID))::uuid[], \(portraits.map { $0.image.url ?? "" })::text[],
                            \(portraits.map { $0.image.mediaID?.uuidString ?? "" })::text[])
                     WITH ORDINALITY AS item (subject_id, url, media, position)
                """,
                logger: logger
            )
        }
    }
}
