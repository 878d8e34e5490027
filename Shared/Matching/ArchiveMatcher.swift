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
    private func subject(ofComponents components: [String]) -> UUID? {
        switch subjects {
        case .given(let id):
            return id
        case .byFolder:
            guard let first = components.dropLast().first(where: { !$0.isEmpty && $0 != "." }),
                let ids = subjectsByKey[ShotTypeMatcher.normalize(first)], ids.count == 1
            else { return nil }
            return ids.first
        }
    }

    /// The entry's place if it is an image, given the slots taken so far.
    /// The path is split once: hostile names (thousands of `/`) cost one pass.
    public func match(path: String) -> EntryMatch {
        let components = ShotTypeMatcher.components(of: path)
        if ShotTypeMatcher.isIgnored(components: components) { return .skipped(.ignored) }
        guard let subjectID = subject(ofComponents: components) else { return .skipped(.noMatchingSubject) }
        switch matcher.match(stem: ShotTypeMatcher.stem(ofComponents: components)) {
        case .matched(let shotTypeID):
            let slot = Slot(subjectID: subjectID, shotTypeID: shotTypeID)
            return taken.contains(slot) ? .skipped(.duplicateShotType) : .matched(slot)
        case .ambiguousShotType(let candidates): return .skipped(.ambiguousShotType, candidates: candidates)
        case .ignored, .noMatchingShotType: return .skipped(.noMatchingShotType)  // `ignored` was decided above
        }
    }

    public mutating func take(_ slot: Slot) {
        taken.insert(slot)
        filled.insert(slot.shotTypeID)
    }

    /// Every item placed by its path as if each were an image, in path order
    /// (items of one path in their given order): the preview's names, and the
    /// rematch's kept images (images already, several may share a name).
    public mutating func placeAll<Item>(_ items: [Item], path: (Item) -> String) -> [(item: Item, match: EntryMatch)] {
        let paths = items.map(path)
        let order = paths.indices.sorted { a, b in
            ShotTypeMatcher.pathOrder(paths[a], paths[b]) || (!ShotTypeMatcher.pathOrder(paths[b], paths[a]) && a < b)
        }
        return order.map { index in
            let outcome = match(path: paths[index])
            if case .matched(let slot) = outcome { take(slot) }
            return (items[index], outcome)
        }
    }

    /// The subjects the names touch: the given one, or those some entry's folder names.
    public func subjects(touchedBy paths: [String]) -> [UUID] {
        if case .given(let id) = subjects { return [id] }
        var touched = Set<UUID>()
        for path in paths {
            let components = ShotTypeMatcher.components(of: path)
            if !ShotTypeMatcher.isIgnored(components: components), let id = subject(ofComponents: components) { touched.insert(id) }
        }
        return touched.sorted { $0.uuidString < $1.uuidString }
    }

    /// Shot types in scope that this walk filled for no subject.
    public var unmatchedShotTypes: [UUID] {
        shotTypes.map(\.id).filter { !filled.contains($0) }
    }
}
