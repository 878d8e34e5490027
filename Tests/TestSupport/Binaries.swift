import Foundation

/// Paths of the built executables, for tests that run them as real processes.
public enum Binaries {
    /// `BIN_PATH` (set by deploy/local/test), else the debug build folder of this checkout.
    public static var directory: URL {
        if let path = ProcessInfo.processInfo.environment["BIN_PATH"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug")
    }

    public static var gateway: URL { directory.appendingPathComponent("gateway") }
    public static var worker: URL { directory.appendingPathComponent("worker") }
}
