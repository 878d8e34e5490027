import Foundation
import HummingbirdTesting
import Shared
import Testing
import TestSupport

@Suite("Users")
struct UsersTests {
    // MARK: Tests

    @Test func theFirstSuperuserIsCreatedOnceAcrossRestarts() async throws {
        try await TestDatabase.withFresh { url in
            for _ in 0..<2 {
                let config = TestGateway.config(database: url)
                let app = try await TestGateway.build(config)
                try await LiveServer.run(app) { _, _ in }
            }
            let count = try await TestDatabase.withClient(url) { client in
                let rows = try await client.query("SELECT count(*) FROM users WHERE email = \(TestGateway.superuserEmail)")
                for try await count in rows.decode(Int.self) { return count }
                return -1
            }
            #expect(count == 1)
        }
    }

    @Test func aStartUpThatCannotCreateTheFirstSuperuserFailsWithThatErrorAndNeverListens() async throws {
        try await TestDatabase.withFresh { url in
            try await TestDatabase.withClient(url) { client in
                try await client.query("ALTER TABLE users ADD CONSTRAINT no_new_users CHECK (false) NOT VALID")
            }
            let app = try await TestGateway.build(TestGateway.config(database: url))
            await #expect {
                try await LiveServer.run(app) { _, _ in Issue.record("the server listened") }
            } throws: { error in
                DatabaseFailure(error) == .checkViolation(constraint: "no_new_users")
            }
        }
    }

    @Test func aSuperuserCreatesAUserWhoCanLogIn() async throws {
        try await TestGateway.run { api in
            let response = try await api.post(
                "/api/v1/users/", token: try await api.superuserToken(),
                json: ["email": "new@example.com", "password": "password-123", "full_name": "New Person"]
            )
            #expect(response.status == .ok)
            #expect(response.json["email"] == "new@example.com")
            #expect(response.json["full_name"] == "New Person")
            #expect(response.json["is_superuser"].bool == false)
            #expect(response.json["is_active"].bool == true)
            #expect(!response.text.contains("password"))
            #expect(try await api.login("new@example.com", "password-123").status == .ok)
        }
    }

    @Test func passwordsAreStoredAsBcryptHashes() async throws {
        try await TestGateway.run { api in
            let user = try await api.createUser(password: "plain-text-secret")
            let stored = try await TestDatabase.withClient(api.databaseURL) { client in
                let rows = try await client.query("SELECT hashed_password FROM users WHERE id = \(user.id)")
                for try await hash in rows.decode(String.self) { return hash }
                return ""
            }
            #expect(stored.hasPrefix("$2b$") || stored.hasPrefix("$2a$") || stored.hasPrefix("$2y$"))
            #expect(!stored.contains("plain-text-secret"))
        }
    }

    @Test func aDuplicateEmailInAnyCaseIsAConflict() async throws {
        try await TestGateway.run { api in
            _ = try await api.createUser("dup@example.com")
            let response = try await api.post(
                "/api/v1/users/", token: try await api.superuserToken(),
                json: ["email": "DUP@example.com", "password": "password-123"]
            )
            #expect(response.status == .conflict)
            #expect(response.json["detail"].string != nil)
        }
    }

    @Test func onlySuperusersCreateAndListUsers() async throws {
        try await TestGateway.run { api in
            let user = try await api.createUser()
            let create = try await api.post(
                "/api/v1/users/", token: user.token, json: ["email": "x@example.com", "password": "password-123"]
            )
            #expect(create.status == .forbidden)
            #expect(create.json == ["detail": "The user doesn't have enough privileges"])
            let list = try await api.get("/api/v1/users/", token: user.token)
            #expect(list.status == .forbidden)
        }
    }

    @Test func theUserListCountsEveryUserAndPages() async throws {
        try await TestGateway.run { api in
            for index in 0..<3 { _ = try await api.createUser("u\(index)@example.com") }
            let token = try await api.superuserToken()
            let page = try await api.get("/api/v1/users/?skip=1&limit=2", token: token)
            #expect(page.status == .ok)
            #expect(page.json["count"].int == 4)
            #expect(page.json["data"].array?.count == 2)
            let beyond = try await api.get("/api/v1/users/?skip=10", token: token)
            #expect(beyond.json["count"].int == 4)
            #expect(beyond.json["data"].array?.isEmpty == true)
        }
    }

    @Test func aUserCreateReportsEveryProblemAtOnce() async throws {
        try await TestGateway.run { api in
            let response = try await api.post(
                "/api/v1/users/", token: try await api.superuserToken(),
                json: ["email": "not-an-email", "password": "short", "full_name": .string(String(repeating: "x", count: 256)), "is_superuser": "perhaps"]
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.json.issueTypes == ["value_error", "string_too_short", "string_too_long", "bool_parsing"])
            #expect(response.json["detail"][2]["ctx"] == ["max_length": .int(255)])
            #expect(response.json["detail"][1]["msg"] == "String should have at least 8 characters")
        }
    }
}
