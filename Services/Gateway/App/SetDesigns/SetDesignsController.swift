import Foundation
import Hummingbird
import PostgresNIO
import Shared

/// `/api/v1/set-designs`: set-designs-endpoints.txt, except the upload and task routes.
struct SetDesignsController {
    let repository: SetDesignsRepository
    /// Upload archives of deleted designs are removed from here.
    let blobs: any BlobStore
    /// Completion requests queue a webhook delivery only when one is configured.
    let operatorsWebhookConfigured: Bool

    var database: Database { repository.database }
    var signer: MediaURLSigner { repository.signer }

    var endpoints: RouteCollection<AuthenticatedContext> {
        let routes = RouteCollection(context: AuthenticatedContext.self)
        routes.post("", use: create)
        routes.get("", use: list)
        routes.get(":id", use: read)
        routes.put(":id", use: update)
        routes.delete(":id", use: delete)
        routes.get(":id/base-image", use: findBaseImage)
        routes.post(":id/request-completion", use: requestCompletion)
        return routes
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let organizationID = input.queryUUID("organization_id")
        let body = try input.validated(try await input.jsonBody(SetDesignCreate.self))
        let repeats = body.images.repeats()
        guard repeats.isEmpty else { throw APIError.validation(repeats) }
        let scope = try context.scope(organizationID: organizationID)
        let (logger, base, signer) = (context.logger, signer.baseURL(of: request), signer)
        let design = try await database.transaction { connection in
            let owner = try await scope.existingOwnership(
                requestedOwnerID: body.ownerID, requestedOrganizationID: body.organizationID, on: connection, logger: logger
            )
            let issues = try await SetDesignsRepository.unresolvedReferences(
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
            try await SetDesignsRepository.replaceImages(id, with: body.images, on: connection, logger: logger)
            return try await SetDesignsRepository.find(id, scope: scope, base: base, signer: signer, on: connection, logger: logger)
        }
        return JSONResponse(design)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let organizationID = input.queryUUID("organization_id")
        let ownerID = input.queryUUID("owner_id")
        let paging = input.paging()
        try input.check()
        let scope = try context.scope(organizationID: organizationID)
        return JSONResponse(
            try await repository.list(scope: scope, ownerID: ownerID, paging: paging, base: signer.baseURL(of: request), logger: context.logger)
        )
    }

    @Sendable func read(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (id, scope) = try designAndScope(request, context: context)
        return JSONResponse(try await repository.find(id, scope: scope, base: signer.baseURL(of: request), logger: context.logger))
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let id = input.pathUUID("id")
        let organizationID = input.queryUUID("organization_id")
        let (designID, body) = try input.validated(id, try await input.jsonBody(SetDesignUpdate.self))
        let repeats = body.images.repeats()
        guard repeats.isEmpty else { throw APIError.validation(repeats) }
        let scope = try context.scope(organizationID: organizationID)
        let viewer = context.user
        // A transfer needs membership of the target too (of the source, to see the design at all).
        if let target = body.organizationID, !viewer.isSuperuser, !viewer.isMember(of: target) {
            throw APIError.forbidden("Not a member of the organization to transfer to")
        }
        let (logger, base, signer) = (context.logger, signer.baseURL(of: request), signer)
        let design = try await database.transaction { connection in
            // Only a superuser may name a new owner; anyone else may only repeat
            // the current one, which exists, and gets a 403 for any other id.
            try await scope.requireExisting(
                ownerID: viewer.isSuperuser ? body.ownerID : nil, organizationID: body.organizationID, organizationIn: "body",
                on: connection, logger: logger
            )
            let current = try await TenantRows.lockForChange(SetDesignsRepository.table, id: designID, scope: scope, on: connection, logger: logger)
            try scope.authorizeChange(of: current, ownerID: body.ownerID, isPublic: nil)
            let issues = try await SetDesignsRepository.unresolvedReferences(
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
                WHERE id = \(designID)
                """,
                logger: logger
            )
            try await SetDesignsRepository.replaceImages(designID, with: body.images, on: connection, logger: logger)
            // After a transfer the design is read in its new organization.
            let readScope = try TenantScope(viewer: viewer, organizationID: body.organizationID ?? scope.organizationID)
            return try await SetDesignsRepository.find(designID, scope: readScope, base: base, signer: signer, on: connection, logger: logger)
        }
        return JSONResponse(design)
    }

    /// Deletes the design with its images and upload tasks, then the archives
    /// those tasks still held (a worker busy with one stops at its next write).
    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (id, scope) = try designAndScope(request, context: context)
        let logger = context.logger
        let archives = try await database.transaction { connection in
            try await TenantRows.lockForChange(SetDesignsRepository.table, id: id, scope: scope, on: connection, logger: logger)
            let keys = try await UploadTaskStore.archiveKeys(ofSetDesign: id, on: connection, logger: logger)
            try await connection.query("DELETE FROM set_designs WHERE id = \(id)", logger: logger)
            return keys
        }
        for key in archives {
            do { try await blobs.delete(key) } catch {
                logger.warning("deleting an upload archive failed", metadata: ["blob_key": "\(key)", "error": "\(error)"])
            }
        }
        return JSONResponse(Message("Set design deleted successfully"))
    }

    @Sendable func findBaseImage(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let id = input.pathUUID("id")
        let organizationID = input.queryUUID("organization_id")
        let subjectID = input.requiredQueryUUID("subject_id")
        let shotTypeID = input.requiredQueryUUID("shot_type_id")
        let (designID, subject, shotType) = try input.validated(id, subjectID, shotTypeID)
        let scope = try context.scope(organizationID: organizationID)
        let design = try await repository.find(designID, scope: scope, base: signer.baseURL(of: request), logger: context.logger)
        guard let image = design.baseImages.first(where: { $0.subjectID == subject && $0.shotTypeID == shotType }) else {
            throw APIError.notFound("Base image not found")
        }
        return JSONResponse(image)
    }

    /// Stores the request, tells `LISTEN operators` at once, and queues the
    /// webhook message in the same transaction (the worker delivers it).
    @Sendable func requestCompletion(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let input = RequestInput(request, context: context)
        let id = input.pathUUID("id")
        let organizationID = input.queryUUID("organization_id")
        let (designID, body) = try input.validated(id, try await input.jsonBody(SetDesignCompletionRequest.self))
        let scope = try context.scope(organizationID: organizationID)
        let (logger, user, queueWebhook) = (context.logger, context.user, operatorsWebhookConfigured)
        try await database.transaction { connection in
            let design = try await TenantRows.find(SetDesignsRepository.table, id: designID, scope: scope, on: connection, logger: logger)
            let subjects = try await TenantRows.resolve(
                body.subjectIDs.enumerated().map { Reference(id: $1, loc: ["body", "subject_ids", .index($0)]) },
                in: SubjectPublic.table, scope: scope, on: connection, logger: logger
            )
            let shotTypes = try await TenantRows.resolve(
                body.shotTypeIDs.enumerated().map { Reference(id: $1, loc: ["body", "shot_type_ids", .index($0)]) },
                in: ShotTypePublic.table, scope: scope, on: connection, logger: logger
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
                let designName: String = try design.value("name")
                let text = OperatorMessage.completionRequested(
                    designName: designName, designID: designID, requester: user.email,
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
        return JSONResponse(Message("Completion request sent to operators"), status: .accepted)
    }

    private func designAndScope(_ request: Request, context: AuthenticatedContext) throws -> (UUID, TenantScope) {
        let input = RequestInput(request, context: context)
        let id = input.pathUUID("id")
        let organizationID = input.queryUUID("organization_id")
        let designID = try input.validated(id)
        return (designID, try context.scope(organizationID: organizationID))
    }
}

/// The operators' webhook text (CONTRACT §10.16): the design by name and id,
/// the requester, and what is missing by name, every name escaped.
enum OperatorMessage {
    static func completionRequested(
        designName: String, designID: UUID, requester: String, subjects: [String], shotTypes: [String]
    ) -> String {
        var lines = [
            "Completion requested for set design \"\(slackEscaped(designName))\" (\(designID.lowercasedString)) by \(slackEscaped(requester))."
        ]
        if !subjects.isEmpty { lines.append("Subjects: " + subjects.map(slackEscaped).joined(separator: ", ")) }
        if !shotTypes.isEmpty { lines.append("Shot types: " + shotTypes.map(slackEscaped).joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }

    /// Slack reads `<...>` as links and mentions (`<!channel>` pings everyone)
    /// and `&` as the start of an entity: a name must stay plain text.
    static func slackEscaped(_ text: String) -> String {
        var escaped = ""
        escaped.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
