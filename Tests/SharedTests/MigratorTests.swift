import Foundation
import Logging
import PostgresNIO
import Shared
import Testing
import TestSupport

@Suite("Migrations")
struct MigratorTests {
    private let logger = Logger(label: "migrator-test")

    /// A database with nothing in it, dropped afterwards.
    private func withEmptyDatabase(_ body: (PostgresClient) async throws -> Void) async throws {
        let name = "empty_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await TestDatabase.admin { try await $0.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)")) }
        do {
            try await TestDatabase.withClient(try TestDatabase.serverURL.with(database: name), body)
        } catch {
            _ = try? await TestDatabase.admin { try await $0.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)")) }
            throw error
        }
        try await TestDatabase.admin { try await $0.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)")) }
    }

    private func strings(_ client: PostgresClient, _ query: PostgresQuery) async throws -> [String] {
        var values: [String] = []
        for try await value in try await client.query(query).decode(String.self) { values.append(value) }
        return values
    }

    // MARK: Tests

    @Test func migratingTwiceAppliesEachFileOnce() async throws {
        try await withEmptyDatabase { client in
            let migrator = try Migrator.fromDefaultLocation()
            let first = try await migrator.migrate(client, logger: logger)
            #expect(first == migrator.migrations.map(\.version))
            let second = try await migrator.migrate(client, logger: logger)
            #expect(second.isEmpty)
            let version = try await Migrator.currentVersion(client, logger: logger)
            #expect(version == migrator.latestVersion)
        }
    }

    @Test func concurrentMigratorsWaitForEachOtherAndApplyOnce() async throws {
        try await withEmptyDatabase { client in
            let migrator = try Migrator.fromDefaultLocation()
            let logger = self.logger
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 { group.addTask { try await migrator.migrate(client, logger: logger) } }
                return try await group.reduce(into: []) { $0.append(contentsOf: $1) }
            }
            #expect(applied.sorted() == migrator.migrations.map(\.version))
        }
    }

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        try await withEmptyDatabase { client in
            let broken = Migrator(migrations: [
                .init(version: 1, name: "0001_ok", sql: "CREATE TABLE ok_table (x int);"),
                .init(version: 2, name: "0002_broken", sql: "CREATE TABLE half_done (x int); SELECT no_such_column FROM ok_table;"),
            ])
            await #expect(throws: Migrator.MigrationError.self) { try await broken.migrate(client, logger: logger) }
            let version = try await Migrator.currentVersion(client, logger: logger)
            #expect(version == 1)
            let tables = try await strings(client, "SELECT tablename::text FROM pg_tables WHERE tablename IN ('ok_table', 'half_done')")
            #expect(tables == ["ok_table"])
        }
    }

    @Test func anEmptyDatabaseReportsVersionZero() async throws {
        try await withEmptyDatabase { client in
            let version = try await Migrator.currentVersion(client, logger: logger)
            #expect(version == 0)
        }
    }

    @Test func everyTableAndColumnHasAComment() async throws {
        try await TestDatabase.withFresh { url in
            try await TestDatabase.withClient(url) { client in
                let missing = try await strings(
                    client,
                    """
                    SELECT c.relname || coalesce('.' || a.attname, '')
                    FROM pg_class c
                    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
                    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                    WHERE c.relkind IN ('r', 'v') AND c.relname <> 'schema_migrations'
                      AND col_description(c.oid, coalesce(a.attnum, 0)) IS NULL
                      AND (a.attnum IS NOT NULL OR obj_description(c.oid, 'pg_class') IS NULL)
                    ORDER BY 1
                    """
                )
                let tablesWithoutComment = try await strings(
                    client,
                    """
                    SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v') AND c.relname <> 'schema_migrations'
                      AND obj_description(c.oid, 'pg_class') IS NULL
                    """
                )
                #expect(missing.isEmpty, "columns without COMMENT: \(missing)")
                #expect(tablesWithoutComment.isEmpty, "tables without COMMENT: \(tablesWithoutComment)")
            }
        }
    }

    @Test func everyForeignKeyHasAnIndexAndAnExplicitOnDelete() async throws {
        try await TestDatabase.withFresh { url in
            try await TestDatabase.withClient(url) { client in
                let unindexed = try await strings(
                    client,
                    """
                    SELECT con.conname::text FROM pg_constraint con
                    WHERE con.contype = 'f' AND NOT EXISTS (
                        SELECT 1 FROM pg_index i
                        WHERE i.indrelid = con.conrelid
                          AND (i.indkey::int2[])[0:array_length(con.conkey, 1) - 1] = con.conkey
                    )
                    """
                )
                #expect(unindexed.isEmpty, "foreign keys without a leading index: \(unindexed)")
            }
        }
    }
}
