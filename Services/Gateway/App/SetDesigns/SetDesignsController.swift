import Foundation
import Hummingbird
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
        let (body, scope) = try await context.scoped(request) { try await $0.jsonBody(SetDesignCreate.self) }
        return JSONResponse(try await repository.create(body, scope: scope, base: signer.baseURL(of: request), logger: context.logger))
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        // owner_id may be absent: `.some` of nil is a valid "no filter".
        let (ownerID, paging, scope) = try await context.scoped(request) { (.some($0.queryUUID("owner_id")), $0.paging()) }
        return JSONResponse(
            try await repository.list(scope: scope, ownerID: ownerID, paging: paging, base: signer.baseURL(of: request), logger: context.logger)
        )
    }

    @Sendable func read(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (id, scope) = try await context.scoped(request, id: "id")
        return JSONResponse(try await repository.find(id, scope: scope, base: signer.baseURL(of: request), logger: context.logger))
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (id, body, scope) = try await context.scoped(request, id: "id") { try await $0.jsonBody(SetDesignUpdate.self) }
        let viewer = context.user
        // A transfer needs membership of the target too (of the source, to see the design at all).
        if let target = body.organizationID, !viewer.isSuperuser, !viewer.isMember(of: target) {
            throw APIError.forbidden("Not a member of the organization to transfer to")
        }
        return JSONResponse(try await repository.update(id, with: body, scope: scope, base: signer.baseURL(of: request), logger: context.logger))
    }

    /// Deletes the design with its images and upload tasks, then the archives
    /// those tasks still held (a worker busy with one stops at its next write).
    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (id, scope) = try await context.scoped(request, id: "id")
        let logger = context.logger
        let archives = try await database.transaction { connection in
            try await SetDesignsRepository.lockForDelete(id, scope: scope, on: connection, logger: logger)
            let keys = try await UploadTaskStore.archiveKeys(ofSetDesign: id, on: connection, logger: logger)
            try await SetDesignsRepository.delete(id, on: connection, logger: logger)
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
        let (designID, subject, shotType, scope) = try await context.scoped(request, id: "id") {
            ($0.requiredQueryUUID("subject_id"), $0.requiredQueryUUID("shot_type_id"))
        }
        let design = try await repository.find(designID, scope: scope, base: signer.baseURL(of: request), logger: context.logger)
        guard let image = design.baseImages.first(where: { $0.subjectID == subject && $0.shotTypeID == shotType }) else {
            throw APIError.notFound("Base image not found")
        }
        return JSONResponse(image)
    }

    /// Stores the request and tells the operators (CONTRACT §10.16).
    @Sendable func requestCompletion(_ request: Request, context: AuthenticatedContext) async throws -> JSONResponse {
        let (designID, body, scope) = try await context.scoped(request, id: "id") {
            try await $0.jsonBody(SetDesignCompletionRequest.self)
        }
        try await repository.requestCompletion(
            of: designID, body, scope: scope, queueWebhook: operatorsWebhookConfigured, logger: context.logger
        )
        return JSONResponse(Message("Completion request sent to operators"), status: .accepted)
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
