import Foundation

/// Where a directory shipped beside the binaries (`sql/`, `openapi/`) is: the
/// first that exists of `$variable`, `name` beside the executable, `./name`,
/// and the source tree's copy (for `swift run` and the tests).
public enum InstalledDirectory {
    /// The directory found, or every place tried.
    public static func find(
        variable: String, name: String, sourceTreePath: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Result<String, NotFound> {
        var candidates: [String] = []
        if let explicit = environment[variable] { candidates.append(explicit) }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        candidates.append(executable.deletingLastPathComponent().appendingPathComponent(name).path)
        candidates.append(FileManager.default.currentDirectoryPath + "/" + name)
        candidates.append(sourceTreePath)
        var isDirectory: ObjCBool = false
        guard let directory = candidates.first(where: {
            FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue
        }) else { return .failure(NotFound(tried: candidates)) }
        return .success(directory)
    }

    public struct NotFound: Error {
        public var tried: [String]
    }
}
