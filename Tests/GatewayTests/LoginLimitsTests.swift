import Foundation
import HTTPTypes
import NIOCore
import PostgresNIO
import Shared
import Testing
import TestSupport

/// Failed-login limits (CONTRACT §3) and logins under load.
@Suite("Login limits")
struct LoginLimitsTests {
    /// The window of every subject's failures moved `seconds` into the past, as if that time had passed.
    static func age(_ api: GatewayClient, by seconds: Int) async throws {
        try await TestDatabase.withClient(api.databaseURL) { client in
            try await client.query(
                "UPDATE login_failures SET window_started_at = window_started_at - \(Double(seconds)) * interval '1 second'"
            )
        }
    }

    // MARK: Tests

    @Test func afterTooManyFailuresAnAccountIs429EvenWithTheRightPasswordUntilItsWindowPasses() async throws {
        try await TestGateway.run(configure: { $0.loginMaxFailures = 3; $0.loginFailureWindowSeconds = 900 }) { api in
            let alice = try await api.createUser("alice@example.com")
            let bob = try await api.createUser("bob@example.com")
            for _ in 0..<3 { #expect(try await api.login(alice.email, "wrong-password").status == .badRequest) }
            let locked = try await api.login(alice.email, alice.password)
            #expect(locked.status == .tooManyRequests)
            let retryAfter = try #require(locked.headers[.retryAfter].flatMap(Int.init))
            #expect((1...900).contains(retryAfter))
            #expect(locked.json["detail"].string?.isEmpty == false)
            // The email as typed in another case is the same account.
            #expect(try await api.login("ALICE@example.com", alice.password).status == .tooManyRequests)
            // Other accounts are not affected.
            #expect(try await api.login(bob.email, bob.password).status == .ok)
            try await Self.age(api, by: 901)
            #expect(try await api.login(alice.email, alice.password).status == .ok)
        }
    }

    @Test func aSuccessfulLoginClearsItsAccountsFailures() async throws {
        try await TestGateway.run(configure: { $0.loginMaxFailures = 3 }) { api in
            let alice = try await api.createUser("alice@example.com")
            for _ in 0..<2 { #expect(try await api.login(alice.email, "wrong-password").status == .badRequest) }
            #expect(try await api.login(alice.email, alice.password).status == .ok)
            for _ in 0..<2 { #expect(try await api.login(alice.email, "wrong-password").status == .badRequest) }
            #expect(try await api.login(alice.email, alice.password).status == .ok)
        }
    }

    @Test func unknownEmailsAreLimitedLikeAccountsSoTheAnswerRevealsNothing() async throws {
        try await TestGateway.run(configure: { $0.loginMaxFailures = 2 }) { api async throws in
            for _ in 0..<2 { #expect(try await api.login("nobody@example.com", "whatever-1").status == .badRequest) }
            #expect(try await api.login("nobody@example.com", "whatever-1").status == .tooManyRequests)
        }
    }

    @Test func aClientAddressHasALimitOfItsOwnAcrossAccountsAndOnlyATrustedProxyNamesIt() async throws {
        try await TestGateway.run(configure: { $0.loginMaxFailuresPerAddress = 4; $0.loginMaxFailures = 10 }) { api in
            let alice = try await api.createUser("alice@example.com")
            for index in 0..<4 { #expect(try await api.login("guess\(index)@example.com", "wrong-password").status == .badRequest) }
            #expect(try await api.login(alice.email, alice.password).status == .tooManyRequests)
            // Behind the (trusted, loopback) proxy, another client is someone else.
            let form = ByteBuffer(string: "username=alice%40example.com&password=\(alice.password)")
            let proxied = try await api.request(
                .post, "/api/v1/login/access-token", body: form,
                headers: [.contentType: "application/x-www-form-urlencoded", HTTPField.Name("X-Real-IP")!: "198.51.100.7"]
            )
            #expect(proxied.status == .ok)
        }
        try await TestGateway.run(configure: { $0.loginMaxFailuresPerAddress = 2; $0.forwardedAllowIPs = ["192.0.2.1"] }) { api in
            for index in 0..<2 { #expect(try await api.login("guess\(index)@example.com", "wrong-password").status == .badRequest) }
            // A peer that is not a trusted proxy cannot pick another address by a header.
            let form = ByteBuffer(string: "username=x%40example.com&password=wrong-password")
            let spoofed = try await api.request(
                .post, "/api/v1/login/access-token", body: form,
                headers: [.contentType: "application/x-www-form-urlencoded", HTTPField.Name("X-Real-IP")!: "198.51.100.8"]
            )
            #expect(spoofed.status == .tooManyRequests)
        }
    }

    @Test func parallelWrongPasswordsGetNoMoreGuessesThanTheLimit() async throws {
        try await TestGateway.run(configure: { $0.loginMaxFailures = 3 }) { api in
            let alice = try await api.createUser("alice@example.com")
            // 12 guesses at once, each over its own connection.
            let guesses = """
                import http.client, sys, threading, collections
                port = int(sys.argv[1]); statuses = collections.Counter(); lock = threading.Lock(); start = threading.Barrier(12)
                def guess(n):
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    c.connect(); start.wait()
                    c.request("POST", "/api/v1/login/access-token", body=f"username=alice%40example.com&password=guess-{n}",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
                    r = c.getresponse(); r.read()
                    with lock: statuses[r.status] += 1
                threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
                [t.start() for t in threads]; [t.join() for t in threads]
                print(" ".join(f"{k}:{v}" for k, v in sorted(statuses.items())))
                """
            let process = try ChildProcess(
                URL(fileURLWithPath: "/usr/bin/python3"), arguments: ["-c", guesses, String(api.port)],
                environment: ProcessInfo.processInfo.environment
            )
            #expect(await process.exitStatus(within: .seconds(120)) == 0, "\(process.output)")
            let counts = Dictionary(
                uniqueKeysWithValues: process.output.split(whereSeparator: \.isWhitespace).map { pair in
                    let parts = pair.split(separator: ":")
                    return (String(parts[0]), Int(parts[1]) ?? 0)
                }
            )
            // Only as many passwords were checked as the limit allows; no other answer but a saturated hasher's.
            #expect((counts["400"] ?? 0) <= 3, "\(counts)")
            #expect((counts["429"] ?? 0) >= 9 - (counts["503"] ?? 0), "\(counts)")
            #expect(Set(counts.keys).isSubset(of: ["400", "429", "503"]), "\(counts)")
            #expect(try await api.login(alice.email, alice.password).status == .tooManyRequests)
        }
    }

    @Test func attemptsRefusedAt429NeverCountAgainstTheAccountsTheyName() async throws {
        try await TestGateway.run(configure: { $0.loginMaxFailuresPerAddress = 2; $0.loginMaxFailures = 3 }) { api in
            let alice = try await api.createUser("alice@example.com")
            for index in 0..<2 { #expect(try await api.login("guess\(index)@example.com", "wrong-password").status == .badRequest) }
            // This address is at its limit: its attempts at alice are refused, and not counted.
            for _ in 0..<5 { #expect(try await api.login(alice.email, "wrong-password").status == .tooManyRequests) }
            let fromElsewhere = try await api.request(
                .post, "/api/v1/login/access-token",
                body: ByteBuffer(string: "username=alice%40example.com&password=\(alice.password)"),
                headers: [.contentType: "application/x-www-form-urlencoded", HTTPField.Name("X-Real-IP")!: "198.51.100.9"]
            )
            #expect(fromElsewhere.status == .ok)
        }
    }

    @Test func anIPv6ClientIsCountedByItsSlash64() async throws {
        try await TestGateway.run(configure: { $0.loginMaxFailuresPerAddress = 2; $0.loginMaxFailures = 100 }) { api async throws in
            func login(from address: String, _ password: String = "wrong-password") async throws -> HTTPResponse.Status {
                try await api.request(
                    .post, "/api/v1/login/access-token", body: ByteBuffer(string: "username=x%40example.com&password=\(password)"),
                    headers: [.contentType: "application/x-www-form-urlencoded", HTTPField.Name("X-Real-IP")!: address]
                ).status
            }
            // Two addresses of one /64 (the loopback proxy is trusted) share its count.
            #expect(try await login(from: "2001:db8:1:2::a") == .badRequest)
            #expect(try await login(from: "2001:db8:1:2:ffff:1:2:3") == .badRequest)
            #expect(try await login(from: "2001:DB8:1:2::9") == .tooManyRequests)
            // The next /64 is someone else; an IPv4 client written as IPv6 is that IPv4 address.
            #expect(try await login(from: "2001:db8:1:3::a") == .badRequest)
            #expect(try await login(from: "203.0.113.5") == .badRequest)
            #expect(try await login(from: "::ffff:203.0.113.5") == .badRequest)
            #expect(try await login(from: "64:ff9b::203.0.113.5") == .tooManyRequests)
            #expect(try await login(from: "203.0.113.5") == .tooManyRequests)
            // `::1` is IPv6 loopback, not an IPv4 address.
            #expect(try await login(from: "::1") == .badRequest)
        }
    }

    @Test func aLoginFloodNeverAnswers500AndAnUploadInProgressStillCompletes() async throws {
        try await TestGateway.run(configure: { $0.loginMaxFailuresPerAddress = 1_000_000 }) { api in
            let setup = try await UploadSetup.make(api)
            let port = api.port
            // 8 clients, 5 wrong logins each, over their own connections.
            let flood = """
                import http.client, sys, threading, collections
                port = int(sys.argv[1]); statuses = collections.Counter(); lock = threading.Lock()
                def client(n):
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    for i in range(5):
                        c.request("POST", "/api/v1/login/access-token", body=f"username=u{n}-{i}%40example.com&password=wrong-password",
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
                        r = c.getresponse(); r.read()
                        with lock: statuses[r.status] += 1
                threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
                [t.start() for t in threads]; [t.join() for t in threads]
                print(" ".join(f"{k}:{v}" for k, v in sorted(statuses.items())))
                """
            // A child process, not `run`: the gateway needs the cooperative threads a blocking wait would hold.
            let floodProcess = try ChildProcess(
                URL(fileURLWithPath: "/usr/bin/python3"), arguments: ["-c", flood, String(port)],
                environment: ProcessInfo.processInfo.environment
            )
            // Meanwhile an 8 MB archive streams in.
            var builder = try ArchiveBuilder()
            defer { builder.remove() }
            try builder.add("front_full_body.jpg", image: "baseline_64x48.jpg")
            var random = SplitMix64(seed: 7)
            try builder.add("padding.bin", (0..<(8 << 17)).flatMap { _ in withUnsafeBytes(of: random.next()) { Array($0) } })
            let upload = try await api.withOwnConnection { connection in
                try await connection.upload(setup.uploadPath, token: setup.user.token, form: .file(try builder.archive()))
            }
            #expect(upload.status == .accepted)
            #expect(await floodProcess.exitStatus(within: .seconds(300)) == 0)
            let statuses = floodProcess.output.trimmingCharacters(in: .whitespacesAndNewlines)
            let counts = statuses.split(separator: " ").map { $0.split(separator: ":") }
            #expect(counts.reduce(0) { $0 + Int($1[1])! } == 40)
            #expect(counts.allSatisfy { ["400", "503"].contains($0[0]) }, "\(statuses)")
            // The gateway still logs people in.
            #expect(try await api.login(setup.user.email, setup.user.password).status == .ok)
        }
    }
}
