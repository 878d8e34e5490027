import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PostgresNIO
import Shared
import Testing
import TestSupport

/// The worker executable processing uploads as a real process: crashes,
/// SIGTERM, lost notifications and a killed LISTEN connection.
@Suite("Upload worker process", .tags(.slow), .slowTestsEnabled)
struct UploadWorkerProcessTests {
    static func environment(_ url: DatabaseURL, _ extra: [String: String] = [:]) -> [String: String] {
        [
            "DATABASE_URL": url.environmentValue,
            "LOG_LEVEL": "info", "WORKER_POLL_SECONDS": "0.2", "TASK_LEASE_SECONDS": "1", "WORKER_CONCURRENCY": "1",
        ].merging(extra) { $1 }
    }

    static func row(_ upload: PendingUpload) async throws -> (status: String, attempts: Int, processed: Int, total: Int, worker: String?) {
        try await TestDatabase.withClient(upload.api.databaseURL) { client in
            let rows = try await client.query(
                "SELECT status::text, attempts, processed_items, total_items, worker_id FROM upload_tasks WHERE id = \(upload.task)"
            )
            for try await (status, attempts, processed, total, worker) in rows.decode((String, Int32, Int32, Int32, String?).self) {
                return (status, Int(attempts), Int(processed), Int(total), worker)
            }
            throw TestFailure("no task \(upload.task)")
        }
    }

    static func baseImages(_ upload: PendingUpload) async throws -> Int {
        try await TestDatabase.withClient(upload.api.databaseURL) { client in
            try await client.query("SELECT count(*) FROM set_base_images").one(Int.self)
        }
    }

    /// Freezes the worker (SIGSTOP) as soon as it has claimed the upload, so
    /// what follows happens mid-task however fast or loaded the machine is.
    /// The watcher is a process of its own (psql in a loop): a poll in this
    /// test process can be starved by the other tests sharing its threads.
    static func stopMidTask(_ worker: ChildProcess, _ upload: PendingUpload) async throws {
        let watch = #"until [ "$(psql "$1" -XtAc "SELECT status FROM upload_tasks WHERE id = '$2'")" != PENDING ]; do :; done; kill -STOP "$3""#
        let watcher = try ChildProcess(
            URL(fileURLWithPath: "/bin/bash"),
            arguments: ["-c", watch, "watch", upload.api.databaseURL.environmentValue, upload.task.lowercasedString, String(worker.pid)],
            environment: ["PATH": "/usr/bin:/bin"]
        )
        let stopped = await watcher.exitStatus(within: .seconds(30)) == 0
        let row = try await Self.row(upload)
        guard stopped, row.status == "PROCESSING" else {
            throw TestFailure("the worker was not caught mid-task: \(row) \(watcher.output) \(worker.output)")
        }
    }

    // MARK: Tests

    @Test func aWorkerKilledMidTaskIsReplacedAfterTheLeaseWithoutDuplicates() async throws {
        try await TestGateway.run { api in
            let upload = try await PendingUpload.make(api, ArchiveBuilder.long)
            let first = try ChildProcess(Binaries.worker, environment: Self.environment(api.databaseURL))
            try await Self.stopMidTask(first, upload)
            first.signal(SIGKILL)
            _ = await first.exitStatus(within: .seconds(10))
            #expect(try await Self.row(upload).status == "PROCESSING")

            let second = try ChildProcess(Binaries.worker, environment: Self.environment(api.databaseURL))
            let done = try await eventually(within: .seconds(60)) { try await Self.row(upload).status == "COMPLETED" }
            #expect(done, "\(second.output)")
            #expect(try await Self.row(upload).attempts == 2)
            #expect(try await Self.baseImages(upload) == 1)
            let task = try await api.get("/api/v1/set-designs/upload-tasks/\(upload.task)", token: upload.token).json
            #expect(task["total_items"].int == 5001 && task["images_processed"].int == 1 && task["images_skipped"].int == 5000)
            second.signal(SIGTERM)
            #expect(await second.exitStatus(within: .seconds(10)) == 0)
        }
    }

    @Test func aWorkerKilledWhileHoldingSeveralTasksHasThemFinishedByAnotherEachClaimCountedOnce() async throws {
        try await TestGateway.run { api in
            var uploads = [try await PendingUpload.make(api, ArchiveBuilder.long)]
            for _ in 0..<2 {
                let response = try await api.upload(uploads[0].path, token: uploads[0].token, form: .file(ArchiveBuilder.long))
                uploads.append(PendingUpload(api: api, token: uploads[0].token, task: try #require(response.json["id"].uuid), path: uploads[0].path))
            }
            let environment = Self.environment(api.databaseURL, ["WORKER_CONCURRENCY": "3"])  // a lease of 1 s
            let doomed = try ChildProcess(Binaries.worker, environment: environment)
            // kill -9 as soon as it holds all three: a watcher of its own, as in stopMidTask.
            let watch = #"until [ "$(psql "$1" -XtAc "SELECT count(*) FROM upload_tasks WHERE status = 'PROCESSING'")" = 3 ]; do :; done; kill -KILL "$2""#
            let watcher = try ChildProcess(
                URL(fileURLWithPath: "/bin/bash"),
                arguments: ["-c", watch, "watch", api.databaseURL.environmentValue, String(doomed.pid)], environment: ["PATH": "/usr/bin:/bin"]
            )
            #expect(await watcher.exitStatus(within: .seconds(30)) == 0, "\(watcher.output) \(doomed.output)")
            #expect(await doomed.exitStatus(within: .seconds(10)) != 0)
            for upload in uploads {
                let row = try await Self.row(upload)
                #expect(row.status == "PROCESSING" && row.attempts == 1 && row.worker?.contains(":\(doomed.pid):") == true, "\(row)")
            }

            let rescuer = try ChildProcess(Binaries.worker, environment: Self.environment(api.databaseURL, ["WORKER_CONCURRENCY": "2"]))
            let done = try await eventually(within: .seconds(120), every: .milliseconds(200)) {
                var statuses: [String] = []
                for upload in uploads { statuses.append(try await Self.row(upload).status) }
                return statuses.allSatisfy { $0 == "COMPLETED" }
            }
            #expect(done, "\(rescuer.output)")
            for upload in uploads {
                let row = try await Self.row(upload)
                #expect(row.attempts == 2 && row.processed == 5001 && row.worker?.contains(":\(doomed.pid):") == false, "\(row)")
            }
            #expect(try await Self.baseImages(uploads[0]) == 1)
            rescuer.signal(SIGTERM)
            #expect(await rescuer.exitStatus(within: .seconds(10)) == 0)
        }
    }

    @Test func sigtermMidTaskHandsTheTaskBackForAnotherWorkerAtOnce() async throws {
        try await TestGateway.run { api in
            let upload = try await PendingUpload.make(api, ArchiveBuilder.long)
            // A lease far longer than the test: only the hand-back can free the task in time.
            let environment = Self.environment(api.databaseURL, ["WORKER_SHUTDOWN_GRACE_SECONDS": "0", "TASK_LEASE_SECONDS": "600"])
            let first = try ChildProcess(Binaries.worker, environment: environment)
            try await Self.stopMidTask(first, upload)
            // The signal waits for the process to continue; the hand-back then beats the rest of the archive.
            first.signal(SIGTERM)
            first.signal(SIGCONT)
            #expect(await first.exitStatus(within: .seconds(15)) == 0, "\(first.output)")
            let handedBack = try await Self.row(upload)
            #expect(handedBack.status == "PENDING" && handedBack.attempts == 0 && handedBack.worker == nil, "\(first.output)")

            let second = try ChildProcess(Binaries.worker, environment: environment)
            let done = try await eventually(within: .seconds(60)) { try await Self.row(upload).status == "COMPLETED" }
            #expect(done, "\(second.output)")
            #expect(try await Self.row(upload).attempts == 1)
            second.signal(SIGTERM)
            #expect(await second.exitStatus(within: .seconds(15)) == 0)
        }
    }

    @Test func theWorkerFindsTasksWithoutNotificationsByPolling() async throws {
        try await TestGateway.run { api in
            let upload = try await PendingUpload.make(api, [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))
            let worker = try ChildProcess(Binaries.worker, environment: Self.environment(api.databaseURL))
            // Queued before the worker listened: found when it starts listening.
            let first = try await eventually(within: .seconds(20)) { try await Self.row(upload).status == "FAILED" }
            #expect(first, "\(worker.output)")
            // Queued with no NOTIFY at all: found by the poll.
            let silent = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query(
                    """
                    INSERT INTO upload_tasks (owner_id, set_design_id, subject_id, archive_size)
                    SELECT owner_id, set_design_id, subject_id, 0 FROM upload_tasks LIMIT 1
                    RETURNING id
                    """
                ).one(UUID.self)
            }
            let polled = try await eventually(within: .seconds(20)) {
                try await Self.row(PendingUpload(api: api, token: upload.token, task: silent, path: upload.path)).status == "FAILED"
            }
            #expect(polled, "\(worker.output)")
            worker.signal(SIGTERM)
            #expect(await worker.exitStatus(within: .seconds(10)) == 0)
        }
    }

    @Test func aTaskUploadedAfterTheListenConnectionWasKilledIsProcessed() async throws {
        try await TestGateway.run { api in
            let upload = try await PendingUpload.make(api, [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))
            // Polling far slower than the test: only a working LISTEN can be quick.
            let worker = try ChildProcess(Binaries.worker, environment: Self.environment(api.databaseURL, ["WORKER_POLL_SECONDS": "600"]))
            #expect(try await eventually(within: .seconds(20)) { try await Self.row(upload).status == "FAILED" }, "\(worker.output)")
            let killed = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query(
                    """
                    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                    WHERE datname = current_database() AND query ILIKE '%LISTEN%upload_tasks%' AND pid <> pg_backend_pid()
                    """
                ).one(Int.self)
            }
            #expect(killed == 1)
            var builder = try ArchiveBuilder()
            defer { builder.remove() }
            try builder.add("front_full_body.jpg", image: "progressive_65x33.jpg")
            let response = try await api.upload(upload.path, token: upload.token, form: .file(try builder.archive()))
            let next = PendingUpload(api: api, token: upload.token, task: try #require(response.json["id"].uuid), path: upload.path)
            #expect(try await eventually(within: .seconds(20)) { try await Self.row(next).status == "COMPLETED" }, "\(worker.output)")
            worker.signal(SIGTERM)
            #expect(await worker.exitStatus(within: .seconds(10)) == 0)
        }
    }

    @Test func workersWaitingThroughAPostgresRestartProcessTheNextUpload() async throws {
        try await TestCluster.with { cluster in
            try await TestGateway.run(database: try cluster.url) { api in
                let upload = try await PendingUpload.make(api, [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))
                // Polling far slower than the test: the task must come through a re-established LISTEN.
                let worker = try ChildProcess(Binaries.worker, environment: Self.environment(api.databaseURL, ["WORKER_POLL_SECONDS": "600"]))
                #expect(try await eventually(within: .seconds(20)) { try await Self.row(upload).status == "FAILED" }, "\(worker.output)")

                try await cluster.restart()
                let relistened = await eventually(within: .seconds(30), every: .milliseconds(200)) {
                    worker.output.split(separator: "\n").filter { $0.hasSuffix(" listening") && $0.contains("channel=upload_tasks") }.count >= 2
                }
                #expect(relistened, "\(worker.output)")
                // The gateway's own pool reconnects too; its first attempts may meet dead connections.
                var builder = try ArchiveBuilder()
                defer { builder.remove() }
                try builder.add("front_full_body.jpg", image: "progressive_65x33.jpg")
                let archive = try builder.archive()
                var response = try await api.upload(upload.path, token: upload.token, form: .file(archive))
                for _ in 0..<5 where response.status != .accepted {
                    response = try await api.upload(upload.path, token: upload.token, form: .file(archive))
                }
                #expect(response.status == .accepted, "\(response.text)")
                let next = PendingUpload(api: api, token: upload.token, task: try #require(response.json["id"].uuid), path: upload.path)
                #expect(try await eventually(within: .seconds(20)) { try await Self.row(next).status == "COMPLETED" }, "\(worker.output)")
                worker.signal(SIGTERM)
                #expect(await worker.exitStatus(within: .seconds(10)) == 0)
            }
        }
    }

    @Test func aWorkerServesWhatItDidAsPrometheusMetricsOnMetricsPort() async throws {
        try await TestGateway.run { api in
            var builder = try ArchiveBuilder()
            defer { builder.remove() }
            try builder.add("front_full_body.jpg", image: "progressive_65x33.jpg")
            try builder.add("notes.txt", Array("not an image".utf8))
            try builder.add("readme.txt", Array("nor this".utf8))
            let upload = try await PendingUpload.make(api, try builder.archive(with: .infoZip))
            let port = try freeLoopbackPort()
            let worker = try ChildProcess(Binaries.worker, environment: Self.environment(api.databaseURL, ["METRICS_PORT": String(port)]))
            let done = try await eventually(within: .seconds(30)) { try await Self.row(upload).status == "COMPLETED" }
            #expect(done, "\(worker.output)")

            let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            let samples = PrometheusSamples(parsing: String(decoding: body, as: UTF8.self))
            #expect(samples[#"worker_tasks_total{outcome="completed"}"#] == 1, "\(samples.values)")
            #expect(samples[#"worker_task_duration_seconds_count{outcome="completed"}"#] == 1)
            #expect(samples["worker_images_processed_total"] == 1)
            #expect(samples[#"worker_images_skipped_total{reason="not_an_image"}"#] == 2)
            #expect(samples["worker_tasks_running"] == 0)
            worker.signal(SIGTERM)
            #expect(await worker.exitStatus(within: .seconds(10)) == 0, "\(worker.output)")
        }
    }
}
