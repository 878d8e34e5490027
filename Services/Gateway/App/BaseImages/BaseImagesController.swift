import Foundation
import Hummingbird
import NIOPosix
import Shared

/// Base images placed by name before an upload, or by hand after one
/// (CONTRACT §11): the match preview and the assign route, mounted at
/// `set-designs` next to the upload. The matching is the worker's own
/// (`ArchiveMatcher` over `MatchCandidates`), and so are the slot writes
/// (`BaseImageSlots`).
struct BaseImagesController {
    let database: Database
    let signer: MediaURLSigner
    /// A preview counts as one of its user's uploads: it is CPU work sized by the client.
    let slots: UploadSlots

    var endpoints: RouteCollection<AuthenticatedContext> {
        let routes = RouteCollection(context: AuthenticatedContext.self)
        routes.post(":id/base-images/match-preview", use: preview)
        routes.post(":id/base-images/assign", use: assign)
        return routes
    }

    /// How the task would place an archive of these names, from the names
    /// alone: same candidates, precedence and path order as the worker.
    @Sendable func preview(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (designID, subject, body, scope) = try await context.scoped(request, id: "id") {
            (.some($0.optionalQueryUUID("subject_id")), try await $0.jsonBody(MatchPreviewRequest.self, upTo: MatchPreviewRequest.maxBodyBytes))
        }
        let logger = context.logger
        let tenant = try await UploadTasksController.visibleDesign(designID, subject: subject, scope: scope, database: database, logger: logger)
        let matcher = try await MatchCandidates.matcher(
            ownerID: tenant.ownerID, organizationID: tenant.organizationID, subjectID: subject, client: database.client, logger: logger
        )
        let filled = try await BaseImageSlots.filled(inDesign: designID, client: database.client, logger: logger)
        // A name ending in a separator is a folder's entry: the task counts files only.
        let files = body.files.filter { !$0.hasSuffix("/") && !$0.hasSuffix("\\") }
        // Off the event loops: 10,000 names are milliseconds of work each loop's other connections would wait for.
        let (placements, unmatched) = try await slots.withSlot(for: context.user.id) {
            try await NIOThreadPool.singleton.runIfActive {
                var walk = matcher
                return (walk.placeAll(files) { $0 }, walk.unmatchedShotTypes)
            }
        }
        let names = Dictionary(matcher.shotTypes.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        return JSONResponse(BaseImagesMatchPreview(placements: placements, shotTypeNames: names, filled: filled, unmatchedShotTypes: unmatched))
    }

    /// Places one stored image (a task's kept image, or any media the caller
    /// sees) into a slot, replacing what was there: the checks of a design update.
    @Sendable func assign(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (designID, body, scope) = try await context.scoped(request, id: "id") { try await $0.jsonBody(BaseImageAssign.self) }
        let logger = context.logger
        let slot = Slot(subjectID: body.subjectID, shotTypeID: body.shotTypeID)
        let (placed, media) = try await database.transaction { connection in
            try await TenantRows.lockForChange(SetDesignsRepository.table, id: designID, scope: scope, on: connection, logger: logger)
            var issues: [ValidationIssue] = []
            for (id, field, table) in [
                (body.subjectID, "subject_id", SubjectsRepository.table), (body.shotTypeID, "shot_type_id", ShotTypesRepository.table),
                (body.mediaID, "media_resource_id", MediaRepository.table),
            ] {
                let reference = Reference(id: id, loc: ["body", .key(field)])
                issues += try await TenantRows.resolve([reference], in: table, scope: scope, on: connection, logger: logger).issues
            }
            guard issues.isEmpty else { throw APIError.validation(issues) }
            let placed = try await BaseImageSlots.place([(slot, body.mediaID)], inDesign: designID, on: connection, logger: logger)
            return (placed[slot], try await MediaRepository.records(ids: [body.mediaID], on: connection, logger: logger).first)
        }
        guard let placed, let media else { throw APIError.notFound("Set design not found") }
        let linked = MediaResourcePublic(record: media, url: signer.url(for: media.id, base: signer.baseURL(of: request)))
        let image = SetBaseImagePublic(
            id: placed.baseImageID, createdAt: placed.createdAt, updatedAt: placed.updatedAt, subjectID: body.subjectID,
            shotTypeID: body.shotTypeID, image: LinkedImage(url: nil, mediaID: media.id, media: linked)
        )
        return JSONResponse(SetBaseImageAssigned(image: image, replaced: placed.replaced))
    }
}
