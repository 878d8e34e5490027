import Foundation
import Logging
import PostgresNIO
import Shared

/// SQL for set designs and their three image lists, and for the completion
/// requests made of them. Reading a page of designs takes a constant number of
/// round trips: the page, then each child table and the linked media for all
/// designs of the page at once.
struct SetDesignsRepository: Sendable {
    let database: Database
    let signer: MediaURLSigner

    static let table = TenantTable(name: "set_designs", noun: "Set design")
    /// A design without its image lists.
    static let reader = RowReader(
        columns: "t.id, t.created_at, t.updated_at, t.name, t.description, t.owner_id, t.organization_id, t.background_preset_id"
    ) { cells in
        let (id, createdAt, updatedAt, name, description, ownerID, organizationID, presetID) = try cells.decode(
            (UUID, Date, Date, String, String?, UUID, UUID?, UUID?).self
        )
        return SetDesignPublic(
            id: id, createdAt: createdAt, updatedAt: updatedAt, name: name, description: description, ownerID: ownerID,
            organizationID: organizationID, backgroundPresetID: presetID
        )
    }

    /// One image of a design, as `imagesJoin` gives it: which list it belongs
    /// to, and the columns of all three lists side by side (NULL where a list
    /// has no such column).
    static let imageReader = RowReader(
        columns: "i.kind, i.id, i.created_at, i.updated_at, i.subject_id, i.shot_type_id, i.label, i.image_url, i.image_media_id"
    ) { cells in
        let (kind, id, createdAt, updatedAt, subjectID, shotTypeID, label, url, mediaID) = try cells.decode(
            (Int32?, UUID?, Date?, Date?, UUID?, UUID?, String?, String?, UUID?).self
        )
        guard let kind, let id, let createdAt, let updatedAt else { return DesignImage.none }
        let image = LinkedImage(url: url, mediaID: mediaID)
        switch (kind, subjectID, shotTypeID) {
        case (0, let subjectID?, let shotTypeID?):
            return .base(
                SetBaseImagePublic(
                    id: id, createdAt: createdAt, updatedAt: updatedAt, subjectID: subjectID, shotTypeID: shotTypeID, image: image
                )
            )
        case (1, _, let shotTypeID?):
            return .reference(
                SetReferenceImagePublic(id: id, createdAt: createdAt, updatedAt: updatedAt, shotTypeID: shotTypeID, label: label, image: image)
            )
        case (2, let subjectID?, _):
            return .portrait(SubjectPortraitPublic(id: id, createdAt: createdAt, updatedAt: updatedAt, subjectID: subjectID, image: image))
        default:
            throw UnknownImageKind(kind: kind)
        }
    }

    enum DesignImage {
        case none
        case base(SetBaseImagePublic)
        case reference(SetReferenceImagePublic)
        case portrait(SubjectPortraitPublic)
    }

    struct UnknownImageKind: Error {
        var kind: Int32
    }

    /// The images of each design `t`: one row per image, or one row of NULLs
    /// for a design without any.
    static let imagesJoin = """
        LEFT JOIN LATERAL (
            SELECT 0 AS kind, c.id, c.created_at, c.updated_at, c.subject_id, c.shot_type_id, NULL::text AS label,
                   c.image_url, c.image_media_id, c.position
            FROM set_base_images c WHERE c.set_design_id = t.id
            UNION ALL
            SELECT 1, c.id, c.created_at, c.updated_at, NULL, c.shot_type_id, c.label, c.image_url, c.image_media_id, c.position
            FROM set_reference_images c WHERE c.set_design_id = t.id
            UNION ALL
            SELECT 2, c.id, c.created_at, c.updated_at, c.subject_id, NULL, NULL, c.image_url, c.image_media_id, c.position
            FROM subject_portraits c WHERE c.set_design_id = t.id
        ) i ON true
        """
    /// The order of a design's images: each list in its stored order.
    static let imageOrder = "i.kind, i.position, i.id"

    /// Reads designs from rows of the design's columns, `extraColumns` more
    /// (read by `readExtra` from each design's first row), the image's
    /// columns and, when `mediaInRows`, its media's: the rows of one design
    /// together, its images in order. Media URLs are signed against `base`,
    /// once per media; without `mediaInRows` the images keep their media ids
    /// for `link`.
    private static func designs(
        from rows: [PostgresRow], base: String, signer: MediaURLSigner, mediaInRows: Bool = true,
        extraColumns: Int = 0, readExtra: (inout RowCells) throws -> Void = { _ in }
    ) throws -> [SetDesignPublic] {
        var designs: [SetDesignPublic] = []
        var media: [UUID: MediaResourcePublic] = [:]
        for row in rows {
            var cells = RowCells(row)
            if let last = designs.last, try cells.peek(UUID.self) == last.id {
                try cells.skip(reader.columnCount + extraColumns)
            } else {
                designs.append(try reader.read(&cells))
                try readExtra(&cells)
            }
            let image = try imageReader.read(&cells)
            var linked: MediaResourcePublic?
            if mediaInRows {
                if let mediaID = try cells.peek(UUID?.self) {
                    if let known = media[mediaID] {
                        linked = known
                        try cells.skip(MediaRepository.reader.columnCount)
                    } else {
                        let record = try MediaRepository.reader.read(&cells)
                        linked = MediaResourcePublic(record: record, url: signer.url(for: mediaID, base: base))
                        media[mediaID] = linked
                    }
                } else {
                    try cells.skip(MediaRepository.reader.columnCount)
                }
            }
            try cells.requireEnd()
            let last = designs.count - 1
            switch image {
            case .none: break
            case .base(var item):
                item.image.media = linked
                designs[last].baseImages.append(item)
            case .reference(var item):
                item.image.media = linked
                designs[last].referenceImages.append(item)
            case .portrait(var item):
                item.image.media = linked
                designs[last].subjectPortraits.append(item)
            }
        }
        return designs
    }

    /// Fills in the media the designs' images link, read once each.
    private static func link(
        _ designs: inout [SetDesignPublic], base: String, signer: MediaURLSigner, on client: some PostgresQueryable, logger: Logger
    ) async throws {
        var ids = Set<UUID>()
        for design in designs {
            for image in design.baseImages { if let id = image.image.mediaID { ids.insert(id) } }
            for image in design.referenceImages { if let id = image.image.mediaID { ids.insert(id) } }
            for image in design.subjectPortraits { if let id = image.image.mediaID { ids.insert(id) } }
        }
        guard !ids.isEmpty else { return }
        var media: [UUID: MediaResourcePublic] = [:]
        for record in try await MediaRepository.records(ids: Array(ids), on: client, logger: logger) {
            media[record.id] = MediaResourcePublic(record: record, url: signer.url(for: record.id, base: base))
        }
        func linked(_ image: LinkedImage) -> LinkedImage {
            var image = image
            image.media = image.mediaID.flatMap { media[$0] }
            return image
        }
        for index in designs.indices {
            for item in designs[index].baseImages.indices { designs[index].baseImages[item].image = linked(designs[index].baseImages[item].image) }
            for item in designs[index].referenceImages.indices {
                designs[index].referenceImages[item].image = linked(designs[index].referenceImages[item].image)
            }
            for item in designs[index].subjectPortraits.indices {
                designs[index].subjectPortraits[item].image = linked(designs[index].subjectPortraits[item].image)
            }
        }
    }

    func find(_ id: UUID, scope: TenantScope, base: String, logger: Logger) async throws -> SetDesignPublic {
        try await Self.find(id, scope: scope, base: base, signer: signer, on: database.client, logger: logger)
    }

    private static func find(
        _ id: UUID, scope: TenantScope, base: String, signer: MediaURLSigner, on client: some PostgresQueryable, logger: Logger
    ) async throws -> SetDesignPublic {
        let rows = try await client.rows(FindDesign(id: id, scope: scope), logger: logger)
        guard let design = try designs(from: rows, base: base, signer: signer).first else {
            throw APIError.notFound("\(table.noun) not found")
        }
        return design
    }

    /// A visible design, one row per image.
    struct FindDesign: PreparedStatement {
        var id: UUID
        var scope: TenantScope

        static let placeholder = FindDesign(id: UUID(), scope: .placeholder)
        var query: PostgresQuery {
            """
            SELECT \(unescaped: reader.columns), \(unescaped: imageReader.columns), m.*
            FROM set_designs t \(unescaped: imagesJoin) \(unescaped: MediaRepository.linkedJoin(alias: "m", on: "i.image_media_id"))
            WHERE t.id = \(id) AND \(visible: table, in: scope)
            ORDER BY \(unescaped: imageOrder)
            """
        }
    }

    /// A page of designs with their images, and the count of all visible
    /// ones, then the media they link: two statements. Joined in the page's
    /// statement, each media's columns would come again with every image that
    /// links it, and every design's with each of its images.
    func list(scope: TenantScope, ownerID: UUID?, paging: Paging, base: String, logger: Logger) async throws -> SetDesignsPublic {
        let rows = try await database.client.rows(DesignPage(scope: scope, ownerID: ownerID, paging: paging), logger: logger)
        var total: Int?
        var designs = try Self.designs(from: rows, base: base, signer: signer, mediaInRows: false, extraColumns: 1) {
            total = try $0.next(Int.self)
        }
        try await Self.link(&designs, base: base, signer: signer, on: database.client, logger: logger)
        guard let total else {
            let count = try await TenantRows(database: database).count(Self.table, scope: scope, ownerID: ownerID, paging: paging, logger: logger)
            return SetDesignsPublic(data: designs, count: count)
        }
        return SetDesignsPublic(data: designs, count: total)
    }

    /// A page of visible designs with `total`, one row per image.
    struct DesignPage: PreparedStatement {
        var scope: TenantScope
        var ownerID: UUID?
        var paging: Paging

        static let placeholder = DesignPage(scope: .placeholder, ownerID: nil, paging: Paging(skip: 0, limit: 1))
        var query: PostgresQuery {
            """
            SELECT \(unescaped: reader.columns), t.total, \(unescaped: imageReader.columns)
            FROM (\(pageOf: table, in: scope, ownerID: ownerID, paging: paging)) t
            \(unescaped: imagesJoin)
            ORDER BY \(unescaped: TenantRows.pageOrder), \(unescaped: imageOrder)
            """
        }
    }

    // MARK: Writing

    /// Creates the design with its image lists after every reference resolves.
    func create(_ body: SetDesignCreate, scope: TenantScope, base: String, logger: Logger) async throws -> SetDesignPublic {
        let signer = self.signer
        return try await database.transaction { connection in
            let owner = try await scope.existingOwnership(
                requestedOwnerID: body.ownerID, requestedOrganizationID: body.organizationID, on: connection, logger: logger
            )
            let issues = try await Self.unresolvedReferences(
                presetID: body.backgroundPresetID, images: body.images, scope: scope, on: connection, logger: logger
            )
            guard issues.isEmpty else { throw APIError.validation(issues) }
            let id = try await connection.query(
                """
                INSERT INTO set_designs (name, description, background_preset_id, owner_id, organization_id)
                VALUES (\(body.name), \(body.description), \(body.backgroundPresetID), \(owner.ownerID), \(owner.organizationID))
                RETURNING id
                """,
                logger: logger
            ).one(UUID.self)
            try await Self.replaceImages(id, with: body.images, on: connection, logger: logger)
            return try await Self.find(id, scope: scope, base: base, signer: signer, on: connection, logger: logger)
        }
    }

    /// Updates a design the caller may change (null = keep, a list = replace);
    /// after a transfer the design is read in its new organization.
    func update(_ id: UUID, with body: SetDesignUpdate, scope: TenantScope, base: String, logger: Logger) async throws -> SetDesignPublic {
        let (signer, viewer) = (self.signer, scope.viewer)
        return try await database.transaction { connection in
            // Only a superuser may name a new owner; anyone else may only repeat
            // the current one, which exists, and gets a 403 for any other id.
            try await scope.requireExisting(
                ownerID: viewer.isSuperuser ? body.ownerID : nil, organizationID: body.organizationID, organizationIn: "body",
                on: connection, logger: logger
            )
            let current = try await TenantRows.lockForChange(Self.table, id: id, scope: scope, on: connection, logger: logger)
            try scope.authorizeChange(of: current, ownerID: body.ownerID, isPublic: nil)
            let issues = try await Self.unresolvedReferences(
                presetID: body.backgroundPresetID, images: body.images, scope: scope, on: connection, logger: logger
            )
            guard issues.isEmpty else { throw APIError.validation(issues) }
            try await connection.query(
                """
                UPDATE set_designs SET
                    name = coalesce(\(body.name), name),
                    description = coalesce(\(body.description), description),
                    background_preset_id = coalesce(\(body.backgroundPresetID), background_preset_id),
                    owner_id = coalesce(\(body.ownerID), owner_id),
                    organization_id = coalesce(\(body.organizationID), organization_id),
                    updated_at = clock_timestamp()
                WHERE id = \(id)
                """,
                logger: logger
            )
            try await Self.replaceImages(id, with: body.images, on: connection, logger: logger)
            let readScope = try TenantScope(viewer: viewer, organizationID: body.organizationID ?? scope.organizationID)
            return try await Self.find(id, scope: readScope, base: base, signer: signer, on: connection, logger: logger)
        }
    }

    /// Locks a design the caller may delete, in the caller's transaction.
    static func lockForDelete(_ id: UUID, scope: TenantScope, on connection: PostgresConnection, logger: Logger) async throws {
        try await TenantRows.lockForChange(table, id: id, scope: scope, on: connection, logger: logger)
    }

    /// Deletes a locked design; its images and upload tasks go with it (ON DELETE CASCADE).
    static func delete(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("DELETE FROM set_designs WHERE id = \(id)", logger: logger)
    }

    /// Stores a completion request, tells `LISTEN operators` at once, and
    /// queues the webhook message (when one is configured) in the same
    /// transaction; the worker delivers it.
    func requestCompletion(
        of designID: UUID, _ body: SetDesignCompletionRequest, scope: TenantScope, queueWebhook: Bool, logger: Logger
    ) async throws {
        let user = scope.viewer
        try await database.transaction { connection in
            let design = try await TenantRows.find(Self.table, Self.reader, id: designID, scope: scope, on: connection, logger: logger)
            let subjects = try await TenantRows.resolve(
                body.subjectIDs.enumerated().map { Reference(id: $1, loc: ["body", "subject_ids", .index($0)]) },
                in: SubjectsRepository.table, scope: scope, on: connection, logger: logger
            )
            let shotTypes = try await TenantRows.resolve(
                body.shotTypeIDs.enumerated().map { Reference(id: $1, loc: ["body", "shot_type_ids", .index($0)]) },
                in: ShotTypesRepository.table, scope: scope, on: connection, logger: logger
            )
            guard subjects.issues.isEmpty, shotTypes.issues.isEmpty else {
                throw APIError.validation(subjects.issues + shotTypes.issues)
            }
            let requestID = try await connection.query(
                """
                INSERT INTO completion_requests (set_design_id, requested_by, subject_ids, shot_type_ids)
                VALUES (\(designID), \(user.id), \(body.subjectIDs), \(body.shotTypeIDs))
                RETURNING id
                """,
                logger: logger
            ).one(UUID.self)
            if queueWebhook {
                let text = OperatorMessage.completionRequested(
                    designName: design.name, designID: designID, requester: user.email,
                    subjects: body.subjectIDs.compactMap { subjects.labels[$0] },
                    shotTypes: body.shotTypeIDs.compactMap { shotTypes.labels[$0] }
                )
                try await connection.query(
                    """
                    INSERT INTO operator_notifications (completion_request_id, payload)
                    VALUES (\(requestID), \(JSONWriter.string(["text": .string(text)]))::jsonb)
                    """,
                    logger: logger
                )
            }
            // Ids and counts only: NOTIFY payloads are capped at 8000 bytes.
            let payload: JSONValue = [
                "event": "completion_requested", "completion_request_id": .uuid(requestID), "set_design_id": .uuid(designID),
                "requested_by": .uuid(user.id), "subject_count": .int(body.subjectIDs.count),
                "shot_type_count": .int(body.shotTypeIDs.count),
            ]
            try await connection.query("SELECT pg_notify('operators', \(JSONWriter.string(payload)))", logger: logger)
        }
    }

    /// 422s for every reference of the request that does not resolve: subjects,
    /// shot types, the background preset and linked media, each at its `loc`.
    private static func unresolvedReferences(
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
            (presets, BackgroundPresetsRepository.table), (subjects, SubjectsRepository.table),
            (shotTypes, ShotTypesRepository.table), (media, MediaRepository.table),
        ] {
            issues += try await TenantRows.resolve(references, in: table, scope: scope, on: connection, logger: logger).issues
        }
        return issues
    }

    /// Replaces the lists given (nil = keep) of a design, in the caller's transaction.
    private static func replaceImages(_ designID: UUID, with images: SetDesignImages, on connection: PostgresConnection, logger: Logger) async throws {
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
