import Foundation
import Logging
import PostgresNIO

/// Applies the numbered SQL files of `sql/` in order, once each, recorded in
/// `schema_migrations`. A session advisory lock lets several gateways start at
/// once: the first applies, the others wait and then find nothing to do.
public struct Migrator: Sendable {
    public struct Migration: Sendable, Equatable {
        public var version: Int
        public var name: String
        public var sql: String

        public init(version: Int, name: String, sql: String) {
            self.version = version
            self.name = name
            self.sql = sql
        }
    }

    public enum MigrationError: Error, CustomStringConvertible {
        case directoryNotFound([String])
        case badFileName(String)
        case duplicateVersion(Int)
        case failed(version: Int, name: String, underlying: String)

        public var description: String {
            switch self {
            case .directoryNotFound(let tried):
                "no migrations directory found (set MIGRATIONS_DIR); tried: \(tried.joined(separator: ", "))"
            case .badFileName(let name): "migration file \(name) is not named NNNN_description.sql"
            case .duplicateVersion(let version): "two migration files share version \(version)"
            case .failed(let version, let name, let underlying): "migration \(version) (\(name)) failed: \(underlying)"
            }
        }
    }

    /// An arbitrary constant shared by every process of this system.
    static let advisoryLockKey: Int64 = 0x5E7D_E516

    public let migrations: [Migration]

    public init(migrations: [Migration]) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// The newest version the code knows; `/readyz` compares it with the database.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Loads `NNNN_name.sql` files from the first directory that exists of:
    /// `$MIGRATIONS_DIR`, `sql/` beside the executable, `./sql`, the source tree's `sql/`.
    public static func fromDefaultLocation(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Migrator {
        let sourceTree = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        switch InstalledDirectory.find(
            variable: "MIGRATIONS_DIR", name: "sql", sourceTreePath: sourceTree.appendingPathComponent("sql").path,
            environment: environment
        ) {
        case .success(let directory): return try Migrator(directory: directory)
        case .failure(let notFound): throw MigrationError.directoryNotFound(notFound.tried)
        }
    }

    public init(directory: String) throws {
        var migrations: [Migration] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) where file.hasSuffix(".sql") {
            guard let underscore = file.firstIndex(of: "_"), let version = Int(file[..<underscore]) else {
                throw MigrationError.badFileName(file)
            }
            guard !migrations.contains(where: { $0.version == version }) else {
                throw MigrationError.duplicateVersion(version)
            }
            let sql = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            migrations.append(Migration(version: version, name: String(file.dropLast(4)), sql: sql))
        }
        self.init(migrations: migrations)
    }

    /// Applies what is missing; returns the versions applied by this call.
    @discardableResult
    public func migrate(_ client: PostgresClient, logger: Logger) async throws -> [Int] {
        try await client.withConnection { connection in
            // A migration, and the wait for another process's, may outlast the pool's statement timeout.
            try await connection.query("SET statement_timeout = 0", logger: logger)
            try await connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))", logger: logger)
            do {
                let applied = try await applyPending(on: connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                try await connection.query("RESET statement_timeout", logger: logger)
                return applied
            } catch {
                // Closing the session releases the lock, but the pool would keep it open.
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                _ = try? await connection.query("RESET statement_timeout", logger: logger)
                throw error
            }
        }
    }

    private func applyPending(on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            logger: logger
        )
        var done = Set<Int>()
        for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger)
            .decode(Int.self)
        {
            done.insert(version)
        }
        var applied: [Int] = []
        for migration in migrations where !done.contains(migration.version) {
            logger.info("applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            do {
                // Postgres DDL is transactional: a file applies whole or not at all.
                try await connection.withTransaction(logger: logger) { connection in
                    for statement in SQLScript.statements(migration.sql) {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                        logger: logger
                    )
                }
            } catch {
                let error = (error as? PostgresTransactionError)?.closureError ?? error
                throw MigrationError.failed(version: migration.version, name: migration.name, underlying: "\(String(reflecting: error))")
            }
            applied.append(migration.version)
        }
        return applied
    }

    /// The highest applied version, or 0 when none (or the table is missing).
    public static func currentVersion(_ client: PostgresClient, logger: Logger) async throws -> Int {
        let exists = try await client.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
        for try await found in exists.decode(Bool.self) where !found { return 0 }
        let rows = try await client.query("SELECT coalesce(max(version), 0) FROM schema_migrations", logger: logger)
        for try await version in rows.decode(Int.self) { return version }
        return 0
    }
}
