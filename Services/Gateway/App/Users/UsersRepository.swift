import Foundation
import Logging
import PostgresNIO
import Shared

/// SQL for `users`.
public struct UsersRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    struct Credentials {
        var id: UUID
        var hashedPassword: String
        var isActive: Bool
    }

    /// The user behind a token, with their organizations, in one round trip.
    func currentUser(id: UUID, logger: Logger) async throws -> CurrentUser? {
        for row in try await database.client.rows(Caller(id: id), logger: logger) {
            let (id, email, fullName, isActive, isSuperuser, organizationIDs) = try row.decode(
                (UUID, String, String?, Bool, Bool, [UUID]).self
            )
            return CurrentUser(
                id: id, email: email, fullName: fullName, isActive: isActive,
                isSuperuser: isSuperuser, organizationIDs: organizationIDs
            )
        }
        return nil
    }

    struct Caller: PreparedStatement {
        var id: UUID

        static let placeholder = Caller(id: UUID())
        var query: PostgresQuery {
            """
            SELECT u.id, u.email, u.full_name, u.is_active, u.is_superuser,
                   coalesce(array_agg(m.organization_id) FILTER (WHERE m.organization_id IS NOT NULL), '{}')
            FROM users u
            LEFT JOIN memberships m ON m.user_id = u.id
            WHERE u.id = \(id)
            GROUP BY u.id
            """
        }
    }

    func credentials(email: String, logger: Logger) async throws -> Credentials? {
        let rows = try await database.client.query(
            "SELECT id, hashed_password, is_active FROM users WHERE lower(email) = lower(\(email))",
            logger: logger
        )
        for try await (id, hash, isActive) in rows.decode((UUID, String, Bool).self) {
            return Credentials(id: id, hashedPassword: hash, isActive: isActive)
        }
        return nil
    }

    /// Inserts a user; a taken email (any case) is a 409.
    func create(_ user: UserCreate, hashedPassword: String, logger: Logger) async throws -> UserPublic {
        do {
            let rows = try await database.client.query(
                """
                INSERT INTO users (email, hashed_password, full_name, is_active, is_superuser)
                VALUES (\(user.email), \(hashedPassword), \(user.fullName), \(user.isActive), \(user.isSuperuser))
                RETURNING id
                """,
                logger: logger
            )
            for try await id in rows.decode(UUID.self) {
                return UserPublic(
                    id: id, email: user.email, fullName: user.fullName,
                    isActive: user.isActive, isSuperuser: user.isSuperuser
                )
            }
            throw APIError(.internalServerError, "Internal Server Error")
        } catch let error where DatabaseFailure(error) == .uniqueViolation(constraint: "users_email_key") {
            throw APIError.conflict("The user with this email already exists in the system.")
        }
    }

    func list(_ paging: Paging, logger: Logger) async throws -> UsersPublic {
        let rows = try await database.client.query(
            """
            SELECT id, email, full_name, is_active, is_superuser, count(*) OVER ()
            FROM users
            ORDER BY created_at DESC, id DESC
            OFFSET \(paging.skip) LIMIT \(paging.limit)
            """,
            logger: logger
        )
        var users: [UserPublic] = []
        var total = 0
        for try await (id, email, fullName, isActive, isSuperuser, count) in rows.decode(
            (UUID, String, String?, Bool, Bool, Int).self
        ) {
            users.append(UserPublic(id: id, email: email, fullName: fullName, isActive: isActive, isSuperuser: isSuperuser))
            total = count
        }
        if users.isEmpty { total = try await count(logger: logger) }
        return UsersPublic(data: users, count: total)
    }

    private func count(logger: Logger) async throws -> Int {
        for try await count in try await database.client.query("SELECT count(*) FROM users", logger: logger).decode(Int.self) {
            return count
        }
        return 0
    }

    /// Creates `FIRST_SUPERUSER` unless an account with that email exists;
    /// safe when several gateways start at once. Start-up work, before the
    /// server listens: nothing else wants the pool yet, so like the migrations
    /// it waits for a connection as long as the server takes to give one.
    public func ensureFirstSuperuser(email: String, hashedPassword: @Sendable () async throws -> String, logger: Logger) async throws {
        let postgres = database.client.postgres
        let existing = try await postgres.query("SELECT 1 FROM users WHERE lower(email) = lower(\(email))", logger: logger)
        for try await _ in existing { return }
        let hash = try await hashedPassword()
        try await postgres.query(
            """
            INSERT INTO users (email, hashed_password, full_name, is_superuser)
            VALUES (\(email), \(hash), NULL, true)
            ON CONFLICT DO NOTHING
            """,
            logger: logger
        )
        logger.info("created first superuser", metadata: ["email": "\(email)"])
    }
}
