import Foundation

/// A subject an entry's first folder may name (CONTRACT §11): one of the
/// design's scope.
public struct SubjectCandidate: Sendable, Equatable {
    public var id: UUID
    public var name: String

    public init(id: UUID, name: String) {
        self.id = id
        self.name = name
    }
}

/// Where an archive's entries get their subject.
public enum SubjectSource: Sendable, Equatable {
    /// The upload named one subject for every entry.
    case given(UUID)
    /// Each entry's first folder names its subject among these.
    case byFolder([SubjectCandidate])
}

/// One base image's place in a set design: a subject in a shot type.
public struct Slot: Hashable, Sendable {
    public var subjectID: UUID
    public var shotTypeID: UUID

    public init(subjectID: UUID, shotTypeID: UUID) {
        self.subjectID = subjectID
        self.shotTypeID = shotTypeID
    }
}

/// What the name of one entry decides: a slot, or why not.
public enum EntryMatch: Equatable, Sendable {
    case matched(Slot)
    /// `candidates`: the tied shot types of an `ambiguous_shot_type`, else empty.
    case skipped(SkipReason, candidates: Set<UUID> = [])
}

/// Places an archive's entries, walked in path order, by name alone: the one
/// implementation behind the worker, the rematch and the match preview. An
/// entry is ignored (junk), then needs a subject (given, or its first folder's),
/// then a shot type (`ShotTypeMatcher`), then a slot no earlier entry took
/// (duplicates are judged per subject and shot type). The caller takes a slot
/// only once its entry proved to be an image.
public struct ArchiveMatcher: Sendable {
    public let shotTypes: [ShotTypeCandidate]
    private let matcher: ShotTypeMatcher
    private let subjects: SubjectSource
    /// Normalized subject name → the subjects having it.
    private let subjectsByKey: [String: Set<UUID>]
    public private(set) var taken: Set<Slot>
    /// Shot types this walk filled for some subject (not those given as taken).
    private var filled: Set<UUID> = []

    /// `taken`: slots no entry may fill (a rematch keeps what its line placed).
    public init(shotTypes: [ShotTypeCandidate], subjects: SubjectSource, taken: Set<Slot> = []) {
        self.shotTypes = shotTypes
        matcher = ShotTypeMatcher(candidates: shotTypes)
        self.subjects = subjects
        var byKey: [String: Set<UUID>] = [:]
        if case .byFolder(let candidates) = subjects {
            for candidate in candidates {
                let key = ShotTypeMatcher.normalize(candidate.name)
                if !key.isEmpty { byKey[key, default: []].insert(candidate.id) }  // an empty key would name no folder
            }
        }
        subjectsByKey = byKey
        self.taken = taken
    }

    /// The entry's subject: the given one, or the one its first folder names;
    /// nil at the top level, or when the folder names none or several.
    /// Empty and `.` path steps are not folders (`./Anna/front.jpg` is Anna's).
    public func subject(ofPath path: String) -> UUID? {
        switch subjects {
        case .given(let id):
            return id
        case .byFolder:
            let folders = ShotTypeMatcher.components(of: path).dropLast().filter { !$0.isEmpty && $0 != "." }
            guard let first = folders.first, let ids = subjectsByKey[ShotTypeMatcher.normalize(first)], ids.count == 1 else {
                return nil
            }
            return ids.first
        }
    }

    /// The entry's place if it is an image, given the slots taken so far.
    public func match(path: String) -> EntryMatch {
        if ShotTypeMatcher.isIgnored(path: path) { return .skipped(.ignored) }
        guard let subjectID = subject(ofPath: path) else { return .skipped(.noMatchingSubject) }
        switch matcher.match(path: path) {
        case .matched(let shotTypeID):
            let slot = Slot(subjectID: subjectID, shotTypeID: shotTypeID)
            return taken.contains(slot) ? .skipped(.duplicateShotType) : .matched(slot)
        case .ambiguousShotType(let candidates): return .skipped(.ambiguousShotType, candidates: candidates)
        case .ignored: return .skipped(.ignored)
        case .noMatchingShotType: return .skipped(.noMatchingShotType)
        }
    }

    public mutating func take(_ slot: Slot) {
        taken.insert(slot)
        filled.insert(slot.shotTypeID)
    }

    /// Every name placed as if each were an image, in path order: the preview,
    /// and the rematch (whose kept entries are images already).
    public mutating func placeAll(_ paths: [String]) -> [(path: String, match: EntryMatch)] {
        paths.sorted(by: ShotTypeMatcher.pathOrder).map { path in
            let outcome = match(path: path)
            if case .matched(let slot) = outcome { take(slot) }
            return (path, outcome)
        }
    }

    /// The subjects the names touch: the given one, or those some entry's folder names.
    public func subjects(touchedBy paths: [String]) -> [UUID] {
        if case .given(let id) = subjects { return [id] }
        var touched = Set<UUID>()
        for path in paths where !ShotTypeMatcher.isIgnored(path: path) {
            if let id = subject(ofPath: path) { touched.insert(id) }
        }
        return touched.sorted { $0.uuidString < $1.uuidString }
    }

    /// Shot types in scope that this walk filled for no subject.
    public var unmatchedShotTypes: [UUID] {
        shotTypes.map(\.id).filter { !filled.contains($0) }
    }
}
