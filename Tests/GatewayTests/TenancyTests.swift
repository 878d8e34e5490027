import Foundation
import PostgresNIO
import Testing
import TestSupport

@testable import GatewayApp

/// The visibility rule and the `organization_id` query rule (CONTRACT §3),
/// implemented once in `TenantScope` and the SQL function `row_visible`.
@Suite("Tenancy rules")
struct TenancyTests {
    private static let organization = UUID()
    private static let otherOrganization = UUID()

    private func user(superuser: Bool = false, organizations: [UUID] = []) -> CurrentUser {
        CurrentUser(
            id: UUID(), email: "u@example.com", fullName: nil, isActive: true,
            isSuperuser: superuser, organizationIDs: organizations
        )
    }

    // MARK: Tests

    @Test func anOrganizationFilterIsForbiddenToNonMembers() throws {
        #expect(throws: APIError.self) { try TenantScope(viewer: user(), organizationID: Self.organization) }
        let error = try? TenantScope(viewer: user(organizations: [Self.otherOrganization]), organizationID: Self.organization)
        #expect(error == nil)
        #expect(throws: Never.self) { try TenantScope(viewer: user(organizations: [Self.organization]), organizationID: Self.organization) }
        #expect(throws: Never.self) { try TenantScope(viewer: user(superuser: true), organizationID: Self.organization) }
    }

    @Test func aNewRowBelongsToTheCallerAndTheBodysOrElseTheQuerysOrganization() throws {
        let member = user(organizations: [Self.organization])
        let scoped = try TenantScope(viewer: member, organizationID: Self.organization)
        let fromQuery = try scoped.ownership(requestedOwnerID: nil, requestedOrganizationID: nil)
        #expect(fromQuery.ownerID == member.id && fromQuery.organizationID == Self.organization)

        let unscoped = try TenantScope(viewer: member, organizationID: nil)
        let personal = try unscoped.ownership(requestedOwnerID: nil, requestedOrganizationID: nil)
        #expect(personal.organizationID == nil)
        let fromBody = try unscoped.ownership(requestedOwnerID: nil, requestedOrganizationID: Self.organization)
        #expect(fromBody.organizationID == Self.organization)
    }

    @Test func creatingRowsIsRefusedForAnotherOwnerOrAForeignOrganization() throws {
        let member = user(organizations: [Self.organization])
        let scope = try TenantScope(viewer: member, organizationID: nil)
        #expect(throws: APIError.self) { try scope.ownership(requestedOwnerID: UUID(), requestedOrganizationID: nil) }
        #expect(throws: APIError.self) {
            try scope.ownership(requestedOwnerID: nil, requestedOrganizationID: Self.otherOrganization)
        }
        let superuser = try TenantScope(viewer: user(superuser: true), organizationID: nil)
        let other = UUID()
        #expect(try superuser.ownership(requestedOwnerID: other, requestedOrganizationID: nil).ownerID == other)
    }

    @Test func bodyAndQueryNamingDifferentOrganizationsIs422() throws {
        let member = user(organizations: [Self.organization, Self.otherOrganization])
        let scope = try TenantScope(viewer: member, organizationID: Self.organization)
        do {
            _ = try scope.ownership(requestedOwnerID: nil, requestedOrganizationID: Self.otherOrganization)
            Issue.record("expected a 422")
        } catch {
            #expect(error.status == .unprocessableContent)
        }
    }

    @Test func rowVisibleMatchesTheContractsTable() async throws {
        try await TestDatabase.withFresh { url in
            try await TestDatabase.withClient(url) { client in
                let viewer = UUID()
                let stranger = UUID()
                let cases: [(owner: UUID, organization: UUID?, superuser: Bool, filter: UUID?, visible: Bool)] = [
                    (viewer, nil, false, nil, true),  // own personal row
                    (stranger, nil, false, nil, false),  // someone else's personal row
                    (stranger, Self.organization, false, nil, true),  // a row of my organization
                    (stranger, Self.otherOrganization, false, nil, false),  // a foreign organization's row
                    (stranger, Self.otherOrganization, true, nil, true),  // superusers see everything
                    (viewer, nil, false, Self.organization, false),  // the filter excludes personal rows
                    (stranger, Self.organization, false, Self.organization, true),
                    (stranger, Self.otherOrganization, true, Self.organization, false),  // filter applies to superusers too
                ]
                for testCase in cases {
                    let rows = try await client.query(
                        """
                        SELECT row_visible(\(testCase.owner), \(testCase.organization), \(viewer), \(testCase.superuser),
                                           \([Self.organization]), \(testCase.filter))
                        """
                    )
                    for try await visible in rows.decode(Bool.self) {
                        #expect(visible == testCase.visible, "\(testCase)")
                    }
                }
            }
        }
    }
}
