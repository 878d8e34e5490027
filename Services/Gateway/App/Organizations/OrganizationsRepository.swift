import Foundation
import Logging
import PostgresNIO
import Shared

/// SQL for `organizations` and `memberships`.
struct OrganizationsRepository: Sendable {
    let database: Database

    /// Creates the organization with its creator as admin, in one transaction.
    func create(_ body: OrganizationCreate, creatorID: UUID, logger: Logger) async throws -> OrganizationPublic {
        try await database.transaction { connection in
            let rows = try await connection.query(
                "INSERT INTO organizations (name) VALUES (\(body.name)) RETURNING id, name, created_at, updated_at",
                logger: logger
            )
            guard let organization = try await Self.decodeOrganizations(rows).first else {
                throw APIError(.internalServerError, "Internal Server Error")
            }
            try await connection.query(
                "INSERT INTO memberships (organization_id, user_id, role) VALUES (\(organization.id), \(creatorID), 'admin')",
                logger: logger
            )
            return organization
        }
    }

    /// The caller's organizations; every one for a superuser.
    func list(for user: CurrentUser, paging: Paging, logger: Logger) async throws -> OrganizationsPublic {
        let rows = try await database.client.query(
            """
            SELECT o.id, o.name, o.created_at, o.updated_at, count(*) OVER ()
            FROM organizations o
            WHERE \(user.isSuperuser) OR o.id = ANY (\(user.organizationIDs))
            ORDER BY o.created_at DESC, o.id DESC
            OFFSET \(paging.skip) LIMIT \(paging.limit)
            """,
            logger: logger
        )
        var page: [OrganizationPublic] = []
        var total = 0
        for try await (id, name, createdAt, updatedAt, count) in rows.decode((UUID, String, Date, Date, Int).self) {
            page.append(OrganizationPublic(id: id, name: name, createdAt: createdAt, updatedAt: updatedAt))
            total = count
        }
        if page.isEmpty, paging.skip > 0 {
            total = user.isSuperuser ? try await countAll(logger: logger) : user.organizationIDs.count
        }
        return OrganizationsPublic(data: page, count: total)
    }

    private func countAll(logger: Logger) async throws -> Int {
        for try await count in try await database.client.query("SELECT count(*) FROM organizations", logger: logger)
            .decode(Int.self)
        {
            return count
        }
        return 0
    }

    /// The organization if the user may see it (member or superuser).
    func find(_ id: UUID, for user: CurrentUser, logger: Logger) async throws -> OrganizationPublic? {
        let rows = try await database.client.query(
            """
            SELECT id, name, created_at, updated_at FROM organizations
            WHERE id = \(id) AND (\(user.isSuperuser) OR id = ANY (\(user.organizationIDs)))
            """,
            logger: logger
        )
        return try await Self.decodeOrganizations(rows).first
    }

    func role(of userID: UUID, in organizationID: UUID, logger: Logger) async throws -> MembershipRole? {
        let rows = try await database.client.query(
            "SELECT role::text FROM memberships WHERE organization_id = \(organizationID) AND user_id = \(userID)",
            logger: logger
        )
        for try await role in rows.decode(String.self) { return MembershipRole(rawValue: role) }
        return nil
    }

    func members(of organizationID: UUID, logger: Logger) async throws -> [MemberPublic] {
        let rows = try await database.client.query(
            """
            SELECT m.organization_id, m.user_id, u.email, m.role::text, m.created_at
            FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.organization_id = \(organizationID)
            ORDER BY m.created_at, u.email
            """,
            logger: logger
        )
        var members: [MemberPublic] = []
        for try await (organizationID, userID, email, role, createdAt) in rows.decode((UUID, UUID, String, String, Date).self) {
            members.append(
                MemberPublic(
                    organizationID: organizationID, userID: userID, email: email,
                    role: MembershipRole(rawValue: role) ?? .member, createdAt: createdAt
                )
            )
        }
        return members
    }

    /// Adds a member; an unknown user is a 422 at `user_id`, an existing member a 409.
    func addMember(_ body: MemberCreate, to organizationID: UUID, logger: Logger) async throws -> MemberPublic {
        do {
            let rows = try await database.client.query(
                """
                INSERT INTO memberships (organization_id, user_id, role)
                SELECT \(organizationID), u.id, \(body.role.rawValue)::membership_role FROM users u WHERE u.id = \(body.userID)
                RETURNING organization_id, user_id, (SELECT email FROM users WHERE id = user_id), role::text, created_at
                """,
                logger: logger
            )
            for try await (organizationID, userID, email, role, createdAt) in rows.decode((UUID, UUID, String, String, Date).self) {
                return MemberPublic(
                    organizationID: organizationID, userID: userID, email: email,
                    role: MembershipRole(rawValue: role) ?? .member, createdAt: createdAt
                )
            }
            throw APIError.validation(
                .valueError(["body", "user_id"], message: "User not found", input: .uuid(body.userID))
            )
        } catch let error where DatabaseFailure(error) == .uniqueViolation(constraint: "memberships_pkey") {
            throw APIError.conflict("The user is already a member of this organization")
        }
    }

    /// Removes a membership; false when there was none, a 409 when it is the
    /// organization's last admin. The admins' rows (and the member's) are
    /// locked first, in one order (no deadlock), so of two removals of the
    /// last two admins at once the second waits, then sees one admin left and
    /// refuses.
    func removeMember(_ userID: UUID, from organizationID: UUID, logger: Logger) async throws -> Bool {
        try await database.transaction { connection in
            let rows = try await connection.query(
                """
                SELECT user_id, role = 'admin' FROM memberships
                WHERE organization_id = \(organizationID) AND (role = 'admin' OR user_id = \(userID))
                ORDER BY user_id
                FOR UPDATE
                """,
                logger: logger
            )
            var (found, isAdmin, admins) = (false, false, 0)
            for try await (member, admin) in rows.decode((UUID, Bool).self) {
                if admin { admins += 1 }
                if member == userID { (found, isAdmin) = (true, admin) }
            }
            guard found else { return false }
            if isAdmin, admins == 1 {
                throw APIError.conflict("An organization keeps at least one admin: this is its last one")
            }
            try await connection.query(
                "DELETE FROM memberships WHERE organization_id = \(organizationID) AND user_id = \(userID)",
                logger: logger
            )
            return true
        }
    }

    private static func decodeOrganizations(_ rows: PostgresRowSequence) async throws -> [OrganizationPublic] {
        var organizations: [OrganizationPublic] = []
        for try await (id, name, createdAt, updatedAt) in rows.decode((UUID, String, Date, Date).self) {
            organizations.append(OrganizationPublic(id: id, name: name, createdAt: createdAt, updatedAt: updatedAt))
        }
        return organizations
    }
}
