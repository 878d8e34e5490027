import Foundation

/// Files checked in under Tests/Fixtures.
public enum Fixtures {
    public static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    public static func image(_ name: String) -> URL { directory.appendingPathComponent("images/\(name)") }

    public static func imageBytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: image(name))) }
}

/// The tools that make test archives: each writes ZIPs its own way
/// (Info-ZIP's `zip`, Python's zipfile, 7-Zip).
public enum ArchiveTool: String, Sendable, CaseIterable {
    case infoZip = "zip"
    case python
    case sevenZip = "7z"
}

/// A folder of files, made into a ZIP archive by a real tool.
public struct ArchiveBuilder: Sendable {
    public let directory: URL
    private var paths: [String] = []

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("archive-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Adds a file at `path` (directories are created) with these bytes.
    public mutating func add(_ path: String, _ bytes: [UInt8]) throws {
        let url = directory.appendingPathComponent("files/\(path)")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        paths.append(path)
    }

    /// Adds a copy of a fixture image under `path`.
    public mutating func add(_ path: String, image: String) throws {
        try add(path, try Fixtures.imageBytes(image))
    }

    /// The archive's bytes, as `tool` writes it.
    public func archive(with tool: ArchiveTool = .infoZip, extraArguments: [String] = []) throws -> [UInt8] {
        let output = directory.appendingPathComponent("out-\(UUID().uuidString).zip").path
        let files = directory.appendingPathComponent("files")
        switch tool {
        case .infoZip:
            try run("/usr/bin/zip", ["-q", "-r"] + extraArguments + [output] + paths, in: files)
        case .sevenZip:
            try run("/usr/bin/7z", ["a", "-tzip", "-bd", "-bso0"] + extraArguments + [output] + paths, in: files)
        case .python:
            let script = """
                import sys, zipfile
                with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as archive:
                    for path in sys.argv[2:]:
                        archive.write(path, path)
                """
            try run("/usr/bin/python3", ["-c", script, output] + paths, in: files)
        }
        return Array(try Data(contentsOf: URL(fileURLWithPath: output)))
    }

    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Runs a tool to completion; a non-zero exit is an error with its output.
/// It blocks its thread, one of the few the in-process gateways run on: never
/// for a process that talks to such a gateway (use `ChildProcess`), or the
/// two wait for each other.
@discardableResult
public func run(_ executable: String, _ arguments: [String], in directory: URL? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw TestFailure("\(executable) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus): \(output)")
    }
    return output
}
