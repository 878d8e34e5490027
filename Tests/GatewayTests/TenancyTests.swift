import Foundation
import PostgresNIO
import Shared
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
                let cases: [(owner: UUID?, organization: UUID?, superuser: Bool, filter: UUID?, visible: Bool)] = [
                    (viewer, nil, false, nil, true),  // own personal row
                    (viewer, Self.otherOrganization, false, nil, false),  // owning grants nothing in an organization one left
                    (viewer, Self.organization, false, nil, true),
                    (nil, nil, false, nil, false),  // the owner was deleted: false, never NULL
                    (nil, Self.organization, false, nil, true),
                    (nil, Self.otherOrganization, false, nil, false),
                    (nil, nil, true, nil, true),
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

    /// Public rows add to `row_visible` only without an organization filter;
    /// NULL arguments (a deleted owner, a missing flag) give false, never NULL.
    @Test func catalogRowVisibleAddsPublicRowsAndIsNeverNull() async throws {
        try await TestDatabase.withFresh { url in
            try await TestDatabase.withClient(url) { client in
                let viewer = UUID()
                let cases: [(isPublic: Bool?, owner: UUID?, organization: UUID?, filter: UUID?, visible: Bool)] = [
                    (true, nil, nil, nil, true),  // a system row: public, owner deleted
                    (true, nil, Self.otherOrganization, nil, true),
                    (true, nil, Self.otherOrganization, Self.organization, false),  // the filter hides public rows
                    (false, nil, nil, nil, false),
                    (nil, nil, nil, nil, false),
                    (nil, viewer, nil, nil, true),
                ]
                for testCase in cases {
                    let rows = try await client.query(
                        """
                        SELECT catalog_row_visible(\(testCase.isPublic), \(testCase.owner), \(testCase.organization), \(viewer),
                                                   false, \([Self.organization]), \(testCase.filter))
                        """
                    )
                    for try await visible in rows.decode(Bool.self) {
                        #expect(visible == testCase.visible, "\(testCase)")
                    }
                }
            }
        }
    }

    /// A row created in an organization that is deleted meanwhile, between the
    /// check that the organization exists and the insert's foreign-key check,
    /// is created first and then deleted with the organization, instead of
    /// failing on the foreign key with a 500.
    @Test(arguments: ["/api/v1/subjects", "/api/v1/set-designs"])
    func anOrganizationDeletedWhileARowIsCreatedInItWaitsForTheCreation(_ path: String) async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let organization = try await api.createOrganization(admin: alice)
            let created = try await create(
                path + "/?organization_id=\(organization)", ["name": "Look"], by: alice, api,
                whileRunning: "DELETE FROM organizations WHERE id = \(organization)"
            )
            let id = try #require(created.json["id"].uuid)
            #expect(try await api.get("\(path)/\(id)", token: try await api.superuserToken()).status == .notFound)
        }
    }

    /// The same for a reference that the request resolves: a set design whose
    /// base image names a subject deleted meanwhile.
    @Test func aSubjectDeletedWhileADesignReferringToItIsCreatedWaitsForTheCreation() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let subject = try await api.createSubject(by: alice)
            let shotType = try await api.createShotType(by: alice)
            let body: JSONValue = ["name": "Look", "base_images": [["subject_id": .uuid(subject), "shot_type_id": .uuid(shotType)]]]
            let created = try await create(
                "/api/v1/set-designs/", body, by: alice, api, whileRunning: "DELETE FROM subjects WHERE id = \(subject)"
            )
            let id = try #require(created.json["id"].uuid)
            #expect(try await api.get("/api/v1/set-designs/\(id)", token: alice.token).json["base_images"] == [])
        }
    }

    /// POSTs `body` and runs `deletion` (of a row the new one refers to) once
    /// the request has checked its references and waits to insert; expects
    /// the deletion to wait for the request, and the request to answer 200.
    /// A lock on the owner's row, which the insert's foreign-key check needs
    /// too, holds the insert up in between.
    private func create(
        _ path: String, _ body: JSONValue, by owner: TestUser, _ api: GatewayClient, whileRunning deletion: PostgresQuery
    ) async throws -> APIResponse {
        let logger = Logger(label: "blocker")
        return try await TestDatabase.withClient(api.databaseURL) { client in
            @Sendable func waitingForALock(_ statement: String) async throws -> Bool {
                try await client.query(
                    """
                    SELECT count(*) FROM pg_stat_activity
                    WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE \("%\(statement)%")
                    """
                ).one(Int.self) == 1
            }
            return try await client.withConnection { blocker in
                try await blocker.query("BEGIN", logger: logger)
                try await blocker.query("SELECT FROM users WHERE id = \(owner.id) FOR UPDATE", logger: logger)
                async let created = api.withOwnConnection { api in try await api.post(path, token: owner.token, json: body) }
                #expect(try await eventually { try await waitingForALock("INSERT INTO") })
                let deleting = Task { try await client.query(deletion) }
                // Without the lock taken by the check, the deletion would commit at once.
                #expect(try await eventually(within: .seconds(3)) { try await waitingForALock("DELETE FROM") })
                try await blocker.query("COMMIT", logger: logger)
                let response = try await created
                #expect(response.status == .ok, "\(response.text)")
                _ = try await deleting.value
                return response
            }
        }
    }
}
