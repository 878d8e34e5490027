import Foundation
import GatewayApp
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Shared

/// The real gateway on a loopback port over a fresh database, driven through HTTP.
public enum TestGateway {
    public static let superuserEmail = "root@example.com"
    public static let superuserPassword = "superuser-password"
    /// At least 32 bytes: shorter HMAC keys trip an assertion in debug builds.
    public static let secretKey = "test-secret-key-0123456789abcdef-0123456789"

    /// The configuration tests start from: cheap bcrypt, small pool, port 0.
    public static func config(database: DatabaseURL) -> AppConfig {
        var config = AppConfig()
        config.database = database
        config.port = 0
        config.bcryptCost = 4
        config.databasePoolSize = 4
        config.secretKey = secretKey
        config.firstSuperuser = superuserEmail
        config.firstSuperuserPassword = superuserPassword
        config.logLevel = .warning
        return config
    }

    /// The application exactly as the executable builds it.
    public static func build(_ config: AppConfig) async throws -> some ApplicationProtocol {
        var logger = Logger(label: "gateway-test")
        logger.logLevel = config.logLevel
        return try await buildApplication(config: config, logger: logger)
    }

    public static func run<Result: Sendable>(
        configure: @Sendable (inout AppConfig) -> Void = { _ in },
        _ body: @escaping @Sendable (GatewayClient) async throws -> Result
    ) async throws -> Result {
        try await TestDatabase.withFresh { url in
            try await run(database: url, configure: configure, body)
        }
    }

    /// The gateway over a database the caller provides.
    public static func run<Result: Sendable>(
        database url: DatabaseURL, configure: @Sendable (inout AppConfig) -> Void = { _ in },
        _ body: @escaping @Sendable (GatewayClient) async throws -> Result
    ) async throws -> Result {
        var config = config(database: url)
        configure(&config)
        let app = try await build(config)
        let finalConfig = config
        return try await LiveServer.run(app) { client, port in
            try await body(GatewayClient(client: client, port: port, config: finalConfig))
        }
    }
}

/// A response with its body parsed as JSON when it is JSON.
public struct APIResponse: Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var body: ByteBuffer

    public var json: JSONValue {
        (try? JSONParser.parse(Array(body.readableBytesView))) ?? .string(String(buffer: body))
    }

    public var text: String { String(buffer: body) }
}

/// HTTP helpers over the test client: JSON, forms, tokens and factories.
public struct GatewayClient: Sendable {
    /// The connection requests go over: the test's, or one of its own (`withOwnConnection`).
    let client: TestClient
    /// The gateway's loopback port.
    public let port: Int
    public let config: AppConfig

    init(client: TestClient, port: Int, config: AppConfig) {
        self.client = client
        self.port = port
        self.config = config
    }

    /// Runs `body` with a client on a connection of its own, for requests
    /// meant to run concurrently with the test's (one connection answers one at a time).
    public func withOwnConnection<Result: Sendable>(_ body: (GatewayClient) async throws -> Result) async throws -> Result {
        let connection = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(20)))
        connection.connect()
        do {
            let result = try await body(GatewayClient(client: connection, port: port, config: config))
            try await connection.shutdown()
            return result
        } catch {
            try? await connection.shutdown()
            throw error
        }
    }

    public var databaseURL: DatabaseURL { config.database }

    public func request(
        _ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: JSONValue? = nil,
        body: ByteBuffer? = nil, headers: HTTPFields = [:]
    ) async throws -> APIResponse {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        if headers[.connection] == nil { headers[.connection] = "keep-alive" }
        var payload = body
        if let json {
            payload = ByteBuffer(bytes: JSONWriter.bytes(json))
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        }
        let response = try await client.execute(
            TestClient.Request(path, method: method, authority: "localhost", headers: headers, body: payload)
        )
        return APIResponse(status: response.status, headers: response.headers, body: response.body ?? ByteBuffer())
    }

    public func get(_ path: String, token: String?) async throws -> APIResponse {
        try await request(.get, path, token: token)
    }

    public func post(_ path: String, token: String?, json: JSONValue) async throws -> APIResponse {
        try await request(.post, path, token: token, json: json)
    }

    public func put(_ path: String, token: String?, json: JSONValue) async throws -> APIResponse {
        try await request(.put, path, token: token, json: json)
    }

    public func delete(_ path: String, token: String?) async throws -> APIResponse {
        try await request(.delete, path, token: token)
    }

    /// `POST /login/access-token` with a form body.
    public func login(_ email: String, _ password: String) async throws -> APIResponse {
        let form = "username=\(formEncode(email))&password=\(formEncode(password))"
        return try await request(
            .post, "/api/v1/login/access-token", body: ByteBuffer(string: form),
            headers: [.contentType: "application/x-www-form-urlencoded"]
        )
    }

    public func token(_ email: String, _ password: String) async throws -> String {
        let response = try await login(email, password)
        guard response.status == .ok, case .string(let token) = response.json["access_token"] else {
            throw TestFailure("login of \(email) failed: \(response.status) \(response.text)")
        }
        return token
    }

    public func superuserToken() async throws -> String {
        try await token(TestGateway.superuserEmail, TestGateway.superuserPassword)
    }

    /// A user created by the superuser through the API, logged in.
    public func createUser(
        _ email: String = "user-\(UUID().uuidString.prefix(8).lowercased())@example.com",
        password: String = "password-123", superuser: Bool = false
    ) async throws -> TestUser {
        let response = try await post(
            "/api/v1/users/", token: try await superuserToken(),
            json: ["email": .string(email), "password": .string(password), "is_superuser": .bool(superuser)]
        )
        guard response.status == .ok, let id = response.json["id"].uuid else {
            throw TestFailure("creating \(email) failed: \(response.status) \(response.text)")
        }
        return TestUser(id: id, email: email, password: password, token: try await token(email, password))
    }

    /// An organization created by `admin` through the API.
    public func createOrganization(_ name: String = "Org", admin: TestUser) async throws -> UUID {
        let response = try await post("/api/v1/organizations/", token: admin.token, json: ["name": .string(name)])
        guard response.status == .ok, let id = response.json["id"].uuid else {
            throw TestFailure("creating organization failed: \(response.status) \(response.text)")
        }
        return id
    }

    public func addMember(_ user: TestUser, to organization: UUID, by admin: TestUser, role: String = "member") async throws {
        let response = try await post(
            "/api/v1/organizations/\(organization)/members", token: admin.token,
            json: ["user_id": .uuid(user.id), "role": .string(role)]
        )
        guard response.status == .ok else {
            throw TestFailure("adding member failed: \(response.status) \(response.text)")
        }
    }

    private func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

public struct TestUser: Sendable {
    public var id: UUID
    public var email: String
    public var password: String
    public var token: String
}

public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

// MARK: Reading JSON in assertions

extension JSONValue {
    public subscript(key: String) -> JSONValue {
        if case .object(let object) = self { return object[key] ?? .null }
        return .null
    }

    public subscript(index: Int) -> JSONValue {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return .null
    }

    public var string: String? { if case .string(let value) = self { value } else { nil } }
    public var int: Int? { if case .int(let value) = self { value } else { nil } }
    public var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
    public var array: [JSONValue]? { if case .array(let value) = self { value } else { nil } }
    public var uuid: UUID? { string.flatMap(UUID.init(uuidString:)) }
    public var keys: [String] { if case .object(let object) = self { object.keys } else { [] } }

    /// The `type` of each element of a 422 `detail`, in order.
    public var issueTypes: [String] { self["detail"].array?.compactMap { $0["type"].string } ?? [] }
}
