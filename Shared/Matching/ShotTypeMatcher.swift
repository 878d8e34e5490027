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
    /// One of the design's own shot types (its organization's, or its owner's personal
    /// ones); false for a public one of another tenant, tried only where no own one matches.
    public var isOwn: Bool

    public init(
        id: UUID, name: String, viewAngle: String?, framing: String?, fileNamingConvention: String?, isOwn: Bool = true
    ) {
        self.id = id
        self.name = name
        self.viewAngle = viewAngle
        self.framing = framing
        self.fileNamingConvention = fileNamingConvention
        self.isOwn = isOwn
    }
}

/// What the name of one archive entry says of its shot type.
public enum ShotTypeMatch: Equatable, Sendable {
    case matched(UUID)
    /// The shot types that tie for the entry, for a person to choose from.
    case ambiguousShotType(Set<UUID>)
    case ignored, noMatchingShotType
}

/// Assigns an archive entry to a shot type by its file name, following the upload
/// contract: exact key match (strongest key level first), else the longest key
/// found as a run of tokens in the stem (`ArchiveMatcher` adds subjects and
/// one entry per slot in UTF-8 path order). At
/// each key level and in the token search the design's own shot types are tried
/// first, public ones only where no own one matches: an own shot type shadows a
/// public one with the same key, and public ones never make an own match ambiguous.
public struct ShotTypeMatcher: Sendable {
    /// Own candidates, then public ones.
    private let tiers: [Keys]

    public init(candidates: [ShotTypeCandidate]) {
        tiers = [Keys(candidates.filter(\.isOwn)), Keys(candidates.filter { !$0.isOwn })]
    }

    /// The keys of one tier of candidates.
    private struct Keys: Sendable {
        static let levels = 3
        /// Per key level (0 = naming convention, 1 = view angle + framing, 2 = name):
        /// key → the distinct shot types having that key at that level.
        let exact: [[String: Set<UUID>]]
        /// Every key of every level, for the token-run search.
        let runs: TokenRunSearch

        init(_ candidates: [ShotTypeCandidate]) {
            var exact = [[String: Set<UUID>]](repeating: [:], count: Self.levels)
            var anyLevel: [String: Set<UUID>] = [:]
            for candidate in candidates {
                for (level, key) in ShotTypeMatcher.keys(of: candidate).enumerated() {
                    guard let key else { continue }
                    exact[level][key, default: []].insert(candidate.id)
                    anyLevel[key, default: []].insert(candidate.id)
                }
            }
            self.exact = exact
            runs = TokenRunSearch(keys: anyLevel)
        }
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
        stem(ofComponents: components(of: path))
    }

    static func stem(ofComponents components: [String]) -> String {
        let name = components.last ?? ""
        let scalars = name.unicodeScalars
        guard let dot = scalars.lastIndex(of: "."), dot != scalars.startIndex else { return normalize(name) }
        return normalize(String(String.UnicodeScalarView(scalars[..<dot])))
    }

    /// Archive junk: macOS resource forks, hidden files and folders, Windows thumbnails.
    /// `.` and `..` are plain path steps, not hidden names.
    public static func isIgnored(path: String) -> Bool {
        isIgnored(components: components(of: path))
    }

    static func isIgnored(components: [String]) -> Bool {
        let hasJunkComponent = components.contains { component in
            component == "__MACOSX"
                || (component.unicodeScalars.first == "." && component != "." && component != "..")
        }
        let fileName = components.last?.lowercased() ?? ""
        return hasJunkComponent || fileName == "thumbs.db" || fileName == "desktop.ini"
    }

    /// Path components split on `/` and `\` (zips made on Windows). Split by Unicode scalar,
    /// so a combining mark after a separator cannot hide it.
    static func components(of path: String) -> [String] {
        path.unicodeScalars.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }
            .map { String(String.UnicodeScalarView($0)) }
    }

    // MARK: Matching

    /// One entry on its own (no duplicate detection): ignored / matched / ambiguous / no match.
    public func match(path: String) -> ShotTypeMatch {
        let components = Self.components(of: path)
        if Self.isIgnored(components: components) { return .ignored }
        return match(stem: Self.stem(ofComponents: components))
    }

    /// A stem's shot type (`ignored` is the caller's to decide first).
    func match(stem: String) -> ShotTypeMatch {
        guard !stem.isEmpty else { return .noMatchingShotType }

        // 1. Exact: the strongest level with any match decides, even if a weaker one would differ.
        for level in 0..<Keys.levels {
            for tier in tiers {
                if let ids = tier.exact[level][stem], let id = ids.first { return ids.count == 1 ? .matched(id) : .ambiguousShotType(ids) }
            }
        }

        // 2. Tokens: the longest key standing as a contiguous run in the stem's tokens.
        let tokens = stem.split(separator: "_")
        for tier in tiers {
            let winners = tier.runs.longestKeys(in: tokens)
            if let winner = winners.first { return winners.count == 1 ? .matched(winner) : .ambiguousShotType(winners) }
        }
        return .noMatchingShotType
    }

    /// UTF-8 byte order used for "path order". Swift's `<` compares normalized Unicode
    /// scalars instead, which disagrees for decomposed characters (`e\u{301}` vs `f`).
    public static func pathOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}

/// Finds the longest keys that stand in a stem as a contiguous run of whole tokens,
/// in one pass over its tokens (Aho-Corasick over tokens instead of characters):
/// linear in the stem however many keys there are and however long, where trying
/// each key length at each position costs tokens × key lengths × tokens per key.
struct TokenRunSearch: Sendable {
    /// Tokens that occur in some key, numbered; any other token ends every run.
    private var numbers: [Substring: Int] = [:]
    /// The trie of the keys' token sequences: per state, token number → next state. State 0 is the root.
    private var next: [[Int: Int]] = [[:]]
    /// Per state: tokens on its path.
    private var depth = [0]
    /// Per state: the shot types of the key its path spells, if it is a key.
    private var owners: [Set<UUID>] = [[]]
    /// Per state: the state of the longest proper suffix of its path that is also a state.
    private var fallback = [0]
    /// Per state: the state of the longest key its path ends with, if any.
    private var longest: [Int?] = [nil]

    init(keys: [String: Set<UUID>]) {
        for (key, keyOwners) in keys {
            var state = 0
            for token in key.split(separator: "_") {
                let number = numbers[token] ?? numbers.count
                numbers[token] = number
                if let child = next[state][number] {
                    state = child
                    continue
                }
                next.append([:])
                depth.append(depth[state] + 1)
                owners.append([])
                next[state][number] = next.count - 1
                state = next.count - 1
            }
            owners[state].formUnion(keyOwners)
        }
        // Breadth first, so that a state's fallback (always shallower) is complete before it.
        fallback = Array(repeating: 0, count: next.count)
        longest = Array(repeating: nil, count: next.count)
        var queue = Array(next[0].values)
        for state in queue where !owners[state].isEmpty { longest[state] = state }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            for (token, child) in next[state] {
                var candidate = fallback[state]
                while candidate != 0, next[candidate][token] == nil { candidate = fallback[candidate] }
                fallback[child] = next[candidate][token] ?? 0
                longest[child] = owners[child].isEmpty ? longest[fallback[child]] : child
                queue.append(child)
            }
        }
    }

    /// The shot types of the keys with the most tokens found in `tokens` (several on a
    /// tie; one shot type found through two keys is no tie); empty when none is found.
    func longestKeys(in tokens: [Substring]) -> Set<UUID> {
        var state = 0
        var bestDepth = 0
        var winners: Set<UUID> = []
        for token in tokens {
            guard let number = numbers[token] else {
                state = 0
                continue
            }
            // Each step back is to a shallower state, and each token goes one deeper at most: linear.
            while state != 0, next[state][number] == nil { state = fallback[state] }
            state = next[state][number] ?? 0
            guard let key = longest[state] else { continue }
            if depth[key] > bestDepth {
                bestDepth = depth[key]
                winners = owners[key]
            } else if depth[key] == bestDepth {
                winners.formUnion(owners[key])
            }
        }
        return winners
    }
}
