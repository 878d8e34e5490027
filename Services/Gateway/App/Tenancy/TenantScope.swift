import Foundation

/// CONTRACT §3's tenancy rules in one value: who is asking and, when the
/// request names one, which organization it is narrowed to. Queries pass its
/// fields to the SQL function `row_visible` (sql/0001); creates ask it for the
/// new row's owner and organization.
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
}

extension AuthenticatedContext {
    /// The tenancy scope of this request, from its `organization_id` query value.
    func scope(organizationID: UUID?) throws(APIError) -> TenantScope {
        try TenantScope(viewer: user, organizationID: organizationID)
    }
}
