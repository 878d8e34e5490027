import Foundation

/// Debian's nginx with the production config of `deploy/nginx/` in front of
/// a gateway, on a free loopback port. Only the listen address, the upstream
/// and the paths nginx writes to (logs included) differ from what is deployed.
public enum TestNginx {
    static let deployDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/nginx")

    /// A running nginx: where it listens, and what it logged.
    public struct Instance: Sendable {
        public var baseURL: String
        var errorLogPath: String
        var accessLogPath: String
        public var errorLog: String { (try? String(contentsOfFile: errorLogPath, encoding: .utf8)) ?? "" }
        /// The site's own access log, in the format it configures.
        public var accessLog: String { (try? String(contentsOfFile: accessLogPath, encoding: .utf8)) ?? "" }
    }

    /// Runs nginx until `body` returns.
    public static func run<Result: Sendable>(
        inFrontOf gatewayPort: Int, _ body: @Sendable (Instance) async throws -> Result
    ) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try freeLoopbackPort()

        let site = try String(contentsOf: deployDirectory.appendingPathComponent("gateway.conf"), encoding: .utf8)
        guard site.contains("listen 80;") else { throw TestFailure("deploy/nginx/gateway.conf no longer has `listen 80;`") }
        guard site.contains("/var/log/nginx/access.log") else { throw TestFailure("deploy/nginx/gateway.conf no longer logs to /var/log/nginx/access.log") }
        try site.replacingOccurrences(of: "listen 80;", with: "listen 127.0.0.1:\(port);")
            .replacingOccurrences(of: "/var/log/nginx/access.log", with: "\(directory.path)/site-access.log")
            .write(to: directory.appendingPathComponent("gateway.conf"), atomically: true, encoding: .utf8)
        let upstream = try String(contentsOf: deployDirectory.appendingPathComponent("upstream.conf"), encoding: .utf8)
        guard upstream.contains("server 127.0.0.1:8000;") else { throw TestFailure("deploy/nginx/upstream.conf changed its server line") }
        try upstream.replacingOccurrences(of: "server 127.0.0.1:8000;", with: "server 127.0.0.1:\(gatewayPort);")
            .write(to: directory.appendingPathComponent("upstream.conf"), atomically: true, encoding: .utf8)
        // Running as root, nginx's workers would switch to `nobody`, who cannot write here.
        let user = getuid() == 0 ? "user root;" : ""
        let main = """
            \(user)
            daemon off;
            worker_processes 1;
            pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/error.log warn;
            events { worker_connections 256; }
            http {
                access_log \(directory.path)/access.log;
                client_body_temp_path \(directory.path)/client_body;
                proxy_temp_path \(directory.path)/proxy;
                fastcgi_temp_path \(directory.path)/fastcgi;
                uwsgi_temp_path \(directory.path)/uwsgi;
                scgi_temp_path \(directory.path)/scgi;
                include \(directory.path)/upstream.conf;
                include \(directory.path)/gateway.conf;
            }
            """
        let configuration = directory.appendingPathComponent("nginx.conf")
        try main.write(to: configuration, atomically: true, encoding: .utf8)

        let nginx = try ChildProcess(
            URL(fileURLWithPath: "/usr/sbin/nginx"), arguments: ["-p", directory.path, "-c", configuration.path],
            environment: [:]
        )
        let listening = await eventually(within: .seconds(10)) { canConnect(port: port) || !nginx.isRunning }
        let instance = Instance(
            baseURL: "http://127.0.0.1:\(port)", errorLogPath: directory.appendingPathComponent("error.log").path,
            accessLogPath: directory.appendingPathComponent("site-access.log").path
        )
        do {
            guard listening, nginx.isRunning else { throw TestFailure("nginx did not start: \(nginx.output) \(instance.errorLog)") }
            let result = try await body(instance)
            try await stop(nginx)
            return result
        } catch {
            try? await stop(nginx)
            throw error
        }
    }

    /// Stops nginx and waits until its master has gone, which it does only
    /// after its worker. Never SIGKILL: a killed master leaves its worker
    /// running, holding the port and its connections to the gateway (whose
    /// shutdown then waits for them), and the descriptor by which Foundation
    /// would learn that the master ended.
    private static func stop(_ nginx: ChildProcess) async throws {
        nginx.signal(SIGQUIT)
        if await nginx.exitStatus(within: .seconds(10)) != nil { return }
        // Requests still open after a graceful wait: the fast shutdown ends them.
        nginx.signal(SIGTERM)
        if await nginx.exitStatus(within: .seconds(10)) != nil { return }
        // Master and worker together, as one process group.
        kill(-nginx.pid, SIGKILL)
        throw TestFailure("nginx did not stop on SIGQUIT or SIGTERM: \(nginx.output)")
    }
}
