import Foundation
import Logging
import PostgresNIO
import Shared
import Synchronization

/// A fresh database per test, cloned from a template that is migrated once per
/// test run (cloning takes tens of milliseconds; migrating each time would not).
/// The server comes from `TEST_DATABASE_URL`, which `deploy/local/test` sets.
public enum TestDatabase {
    public struct NotConfigured: Error, CustomStringConvertible {
        public var description: String {
            "TEST_DATABASE_URL is not set: run the tests with deploy/local/test"
        }
    }

    static let logger = {
        var logger = Logger(label: "test-database")
        logger.logLevel = .error
        return logger
    }()
    private static let template = Mutex<Task<String, any Error>?>(nil)

    public static var serverURL: DatabaseURL {
        get throws {
            guard let raw = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] else { throw NotConfigured() }
            return try DatabaseURL(parsing: raw)
        }
    }

    /// Creates a database from the migrated template, runs `body` with its URL, then drops it.
    public static func withFresh<Result>(_ body: (DatabaseURL) async throws -> Result) async throws -> Result {
        let server = try serverURL
        let templateName = try await migratedTemplate()
        let name = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await admin { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(templateName)"), logger: logger)
        }
        do {
            let result = try await body(server.with(database: name))
            try await drop(name)
            return result
        } catch {
            try? await drop(name)
            throw error
        }
    }

    private static func drop(_ name: String) async throws {
        try await admin { client in
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }

    /// The template's name; built on first use, named after the migrations'
    /// content so a changed migration gets a new template.
    static func migratedTemplate() async throws -> String {
        let task = template.withLock { slot in
            if let existing = slot { return existing }
            let created = Task { try await buildTemplate() }
            slot = created
            return created
        }
        return try await task.value
    }

    private static func buildTemplate() async throws -> String {
        let migrator = try Migrator.fromDefaultLocation()
        var fingerprint: UInt64 = 1_469_598_103_934_665_603
        for migration in migrator.migrations {
            for byte in migration.sql.utf8 {
                fingerprint = (fingerprint ^ UInt64(byte)) &* 1_099_511_628_211
            }
        }
        let name = "template_\(String(fingerprint, radix: 16))"
        let exists = try await admin { client in
            let rows = try await client.query("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: logger)
            for try await _ in rows { return true }
            return false
        }
        if exists { return name }
        let building = name + "_building_" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        try await admin { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(building)"), logger: logger)
        }
        try await withClient(try serverURL.with(database: building)) { client in
            try await migrator.migrate(client, logger: logger)
        }
        // Renaming makes the finished template appear atomically.
        try await admin { client in
            try await client.query(PostgresQuery(unsafeSQL: "ALTER DATABASE \(building) RENAME TO \(name)"), logger: logger)
        }
        return name
    }

    /// Runs `body` with a client on the server's maintenance database.
    @discardableResult
    public static func admin<Result: Sendable>(_ body: (PostgresClient) async throws -> Result) async throws -> Result {
        try await withClient(try serverURL, body)
    }

    /// Runs `body` with a running `Database` for `url`, shut down afterwards.
    public static func withDatabase<Result: Sendable>(
        _ url: DatabaseURL, maximumConnections: Int = 8, limits: Database.SessionLimits = .init(),
        _ body: (Database) async throws -> Result
    ) async throws -> Result {
        let database = Database(url: url, maximumConnections: maximumConnections, limits: limits, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            return try await body(database)
        }
    }

    /// Runs `body` with a running client for `url`, shut down afterwards.
    @discardableResult
    public static func withClient<Result: Sendable>(
        _ url: DatabaseURL, _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: url.clientConfiguration(maximumConnections: 4), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}

extension DatabaseURL {
    /// The `DATABASE_URL` a child process of a test is given (test clusters trust local connections).
    public var environmentValue: String { "postgres://\(username)@\(host):\(port)/\(database)" }
}
