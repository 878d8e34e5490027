import Foundation
import NIOCore
import Shared
import Testing
import TestSupport

@testable import GatewayApp

@Suite("Login and bearer tokens")
struct LoginTests {
    // MARK: Tests

    @Test func aCorrectPasswordGivesABearerTokenThatReadsTheUser() async throws {
        try await TestGateway.run { api in
            let response = try await api.login(TestGateway.superuserEmail, TestGateway.superuserPassword)
            #expect(response.status == .ok)
            #expect(response.json.keys == ["access_token", "token_type"])
            #expect(response.json["token_type"] == "bearer")
            let token = try #require(response.json["access_token"].string)

            let me = try await api.get("/api/v1/users/me", token: token)
            #expect(me.status == .ok)
            #expect(me.json.keys == ["email", "is_active", "is_superuser", "full_name", "id"])
            #expect(me.json["email"].string == TestGateway.superuserEmail)
            #expect(me.json["is_superuser"].bool == true)
        }
    }

    @Test func theEmailIsMatchedRegardlessOfCase() async throws {
        try await TestGateway.run { api in
            let response = try await api.login(TestGateway.superuserEmail.uppercased(), TestGateway.superuserPassword)
            #expect(response.status == .ok)
        }
    }

    @Test func aWrongPasswordOrUnknownEmailIsTheSame400() async throws {
        try await TestGateway.run { api in
            for (email, password) in [(TestGateway.superuserEmail, "wrong-password"), ("nobody@example.com", "whatever")] {
                let response = try await api.login(email, password)
                #expect(response.status == .badRequest)
                #expect(response.json == ["detail": "Incorrect email or password"])
            }
        }
    }

    @Test func anInactiveUserCannotLogIn() async throws {
        try await TestGateway.run { api in
            let created = try await api.post(
                "/api/v1/users/", token: try await api.superuserToken(),
                json: ["email": "inactive@example.com", "password": "password-123", "is_active": .bool(false)]
            )
            #expect(created.status == .ok)
            let response = try await api.login("inactive@example.com", "password-123")
            #expect(response.status == .badRequest)
            #expect(response.json["detail"] == "Incorrect email or password")
        }
    }

    @Test func aLoginFormWithoutFieldsListsEachMissingField() async throws {
        try await TestGateway.run { api in
            let response = try await api.request(
                .post, "/api/v1/login/access-token", headers: [.contentType: "application/x-www-form-urlencoded"]
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.json.issueTypes == ["missing", "missing"])
            #expect(response.json["detail"][0]["loc"] == .array(["body", "username"]))
            #expect(response.json["detail"][1]["loc"] == .array(["body", "password"]))
            #expect(response.json["detail"][0]["msg"] == "Field required")
        }
    }

    @Test func aLoginBodyOverItsFewKiBIs413WithDetail() async throws {
        try await TestGateway.run { api in
            // 4 MiB of `k1&k2&…` once cost minutes of CPU before any check.
            var form = ""
            var index = 0
            while form.utf8.count < 4 << 20 {
                form += "k\(index)&"
                index += 1
            }
            for body in [form, String(repeating: "a", count: RequestInput.maxFormBodyBytes + 1)] {
                let response = try await api.request(
                    .post, "/api/v1/login/access-token", body: ByteBuffer(string: body),
                    headers: [.contentType: "application/x-www-form-urlencoded"]
                )
                #expect(response.status == .contentTooLarge)
                #expect(response.json == ["detail": "Request body is too large"])
            }
            // A form within the limit with the longest password a user may have still logs in.
            let password = String(repeating: "%&+é", count: 32)
            let user = try await api.createUser(password: password)
            #expect(try await api.login(user.email, password).status == .ok)
        }
    }

    @Test func aRequestWithoutATokenIs401WithBearerChallenge() async throws {
        try await TestGateway.run { api in
            let response = try await api.get("/api/v1/users/me", token: nil)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate] == "Bearer")
            #expect(response.json == ["detail": "Not authenticated"])
        }
    }

    @Test func aNonBearerAuthorizationHeaderIsNotAuthenticated() async throws {
        try await TestGateway.run { api in
            let response = try await api.request(
                .get, "/api/v1/users/me", headers: [.authorization: "Basic cm9vdDpyb290"]
            )
            #expect(response.status == .unauthorized)
            #expect(response.json == ["detail": "Not authenticated"])
        }
    }

    @Test func malformedForgedAndExpiredTokensCannotBeValidated() async throws {
        try await TestGateway.run { api in
            let user = try await api.createUser()
            let forger = await TokenService(secretKey: "another-secret-key-that-is-long-enough-0123", lifetime: .seconds(600))
            let genuine = await TokenService(secretKey: TestGateway.secretKey, lifetime: .seconds(600))
            let forged = try await forger.issue(userID: user.id)
            let expired = try await genuine.issue(userID: user.id, now: Date(timeIntervalSinceNow: -3600))
            for token in ["not-a-jwt", "a.b.c", forged, expired, user.token + "x"] {
                let response = try await api.get("/api/v1/users/me", token: token)
                #expect(response.status == .unauthorized, "token \(token)")
                #expect(response.json == ["detail": "Could not validate credentials"])
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
        }
    }

    @Test func aValidTokenForADeletedUserIsRefused() async throws {
        try await TestGateway.run { api in
            let user = try await api.createUser()
            try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("DELETE FROM users WHERE id = \(user.id)")
            }
            let response = try await api.get("/api/v1/users/me", token: user.token)
            #expect(response.status == .unauthorized)
        }
    }

    @Test func aDeactivatedUsersTokenStopsWorking() async throws {
        try await TestGateway.run { api in
            let user = try await api.createUser()
            try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("UPDATE users SET is_active = false WHERE id = \(user.id)")
            }
            let response = try await api.get("/api/v1/users/me", token: user.token)
            #expect(response.status == .badRequest)
            #expect(response.json == ["detail": "Inactive user"])
        }
    }

    @Test func theTokenCarriesTheUserIdAsSubjectAndAWholeSecondExpiry() async throws {
        try await TestGateway.run { api in
            let user = try await api.createUser()
            let payloadPart = try #require(user.token.split(separator: ".").dropFirst().first)
            var base64 = payloadPart.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while base64.count % 4 != 0 { base64 += "=" }
            let payload = try JSONParser.parse(Array(try #require(Data(base64Encoded: base64))))
            #expect(payload["sub"].uuid == user.id)
            let expiry = try #require(payload["exp"].int)
            let expected = Int(Date().timeIntervalSince1970) + 11_520 * 60
            #expect(abs(expiry - expected) < 60)
        }
    }
}
