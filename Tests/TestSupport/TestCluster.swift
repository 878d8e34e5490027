import Foundation
import Shared

/// A PostgreSQL cluster of a test's own, for what the shared test cluster
/// must not suffer (restarts). Started and stopped with the same shell
/// functions as the scripts (deploy/local/postgres.sh).
public struct TestCluster: Sendable {
    static let script = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/local/postgres.sh").path

    public let directory: String
    public let port: Int

    public var url: DatabaseURL {
        get throws { try DatabaseURL(parsing: "postgres://postgres@127.0.0.1:\(port)/postgres") }
    }

    /// Runs `body` with a new cluster, removed afterwards.
    public static func with<Result: Sendable>(_ body: (TestCluster) async throws -> Result) async throws -> Result {
        let directory = "/tmp/test-cluster-\(UUID().uuidString.prefix(8))"
        let output = try await shell("mkdir -p \(directory) && ensure_traversable \(directory) && pg_start \(directory)/data fast")
        guard let port = output.split(separator: "\n").last.flatMap({ Int($0) }) else {
            throw TestFailure("no port from pg_start: \(output)")
        }
        let cluster = TestCluster(directory: directory, port: port)
        do {
            let result = try await body(cluster)
            await cluster.remove()
            return result
        } catch {
            await cluster.remove()
            throw error
        }
    }

    /// Restarts the server on the same port; every connection is dropped.
    public func restart() async throws {
        try await Self.shell("as_pg \"$PG_BIN/pg_ctl\" -D \(directory)/data -l \(directory)/data/server.log -m fast -w restart >/dev/null")
    }

    private func remove() async {
        _ = try? await Self.shell("pg_stop \(directory)/data; rm -rf \(directory)")
    }

    /// Runs `command` after sourcing the script. Output goes to a file, not a
    /// pipe: the server started here would keep a pipe open forever.
    @discardableResult
    private static func shell(_ command: String) async throws -> String {
        let outputPath = NSTemporaryDirectory() + "cluster-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        // Foundation learns of the exit through an inherited descriptor: close every one above
        // stderr, or the server started here keeps it open and the shell never seems to end.
        let closeInherited = "for fd in $(ls /proc/$$/fd); do [ \"$fd\" -gt 2 ] && eval \"exec $fd>&-\"; done"
        process.arguments = ["-c", "\(closeInherited); . \(script) && \(command)"]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        try output.close()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else { throw TestFailure("\(command) failed: \(text)") }
        return text
    }
}
