import Foundation
import PostgresNIO
import Shared
import Testing

/// A user with a set design and a subject to upload base images for.
public struct UploadSetup: Sendable {
    public var user: TestUser
    public var design: UUID
    public var subject: UUID
    public var uploadPath: String { "/api/v1/set-designs/\(design)/base-images/upload?subject_id=\(subject)" }

    public static func make(_ api: GatewayClient, _ email: String = "alice@example.com") async throws -> UploadSetup {
        let user = try await api.createUser(email)
        let subject = try await api.createSubject(by: user)
        let design = try #require(try await api.post("/api/v1/set-designs/", token: user.token, json: ["name": "Look"]).json["id"].uuid)
        return UploadSetup(user: user, design: design, subject: subject)
    }
}

/// An upload accepted by a gateway, waiting for a worker.
public struct PendingUpload: Sendable {
    public var api: GatewayClient
    public var token: String
    public var task: UUID
    public var path: String

    public init(api: GatewayClient, token: String, task: UUID, path: String) {
        self.api = api
        self.token = token
        self.task = task
        self.path = path
    }

    /// A user, a front shot type, a design and `archive` uploaded, with no worker yet.
    public static func make(_ api: GatewayClient, _ archive: [UInt8]) async throws -> PendingUpload {
        let setup = try await UploadSetup.make(api)
        _ = try await api.createShotType(by: setup.user)
        let response = try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(archive))
        return PendingUpload(api: api, token: setup.user.token, task: try #require(response.json["id"].uuid), path: setup.uploadPath)
    }
}

extension ArchiveBuilder {
    /// One front/full-body image, zipped by Info-ZIP.
    public static func oneImage() throws -> [UInt8] {
        var builder = try ArchiveBuilder()
        defer { builder.remove() }
        try builder.add("front_full_body.jpg", image: "baseline_64x48.jpg")
        return try builder.archive()
    }

    /// An archive long enough to be caught mid-way: one image for the front
    /// shot type and 5,000 that match nothing.
    public static let long: [UInt8] = {
        var builder = try! ArchiveBuilder()
        defer { builder.remove() }
        try! builder.add("front_full_body.jpg", image: "progressive_65x33.jpg")
        let image = try! Fixtures.imageBytes("baseline_64x48.jpg")
        for index in 0..<5000 { try! builder.add(String(format: "other/unknown_%04d.jpg", index), image) }
        return try! builder.archive(with: .python)
    }()
}

extension GatewayClient {
    /// Tasks, stored archives and writes in progress in the database: what an upload left behind.
    public func uploadLeftovers() async throws -> Int {
        try await TestDatabase.withClient(databaseURL) { client in
            try await client.query(
                """
                SELECT (SELECT count(*) FROM upload_tasks)
                     + (SELECT count(*) FROM blobs WHERE key LIKE 'uploads/%' OR key LIKE 'staging/%')
                """
            ).one(Int.self)
        }
    }
}
