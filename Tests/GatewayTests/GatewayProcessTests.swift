import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Shared
import Testing
import TestSupport

/// The gateway executable as a real process: start-up checks and shutdown.
@Suite("Gateway process", .tags(.slow), .slowTestsEnabled)
struct GatewayProcessTests {
    // MARK: Tests

    @Test func badConfigurationStopsStartUpNamingTheVariable() async throws {
        let gateway = try ChildProcess(Binaries.gateway, environment: ["PORT": "not-a-port", "LOG_FORMAT": "yaml"])
        #expect(await gateway.exitStatus(within: .seconds(60)) == 78)
        #expect(gateway.output.contains("PORT"))
        #expect(gateway.output.contains("LOG_FORMAT"))
    }

    @Test func productionWithTheDefaultSecretKeyRefusesToStart() async throws {
        let gateway = try ChildProcess(
            Binaries.gateway, environment: ["ENVIRONMENT": "production", "FIRST_SUPERUSER_PASSWORD": "a-real-password"]
        )
        #expect(await gateway.exitStatus(within: .seconds(60)) == 78)
        #expect(gateway.output.contains("SECRET_KEY"))
    }

    @Test func stagingWithoutItsOwnSuperuserPasswordRefusesToStart() async throws {
        let gateway = try ChildProcess(
            Binaries.gateway, environment: ["ENVIRONMENT": "staging", "SECRET_KEY": String(repeating: "k", count: 40)]
        )
        #expect(await gateway.exitStatus(within: .seconds(60)) == 78)
        #expect(gateway.output.contains("FIRST_SUPERUSER_PASSWORD"))
        #expect(!gateway.output.contains("SECRET_KEY"))
    }

    @Test func migrateAppliesTheSchemaAndServeStopsOnSigterm() async throws {
        try await TestDatabase.withFresh { url in
            let port = try freeLoopbackPort()
            let environment = [
                "DATABASE_URL": url.environmentValue,
                "PORT": String(port), "BCRYPT_COST": "4", "LOG_FORMAT": "json",
                "FIRST_SUPERUSER_PASSWORD": "process-test-password",
            ]
            let migrate = try ChildProcess(Binaries.gateway, arguments: ["migrate"], environment: environment)
            #expect(await migrate.exitStatus(within: .seconds(30)) == 0, "\(migrate.output)")

            let gateway = try ChildProcess(Binaries.gateway, arguments: ["serve"], environment: environment)
            let ready = await eventually(within: .seconds(20)) {
                guard let (_, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/readyz")!) else {
                    return false
                }
                return (response as? HTTPURLResponse)?.statusCode == 200
            }
            #expect(ready, "\(gateway.output)")
            gateway.signal(SIGTERM)
            #expect(await gateway.exitStatus(within: .seconds(15)) == 0, "\(gateway.output)")
            // JSON logs: every line is one object, and no password appears in them.
            let lines = gateway.output.split(separator: "\n")
            #expect(!lines.isEmpty)
            #expect(lines.allSatisfy { (try? JSONParser.parse(Array($0.utf8))) != nil })
            #expect(!gateway.output.contains("process-test-password"))
        }
    }
}
