import Foundation
import Logging
import PostgresNIO
import Shared

/// CONTRACT §3's tenancy rules in one value: who is asking and, when the
/// request names one, which organization it is narrowed to. Queries pass its
/// fields to the SQL function `row_visible` (sql/0001, redefined in sql/0006);
/// creates ask it for the new row's owner and organization, and updates
/// whether the caller may change an owner or a public flag.
struct TenantScope: Sendable {
    let viewer: CurrentUser
    /// The `organization_id` query parameter, already checked for membership.
    let organizationID: UUID?

    /// Applies the `organization_id` query parameter rule: members (and
    /// superusers) only, else 403.
    init(viewer: CurrentUser, organizationID: UUID?) throws(APIError) {
        if let organizationID, !viewer.isSuperuser, !viewer.isMember(of: organizationID) {
            throw .forbidden("Not a member of this organization")
        }
        self.viewer = viewer
        self.organizationID = organizationID
    }

    /// Any scope, for the text of a prepared statement (`PreparedQuery.placeholder`).
    static let placeholder = TenantScope(
        unchecked: CurrentUser(id: UUID(), email: "", fullName: nil, isActive: true, isSuperuser: false, organizationIDs: [])
    )

    private init(unchecked viewer: CurrentUser) {
        self.viewer = viewer
        self.organizationID = nil
    }

    var viewerID: UUID { viewer.id }
    var viewerIsSuperuser: Bool { viewer.isSuperuser }
    var viewerOrganizationIDs: [UUID] { viewer.organizationIDs }

    /// Owner and organization of a new row (CONTRACT §3, "Creating"): the body
    /// may name another owner only for a superuser; the organization is the
    /// body's, else the query's, and the caller must belong to it.
    func ownership(requestedOwnerID: UUID?, requestedOrganizationID: UUID?) throws(APIError) -> (ownerID: UUID, organizationID: UUID?) {
        if let requestedOwnerID, requestedOwnerID != viewer.id, !viewer.isSuperuser {
            throw .forbidden("Only a superuser may create rows for another owner")
        }
        if let requestedOrganizationID, let organizationID, requestedOrganizationID != organizationID {
            throw .validation(
                .valueError(
                    ["body", "organization_id"],
                    message: "Value error, organization_id differs from the organization_id query parameter",
                    input: .uuid(requestedOrganizationID)
                )
            )
        }
        let target = requestedOrganizationID ?? organizationID
        if let target, !viewer.isSuperuser, !viewer.isMember(of: target) {
            throw .forbidden("Not a member of this organization")
        }
        return (requestedOwnerID ?? viewer.id, target)
    }

    /// What only a superuser may change on a row (CONTRACT §3): its owner (a
    /// member who made themselves owner would otherwise keep a row of their
    /// organization), and its public flag (a public shot type is a candidate
    /// in every tenant's matching). Naming the current value is no change.
    func authorizeChange(of current: PrivilegedColumns, ownerID: UUID?, isPublic: Bool?) throws(APIError) {
        guard !viewer.isSuperuser else { return }
        if let ownerID, ownerID != current.ownerID {
            throw .forbidden("Only a superuser may change the owner")
        }
        if let isPublic, isPublic != current.isPublic {
            throw .forbidden("Only a superuser may set public")
        }
    }

    /// A new row may be public only when a superuser creates it.
    func authorizeCreation(isPublic: Bool) throws(APIError) {
        try authorizeChange(of: PrivilegedColumns(ownerID: nil, isPublic: false), ownerID: nil, isPublic: isPublic)
    }

    /// `ownership`, with the ids it names checked to exist (see `requireExisting`).
    func existingOwnership(
        requestedOwnerID: UUID?, requestedOrganizationID: UUID?, on connection: PostgresConnection, logger: Logger
    ) async throws -> (ownerID: UUID, organizationID: UUID?) {
        let owner = try ownership(requestedOwnerID: requestedOwnerID, requestedOrganizationID: requestedOrganizationID)
        try await requireExisting(
            ownerID: requestedOwnerID, organizationID: owner.organizationID,
            organizationIn: requestedOrganizationID == nil ? "query" : "body", on: connection, logger: logger
        )
        return owner
    }

    /// An owner or organization id that names nobody is the client's mistake
    /// (422), not a foreign-key failure of the write: a superuser may name
    /// any id, and a member's organization may be deleted meanwhile. The rows
    /// found are locked as the foreign key itself locks them (FOR KEY SHARE)
    /// until the caller's transaction ends, so a deletion between this check
    /// and the write waits for the write instead of failing it.
    func requireExisting(
        ownerID: UUID?, organizationID: UUID?, organizationIn: ValidationIssue.Location,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard ownerID != nil || organizationID != nil else { return }
        let rows = try await connection.query(
            """
            SELECT \(ownerID)::uuid IS NULL OR EXISTS (SELECT FROM users WHERE id = \(ownerID) FOR KEY SHARE),
                   \(organizationID)::uuid IS NULL OR EXISTS (SELECT FROM organizations WHERE id = \(organizationID) FOR KEY SHARE)
            """,
            logger: logger
        )
        var (ownerExists, organizationExists) = (true, true)
        for try await found in rows.decode((Bool, Bool).self) { (ownerExists, organizationExists) = found }
        var issues: [ValidationIssue] = []
        if !ownerExists, let ownerID {
            issues.append(.valueError(["body", "owner_id"], message: "Value error, User not found", input: .uuid(ownerID)))
        }
        if !organizationExists, let organizationID {
            issues.append(
                .valueError([organizationIn, "organization_id"], message: "Value error, Organization not found", input: .uuid(organizationID))
            )
        }
        guard issues.isEmpty else { throw APIError.validation(issues) }
    }
}

extension AuthenticatedContext {
    /// The tenancy scope of this request, from its `organization_id` query value.
    func scope(organizationID: UUID?) throws(APIError) -> TenantScope {
        try TenantScope(viewer: user, organizationID: organizationID)
    }
}
