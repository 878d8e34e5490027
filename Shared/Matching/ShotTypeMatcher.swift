import Foundation

/// A shot type an archive entry may be assigned to. The caller passes only
/// shot types that may receive uploads (not deleted, visible).
public struct ShotTypeCandidate: Sendable, Equatable {
    public var id: UUID
    public var name: String
    /// Raw enum text, e.g. "three_quarter_left".
    public var viewAngle: String?
    /// Raw enum text, e.g. "full_body".
    public var framing: String?
    public var fileNamingConvention: String?

    public init(id: UUID, name: String, viewAngle: String?, framing: String?, fileNamingConvention: String?) {
        self.id = id
        self.name = name
        self.viewAngle = viewAngle
        self.framing = framing
        self.fileNamingConvention = fileNamingConvention
    }
}

/// What happens to one archive entry.
public enum ShotTypeMatch: Equatable, Sendable {
    case matched(UUID)
    case ignored, noMatchingShotType, ambiguousShotType, duplicateShotType

    /// The skip reason text used in task results; nil for `.matched`.
    public var skipReason: String? {
        switch self {
        case .matched: nil
        case .ignored: "ignored"
        case .noMatchingShotType: "no_matching_shot_type"
        case .ambiguousShotType: "ambiguous_shot_type"
        case .duplicateShotType: "duplicate_shot_type"
        }
    }
}

/// Assigns archive entries to shot types by file name, following the upload contract:
/// exact key match (strongest key level first), else the longest key found as a
/// run of tokens in the stem, and one entry per shot type in UTF-8 path order.
public struct ShotTypeMatcher: Sendable {
    /// Per key level (0 = naming convention, 1 = view angle + framing, 2 = name):
    /// key → the distinct shot types having that key at that level.
    private let exactKeys: [[String: Set<UUID>]]
    /// Every key of every level → the shot types having it, for the token-run search.
    private let anyLevelKeys: [String: Set<UUID>]
    /// The token counts of those keys, longest first: the search tries only these lengths.
    private let keyLengths: [Int]

    public init(candidates: [ShotTypeCandidate]) {
        var exactKeys = [[String: Set<UUID>]](repeating: [:], count: 3)
        var anyLevelKeys: [String: Set<UUID>] = [:]
        for candidate in candidates {
            for (level, key) in Self.keys(of: candidate).enumerated() {
                guard let key else { continue }
                exactKeys[level][key, default: []].insert(candidate.id)
                anyLevelKeys[key, default: []].insert(candidate.id)
            }
        }
        self.exactKeys = exactKeys
        self.anyLevelKeys = anyLevelKeys
        self.keyLengths = Set(anyLevelKeys.keys.map { $0.split(separator: "_").count }).sorted(by: >)
    }

    /// The keys of a shot type by level, strongest first; nil where a level has no usable key.
    private static func keys(of candidate: ShotTypeCandidate) -> [String?] {
        var angleAndFraming: String?
        if let angle = candidate.viewAngle, let framing = candidate.framing, !angle.isEmpty, !framing.isEmpty {
            angleAndFraming = normalize(angle + "_" + framing)
        }
        let keys = [candidate.fileNamingConvention.map(normalize), angleAndFraming, normalize(candidate.name)]
        return keys.map { $0?.isEmpty == false ? $0 : nil }  // empty keys would match empty stems
    }

    // MARK: Names

    /// NFKC, lowercase, runs outside [a-z0-9] become one `_`, no `_` at either end.
    public static func normalize(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var separatorPending = false
        for scalar in text.precomposedStringWithCompatibilityMapping.lowercased().unicodeScalars {
            guard ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) else {
                separatorPending = true
                continue
            }
            if separatorPending && !result.isEmpty { result.append("_") }  // never a leading `_`
            separatorPending = false
            result.append(scalar)
        }
        return String(result)  // a trailing run is simply never written
    }

    /// The normalized file name without directories and extension. A leading dot
    /// (`.profile`) is part of the name, not an extension.
    public static func stem(ofPath path: String) -> String {
        let name = components(of: path).last ?? ""
        let scalars = name.unicodeScalars
        guard let dot = scalars.lastIndex(of: "."), dot != scalars.startIndex else { return normalize(name) }
        return normalize(String(String.UnicodeScalarView(scalars[..<dot])))
    }

    /// Archive junk: macOS resource forks, hidden files and folders, Windows thumbnails.
    /// `.` and `..` are plain path steps, not hidden names.
    public static func isIgnored(path: String) -> Bool {
        let components = components(of: path)
        let hasJunkComponent = components.contains { component in
            component == "__MACOSX"
                || (component.unicodeScalars.first == "." && component != "." && component != "..")
        }
        let fileName = components.last?.lowercased() ?? ""
        return hasJunkComponent || fileName == "thumbs.db" || fileName == "desktop.ini"
    }

    /// Path components split on `/` and `\` (zips made on Windows). Split by Unicode scalar,
    /// so a combining mark after a separator cannot hide it.
    private static func components(of path: String) -> [String] {
        path.unicodeScalars.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }
            .map { String(String.UnicodeScalarView($0)) }
    }

    // MARK: Matching

    /// One entry on its own (no duplicate detection): ignored / matched / ambiguous / no match.
    public func match(path: String) -> ShotTypeMatch {
        if Self.isIgnored(path: path) { return .ignored }
        let stem = Self.stem(ofPath: path)
        guard !stem.isEmpty else { return .noMatchingShotType }

        // 1. Exact: the strongest level with any match decides, even if a weaker one would differ.
        for level in exactKeys {
            if let ids = level[stem], let id = ids.first { return ids.count == 1 ? .matched(id) : .ambiguousShotType }
        }

        // 2. Tokens: the longest key standing as a contiguous run in the stem's tokens.
        // Longer keys are tried first, so the first length with any hit decides.
        let tokens = stem.split(separator: "_")
        for length in keyLengths where length <= tokens.count {
            var winners: Set<UUID> = []  // a set: one shot type matching via two keys is no tie
            for start in 0...(tokens.count - length) {
                winners.formUnion(anyLevelKeys[tokens[start..<start + length].joined(separator: "_")] ?? [])
            }
            if let winner = winners.first { return winners.count == 1 ? .matched(winner) : .ambiguousShotType }
        }
        return .noMatchingShotType
    }

    /// One entry of an archive walked in path order: as `match(path:)`, but a shot type
    /// already `taken` by an earlier entry makes this one a duplicate (the first wins).
    /// The caller takes a shot type only once its entry proved to be an image.
    public func match(path: String, taken: Set<UUID>) -> ShotTypeMatch {
        let outcome = match(path: path)
        if case .matched(let id) = outcome, taken.contains(id) { return .duplicateShotType }
        return outcome
    }

    /// UTF-8 byte order used for "path order". Swift's `<` compares normalized Unicode
    /// scalars instead, which disagrees for decomposed characters (`e\u{301}` vs `f`).
    public static func pathOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
