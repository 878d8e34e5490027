import Foundation

/// Clients that begin a raw ZIP upload and then stop sending, holding their
/// connections open until `stop()`: the slow clients of a bad network, or an
/// attacker trickling bytes. A real process speaking HTTP over sockets.
public final class StalledUploads: Sendable {
    private let process: ChildProcess

    /// Opens `count` connections to `path`, each promising `declaredBytes`
    /// and sending a ZIP signature plus `sentBytes`.
    public init(port: Int, path: String, token: String, count: Int, sentBytes: Int, declaredBytes: Int = 400_000_000) throws {
        let script = """
            import socket, sys, time
            port, path, token, count, sent, declared = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
            held = []
            for _ in range(count):
                s = socket.create_connection(("127.0.0.1", port))
                s.sendall((f"POST {path} HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: Bearer {token}\\r\\n"
                           f"Content-Type: application/zip\\r\\nContent-Length: {declared}\\r\\n\\r\\n").encode())
                s.sendall(b"PK\\x03\\x04" + bytes(sent))
                held.append(s)
            print("sent", flush=True)
            time.sleep(600)
            """
        process = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/python3"),
            arguments: ["-c", script, String(port), path, token, String(count), String(sentBytes), String(declaredBytes)],
            environment: ProcessInfo.processInfo.environment
        )
    }

    /// True once every connection has sent its bytes.
    public var allSent: Bool { process.output.contains("sent") }

    /// Ends the process; its connections drop mid-body.
    public func stop() async {
        process.signal(SIGKILL)
        _ = await process.exitStatus(within: .seconds(5))
    }
}
