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

/// Archives no tool writes, built byte by byte (Python's struct) to attack a reader.
public enum HostileArchive {
    /// One deflated entry whose sizes and offset are all in ZIP64 fields, with a ZIP64
    /// end record; each value given replaces the true one in the central directory
    /// (or the ZIP64 end record, for the directory's offset and size).
    public static func zip64(
        name: String = "front_full_body.jpg", compressedSize: UInt64? = nil, uncompressedSize: UInt64? = nil,
        localHeaderOffset: UInt64? = nil, directoryOffset: UInt64? = nil, directorySize: UInt64? = nil
    ) throws -> [UInt8] {
        let script = """
            import struct, sys, zlib
            def given(index, true_value):
                return true_value if sys.argv[index] == '-' else int(sys.argv[index])
            data = b'front full body ' * 64
            c = zlib.compressobj(6, zlib.DEFLATED, -15); payload = c.compress(data) + c.flush()
            name, crc = sys.argv[2].encode(), zlib.crc32(data)
            extra = struct.pack('<HHQQ', 1, 16, len(data), len(payload))
            out = struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(extra))
            out += name + extra + payload
            extra = struct.pack('<HHQQQ', 1, 24, given(4, len(data)), given(3, len(payload)), given(5, 0))
            central = struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                                  len(name), len(extra), 0, 0, 0, 0, 0xFFFFFFFF) + name + extra
            directory = len(out)
            out += central
            record = len(out)
            out += struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, 1, 1, given(7, len(central)), given(6, directory))
            out += struct.pack('<IIQI', 0x07064b50, 0, record, 1)
            out += struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
            open(sys.argv[1], 'wb').write(out)
            """
        let values = [compressedSize, uncompressedSize, localHeaderOffset, directoryOffset, directorySize]
        return try python(script, [name] + values.map { $0.map(String.init) ?? "-" })
    }

    /// A "better zip bomb" of overlapping entries (Tests/Fixtures/archives/make_overlap_bomb.py):
    /// `entries` entries sharing one kernel that inflates to `kernelMiB` MiB.
    public static func overlapBomb(entries: Int, kernelMiB: Int) throws -> [UInt8] {
        let script = Fixtures.directory.appendingPathComponent("archives/make_overlap_bomb.py").path
        return try python(nil, [script, String(entries), String(kernelMiB)])
    }

    /// Runs Python (`script` with `-c`, or a script file as the first argument) with the
    /// output path as `sys.argv[1]`, and answers what it wrote there.
    public static func python(_ script: String?, _ arguments: [String]) throws -> [UInt8] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).zip").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        if let script {
            try run("/usr/bin/python3", ["-c", script, path] + arguments)
        } else {
            try run("/usr/bin/python3", [arguments[0], path] + arguments.dropFirst())
        }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
