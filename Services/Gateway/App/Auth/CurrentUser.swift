import Foundation

/// The authenticated caller, with what tenancy checks need: the superuser
/// flag and the organizations the caller belongs to.
public struct CurrentUser: Sendable {
    public var id: UUID
    public var email: String
    public var fullName: String?
    public var isActive: Bool
    public var isSuperuser: Bool
    public var organizationIDs: [UUID]

    public func isMember(of organizationID: UUID) -> Bool {
        organizationIDs.contains(organizationID)
    }
}
