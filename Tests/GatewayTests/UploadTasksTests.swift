import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import PostgresNIO
import Shared
import Testing
import TestSupport

/// The upload route and the task reads: everything before a worker runs.
@Suite("Base image uploads")
struct UploadTasksTests {
    static let fields: Set<String> = [
        "id", "owner_id", "set_design_id", "subject_id", "status", "progress", "total_items", "processed_items",
        "images_processed", "images_skipped", "error_message", "created_at", "started_at", "completed_at", "result_data",
        "subject_ids", "rematch_of",
    ]

    /// A design and a subject of a new user.
    // MARK: Tests

    @Test func aMultipartUploadIsAcceptedAsAPendingTaskWithTheDocumentedShape() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            let response = try await api.upload(
                setup.uploadPath, token: setup.user.token, form: .file(try ArchiveBuilder.oneImage(), filename: "looks.zip", contentType: "application/zip")
            )
            #expect(response.status == .accepted, "\(response.text)")
            let task = response.json
            #expect(Set(task.keys) == Self.fields)
            #expect(task["status"].string == "PENDING")
            #expect(task["owner_id"].uuid == setup.user.id)
            #expect(task["set_design_id"].uuid == setup.design && task["subject_id"].uuid == setup.subject)
            for counter in ["progress", "total_items", "processed_items", "images_processed", "images_skipped"] {
                #expect(task[counter].int == 0, "\(counter)")
            }
            for empty in ["error_message", "started_at", "completed_at", "result_data"] {
                #expect(task[empty] == .null, "\(empty)")
            }
            let id = try #require(task["id"].uuid)
            let read = try await api.get("/api/v1/set-designs/upload-tasks/\(id)", token: setup.user.token)
            #expect(read.status == .ok && read.json == task)
            let latest = try await api.get(
                "/api/v1/set-designs/\(setup.design)/base-images/upload-task?subject_id=\(setup.subject)", token: setup.user.token
            )
            #expect(latest.status == .ok && latest.json == task)
        }
    }

    @Test func aRawZipBodyIsAcceptedAndTheArchiveIsStoredWhole() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            let archive = try ArchiveBuilder.oneImage()
            let response = try await api.request(
                .post, setup.uploadPath, token: setup.user.token, body: ByteBuffer(bytes: archive), headers: [.contentType: "application/zip"]
            )
            #expect(response.status == .accepted, "\(response.text)")
            let id = try #require(response.json["id"].uuid)
            let stored = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("SELECT archive_size FROM upload_tasks WHERE id = \(id)").one(Int.self)
            }
            #expect(stored == archive.count)
        }
    }

    @Test func theUploadWakesWorkersThroughNotifyInItsTransaction() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            try await TestDatabase.withDatabase(api.databaseURL) { database in
                try await database.client.withConnection { connection in
                    try await connection.listen(on: UploadTaskStatus.queueChannel) { notifications in
                        let response = try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(try ArchiveBuilder.oneImage()))
                        #expect(response.status == .accepted)
                        var iterator = notifications.makeAsyncIterator()
                        let payload = try await iterator.next()?.payload
                        #expect(payload == response.json["id"].string)
                    }
                }
            }
        }
    }

    @Test func aFileThatIsNotAZipIs422AndLeavesNothing() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            for bytes in [try Fixtures.imageBytes("baseline_64x48.jpg"), Array("PK".utf8), []] {
                let response = try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(bytes))
                #expect(response.status == .unprocessableContent)
                #expect(
                    response.json == [
                        "detail": [["type": "value_error", "loc": ["body", "file"], "msg": "The uploaded file is not a ZIP archive", "input": .null]],
                    ]
                )
            }
            #expect(try await api.uploadLeftovers() == 0)
        }
    }

    @Test func anUploadOverTheLimitIs413AndLeavesNothing() async throws {
        try await TestGateway.run(configure: { $0.maxUploadBytes = 4096 }) { api in
            let setup = try await UploadSetup.make(api)
            var large = try ArchiveBuilder.oneImage()
            large += [UInt8](repeating: 0, count: 10_000)
            let response = try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(large))
            #expect(response.status == .contentTooLarge)
            #expect(response.json["detail"].string?.contains("4096") == true)
            #expect(try await api.uploadLeftovers() == 0)
        }
    }

    /// With the filesystem store the half-written archive is a file one can look for.
    @Test func aClientThatDisconnectsMidUploadLeavesNoTaskAndNoArchive() async throws {
        let root = NSTemporaryDirectory() + "uploads-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await TestGateway.run(configure: { $0.blobStore = .filesystem(path: root) }) { api in
            let setup = try await UploadSetup.make(api)
            // Half of a promised 40 MB body, then the connection is closed.
            let script = """
                import socket, sys, time
                port, path, token = int(sys.argv[1]), sys.argv[2], sys.argv[3]
                s = socket.create_connection(("127.0.0.1", port))
                s.sendall((f"POST {path} HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: Bearer {token}\\r\\n"
                           "Content-Type: application/zip\\r\\nContent-Length: 40000000\\r\\n\\r\\n").encode())
                s.sendall(b"PK\\x03\\x04" + bytes(20000000))
                time.sleep(0.5)
                s.close()
                """
            // A child process, not `run`: the gateway must read its bytes on the threads a blocking wait would hold.
            let client = try ChildProcess(
                URL(fileURLWithPath: "/usr/bin/python3"),
                arguments: ["-c", script, String(api.port), setup.uploadPath, setup.user.token],
                environment: ProcessInfo.processInfo.environment
            )
            #expect(await client.exitStatus(within: .seconds(60)) == 0, "\(client.output)")
            // Regular files anywhere under the store, staging area included.
            let files = {
                (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { path in
                    var isDirectory: ObjCBool = false
                    return FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory) && !isDirectory.boolValue
                }
            }
            // Whatever the gateway had begun is removed once it notices.
            let clean = try await eventually(within: .seconds(10)) {
                let tasks = try await TestDatabase.withClient(api.databaseURL) { client in
                    try await client.query("SELECT count(*) FROM upload_tasks").one(Int.self)
                }
                return tasks == 0 && files().isEmpty
            }
            #expect(clean, "\(files())")
            // And the gateway still serves.
            let response = try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(try ArchiveBuilder.oneImage()))
            #expect(response.status == .accepted)
            #expect(files().count == 1)
        }
    }

    @Test func badParametersAreValidatedBeforeTheBodyIsRead() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            let token = setup.user.token
            let form = MultipartForm.file(try ArchiveBuilder.oneImage())
            let badID = try await api.upload("/api/v1/set-designs/nope/base-images/upload?subject_id=x", token: token, form: form)
            #expect(badID.status == .unprocessableContent && badID.json.issueTypes == ["uuid_parsing", "uuid_parsing"])
            let unknownDesign = try await api.upload("/api/v1/set-designs/\(UUID())/base-images/upload?subject_id=\(setup.subject)", token: token, form: form)
            #expect(unknownDesign.status == .notFound)
            let unknownSubject = try await api.upload("/api/v1/set-designs/\(setup.design)/base-images/upload?subject_id=\(UUID())", token: token, form: form)
            #expect(unknownSubject.status == .unprocessableContent && unknownSubject.json["detail"][0]["loc"] == ["query", "subject_id"])
            let noFile = try await api.upload(setup.uploadPath, token: token, form: MultipartForm([.init(name: "other", bytes: [1])]))
            #expect(noFile.status == .unprocessableContent && noFile.json["detail"][0]["loc"] == ["body", "file"])
            let anonymous = try await api.upload(setup.uploadPath, token: nil, form: form)
            #expect(anonymous.status == .unauthorized)
            // The task reads refuse the same way.
            for path in [
                "/api/v1/set-designs/\(setup.design)/base-images/upload-task?subject_id=1",
                "/api/v1/set-designs/x/base-images/upload-task?subject_id=\(setup.subject)", "/api/v1/set-designs/upload-tasks/x/events",
            ] {
                #expect(try await api.get(path, token: token).status == .unprocessableContent, "\(path)")
            }
            #expect(try await api.uploadLeftovers() == 0)
        }
    }

    @Test func anotherTenantSeesNeitherTheDesignNorItsTasks() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            let task = try #require(
                try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(try ArchiveBuilder.oneImage())).json["id"].uuid
            )
            let mallory = try await api.createUser("mallory@example.com")
            let theirSubject = try await api.createSubject(by: mallory)
            let upload = try await api.upload(
                "/api/v1/set-designs/\(setup.design)/base-images/upload?subject_id=\(theirSubject)", token: mallory.token,
                form: .file(try ArchiveBuilder.oneImage())
            )
            #expect(upload.status == .notFound)
            #expect(try await api.get("/api/v1/set-designs/upload-tasks/\(task)", token: mallory.token).status == .notFound)
            #expect(try await api.get("/api/v1/set-designs/upload-tasks/\(task)/events", token: mallory.token).status == .notFound)
            let latest = try await api.get(
                "/api/v1/set-designs/\(setup.design)/base-images/upload-task?subject_id=\(setup.subject)", token: mallory.token
            )
            #expect(latest.status == .notFound)
            #expect(try await api.get("/api/v1/set-designs/upload-tasks/\(UUID())", token: setup.user.token).status == .notFound)
            #expect(try await api.get("/api/v1/set-designs/upload-tasks/zzz", token: setup.user.token).status == .unprocessableContent)
        }
    }

    @Test func deletingTheDesignDeletesItsTasksAndTheirArchives() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            let task = try #require(
                try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(try ArchiveBuilder.oneImage())).json["id"].uuid
            )
            #expect(try await api.uploadLeftovers() == 2)
            #expect(try await api.delete("/api/v1/set-designs/\(setup.design)", token: setup.user.token).status == .ok)
            #expect(try await api.uploadLeftovers() == 0)
            #expect(try await api.get("/api/v1/set-designs/upload-tasks/\(task)", token: setup.user.token).status == .notFound)
        }
    }

    @Test func theLatestTaskIsTheNewestOfThatSubjectAnd404WithoutOne() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            let latestPath = "/api/v1/set-designs/\(setup.design)/base-images/upload-task?subject_id=\(setup.subject)"
            #expect(try await api.get(latestPath, token: setup.user.token).status == .notFound)
            var ids: [UUID] = []
            for _ in 0..<3 {
                ids.append(try #require(try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(try ArchiveBuilder.oneImage())).json["id"].uuid))
            }
            #expect(try await api.get(latestPath, token: setup.user.token).json["id"].uuid == ids.last)
            let other = try await api.createSubject("Other", by: setup.user)
            let otherPath = "/api/v1/set-designs/\(setup.design)/base-images/upload-task?subject_id=\(other)"
            #expect(try await api.get(otherPath, token: setup.user.token).status == .notFound)
        }
    }
}

/// The live progress stream, read as it arrives.
@Suite("Upload task events")
struct UploadTaskEventsTests {
    @Test func theStreamSendsTheTaskAtOnceThenEachChangeAndEndsAfterTheLast() async throws {
        try await TestGateway.run(configure: { $0.progressKeepAliveSeconds = 0.1 }) { api in
            let setup = try await UploadSetup.make(api)
            let task = try #require(
                try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(try ArchiveBuilder.oneImage())).json["id"].uuid
            )
            var (response, events) = try await ProgressEvents.open(api, task: task, token: setup.user.token)
            #expect(response.status == .ok)
            #expect(response.headers["Content-Type"].first == "text/event-stream")
            #expect(try await events.nextTask()?["status"].string == "PENDING")

            try await ProgressEvents.change(api, task: task, "status = 'PROCESSING', total_items = 4, processed_items = 1, progress = 25")
            let processing = try #require(try await events.nextTask())
            #expect(processing["status"].string == "PROCESSING" && processing["progress"].int == 25)
            #expect(Set(processing.keys) == UploadTasksTests.fields)

            // Quiet: keep-alive comments flow.
            let comment = try await events.next()
            #expect(comment == ": keep-alive")

            try await ProgressEvents.change(api, task: task, "status = 'COMPLETED', processed_items = 4, progress = 100, completed_at = now()")
            #expect(try await events.nextTask()?["status"].string == "COMPLETED")
            #expect(try await events.nextTask() == nil)
        }
    }

    @Test func aReconnectingClientGetsTheCurrentStateAtOnce() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            let task = try #require(
                try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(try ArchiveBuilder.oneImage())).json["id"].uuid
            )
            try await ProgressEvents.change(api, task: task, "status = 'FAILED', error_message = 'The archive is empty.', completed_at = now()")
            var (_, events) = try await ProgressEvents.open(api, task: task, token: setup.user.token, lastEventID: "1")
            let current = try #require(try await events.nextTask())
            #expect(current["status"].string == "FAILED" && current["error_message"].string == "The archive is empty.")
            #expect(try await events.nextTask() == nil)
        }
    }

    @Test func theStreamEndsWhenTheDesignIsDeleted() async throws {
        try await TestGateway.run { api in
            let setup = try await UploadSetup.make(api)
            let task = try #require(
                try await api.upload(setup.uploadPath, token: setup.user.token, form: .file(try ArchiveBuilder.oneImage())).json["id"].uuid
            )
            var (_, events) = try await ProgressEvents.open(api, task: task, token: setup.user.token)
            #expect(try await events.nextTask()?["status"].string == "PENDING")
            #expect(try await api.delete("/api/v1/set-designs/\(setup.design)", token: setup.user.token).status == .ok)
            try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("SELECT pg_notify('upload_task_progress', \(task.uuidString.lowercased()))")
            }
            #expect(try await events.nextTask() == nil)
            #expect(try await api.get("/api/v1/set-designs/upload-tasks/\(task)", token: setup.user.token).status == .notFound)
        }
    }
}
