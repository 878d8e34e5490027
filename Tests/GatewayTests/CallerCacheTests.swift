import Foundation
import PostgresNIO
import Shared
import Synchronization
import Testing
import TestSupport

@testable import GatewayApp

/// The callers the gateway keeps in memory (`CallerCache`, sql/0008): a
/// change made anywhere reaches it within moments, one made through this
/// gateway before its answer.
@Suite("Caller cache")
struct CallerCacheTests {
    // MARK: Through the gateway

    @Test func aUserDeactivatedInTheDatabaseIsRefusedSoonAfterTheirCallerWasKept() async throws {
        try await TestGateway.run { api in
            let user = try await api.createUser()
            try await Self.waitForTheListener(api)
            #expect(try await api.get("/api/v1/users/me", token: user.token).status == .ok)
            #expect(try await api.get("/api/v1/users/me", token: user.token).status == .ok)
            try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("UPDATE users SET is_active = false WHERE id = \(user.id)")
            }
            // Well before the cache's time to live: only the notification can do it.
            let refused = await eventually(within: .seconds(3)) {
                (try? await api.get("/api/v1/users/me", token: user.token).status) == .badRequest
            }
            #expect(refused)
        }
    }

    @Test func aMembershipRemovedInTheDatabaseEndsAccessToTheOrganizationSoon() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            let organization = try await api.createOrganization(admin: alice)
            try await api.addMember(bob, to: organization, by: alice)
            try await Self.waitForTheListener(api)
            let subject = try await api.post("/api/v1/subjects/?organization_id=\(organization)", token: alice.token, json: ["name": "Anna"])
            let id = try #require(subject.json["id"].uuid)
            #expect(try await api.get("/api/v1/subjects/\(id)", token: bob.token).status == .ok)
            try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("DELETE FROM memberships WHERE user_id = \(bob.id)")
            }
            let lost = await eventually(within: .seconds(3)) {
                (try? await api.get("/api/v1/subjects/\(id)", token: bob.token).status) == .notFound
            }
            #expect(lost)
        }
    }

    @Test func membershipsChangedThroughTheAPIApplyToTheVeryNextRequest() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            try await Self.waitForTheListener(api)
            #expect(try await api.get("/api/v1/users/me", token: alice.token).status == .ok)
            #expect(try await api.get("/api/v1/users/me", token: bob.token).status == .ok)
            let organization = try await api.createOrganization(admin: alice)
            #expect(try await api.get("/api/v1/subjects/?organization_id=\(organization)", token: alice.token).status == .ok)
            #expect(try await api.get("/api/v1/subjects/?organization_id=\(organization)", token: bob.token).status == .forbidden)
            try await api.addMember(bob, to: organization, by: alice)
            #expect(try await api.get("/api/v1/subjects/?organization_id=\(organization)", token: bob.token).status == .ok)
            #expect(try await api.delete("/api/v1/organizations/\(organization)/members/\(bob.id)", token: alice.token).status == .ok)
            #expect(try await api.get("/api/v1/subjects/?organization_id=\(organization)", token: bob.token).status == .forbidden)
        }
    }

    // MARK: The cache itself

    @Test func callersAreKeptOnlyWhileChangesAreHeard() async throws {
        let cache = CallerCache()
        let reads = ReadCounter()
        let user = Self.user()
        func read() async throws -> CurrentUser? { try await cache.user(user.id) { reads.count(); return user } }
        _ = try await read()
        _ = try await read()
        #expect(reads.value == 2)
        cache.listening()
        _ = try await read()
        _ = try await read()
        #expect(reads.value == 3)
        cache.deaf()
        _ = try await read()
        #expect(reads.value == 4)
    }

    @Test func aReadThatBeganBeforeAChangeIsNotKept() async throws {
        let cache = CallerCache()
        cache.listening()
        let reads = ReadCounter()
        let user = Self.user()
        _ = try await cache.user(user.id) {
            reads.count()
            // The change lands while the (old) row is on its way.
            cache.forget(user.id)
            return user
        }
        _ = try await cache.user(user.id) { reads.count(); return user }
        #expect(reads.value == 2)
        _ = try await cache.user(user.id) { reads.count(); return user }
        #expect(reads.value == 2)
    }

    @Test func aCallerIsReadAgainAfterItsTimeToLive() async throws {
        let cache = CallerCache(timeToLive: .milliseconds(50))
        cache.listening()
        let reads = ReadCounter()
        let user = Self.user()
        _ = try await cache.user(user.id) { reads.count(); return user }
        try await Task.sleep(for: .milliseconds(80))
        _ = try await cache.user(user.id) { reads.count(); return user }
        #expect(reads.value == 2)
    }

    @Test func aFullCacheStartsOverInsteadOfGrowing() async throws {
        let cache = CallerCache(capacity: 2)
        cache.listening()
        let reads = ReadCounter()
        let users = (0..<3).map { _ in Self.user() }
        for user in users { _ = try await cache.user(user.id) { reads.count(); return user } }
        // The third emptied the cache: the first is read again, the third is kept.
        _ = try await cache.user(users[0].id) { reads.count(); return users[0] }
        _ = try await cache.user(users[2].id) { reads.count(); return users[2] }
        #expect(reads.value == 4)
    }

    // MARK: Helpers

    static func user() -> CurrentUser {
        CurrentUser(id: UUID(), email: "a@example.com", fullName: nil, isActive: true, isSuperuser: false, organizationIDs: [])
    }

    /// Callers are kept only once the gateway listens for their changes.
    static func waitForTheListener(_ api: GatewayClient) async throws {
        let listening = await eventually(within: .seconds(10)) {
            (try? await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%caller_changed%' AND pid <> pg_backend_pid()"
                ).one(Int.self)
            }) == 1
        }
        try #require(listening)
    }
}

private final class ReadCounter: Sendable {
    private let reads = Mutex(0)
    func count() { reads.withLock { $0 += 1 } }
    var value: Int { reads.withLock { $0 } }
}
