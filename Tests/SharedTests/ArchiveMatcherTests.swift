import Foundation
import Shared
import Testing

/// Entries to slots when the archive's first folders name the subjects (CONTRACT §11).
@Suite("Archive matcher")
struct ArchiveMatcherTests {
    static func id(_ n: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))! }
    static let front = id(1), back = id(2)
    static let anna = id(11), ben = id(12), twinA = id(13), twinB = id(14)
    static let shotTypes = [
        ShotTypeCandidate(id: front, name: "Front", viewAngle: "front", framing: "full_body", fileNamingConvention: nil),
        ShotTypeCandidate(id: back, name: "Back", viewAngle: "back", framing: "full_body", fileNamingConvention: nil),
    ]
    static let subjects: SubjectSource = .byFolder([
        SubjectCandidate(id: anna, name: "Anna"), SubjectCandidate(id: ben, name: "Ben Ål"),
        SubjectCandidate(id: twinA, name: "Twin"), SubjectCandidate(id: twinB, name: "twin!"), SubjectCandidate(id: id(15), name: "???"),
    ])

    static func slot(_ subject: UUID, _ shotType: UUID) -> EntryMatch { .matched(Slot(subjectID: subject, shotTypeID: shotType)) }

    @Test func theFirstFolderNamesTheSubjectNormalizedLikeFileNames() {
        let matcher = ArchiveMatcher(shotTypes: Self.shotTypes, subjects: Self.subjects)
        #expect(matcher.match(path: "Anna/front_full_body.jpg") == Self.slot(Self.anna, Self.front))
        #expect(matcher.match(path: "ANNA/looks/back.jpg") == Self.slot(Self.anna, Self.back))  // deeper folders do not matter
        #expect(matcher.match(path: "ben-ål\\front.jpg") == Self.slot(Self.ben, Self.front))  // Windows separators
        #expect(matcher.match(path: "./Anna/front.jpg") == Self.slot(Self.anna, Self.front))  // `.` is no folder
        #expect(matcher.match(path: "//Anna/front.jpg") == Self.slot(Self.anna, Self.front))
    }

    @Test func anEntryWithoutAFolderNamingExactlyOneSubjectHasNoMatchingSubject() {
        let matcher = ArchiveMatcher(shotTypes: Self.shotTypes, subjects: Self.subjects)
        #expect(matcher.match(path: "front.jpg") == .skipped(.noMatchingSubject))  // top level
        #expect(matcher.match(path: "Carla/front.jpg") == .skipped(.noMatchingSubject))  // no such subject
        #expect(matcher.match(path: "shoot/Anna/front.jpg") == .skipped(.noMatchingSubject))  // only the first folder counts
        #expect(matcher.match(path: "Twin/front.jpg") == .skipped(.noMatchingSubject))  // two subjects with that name
        #expect(matcher.match(path: "???/front.jpg") == .skipped(.noMatchingSubject))  // an empty key names nothing
        #expect(matcher.match(path: "__MACOSX/Anna/front.jpg") == .skipped(.ignored))  // junk first
        #expect(matcher.match(path: "Anna/random.jpg") == .skipped(.noMatchingShotType))  // a subject, then a shot type
    }

    @Test func duplicatesAreJudgedPerSubjectAndShotType() {
        var matcher = ArchiveMatcher(shotTypes: Self.shotTypes, subjects: Self.subjects)
        let placed = matcher.placeAll(["Ben Ål/front.jpg", "Anna/front_full_body.jpg", "Anna/front.png", "Ben Ål/back.jpg"]) { $0 }
        #expect(placed.map(\.match) == [
            Self.slot(Self.anna, Self.front), .skipped(.duplicateShotType), Self.slot(Self.ben, Self.back), Self.slot(Self.ben, Self.front),
        ])
        #expect(matcher.unmatchedShotTypes.isEmpty)
        #expect(matcher.subjects(touchedBy: ["Anna/x.jpg", "Carla/y.jpg", "__MACOSX/Ben Ål/z.jpg", "top.jpg"]) == [Self.anna])
    }

    @Test func slotsGivenAsTakenAreNeverFilledNorCountedAsThisWalksOwn() {
        var matcher = ArchiveMatcher(
            shotTypes: Self.shotTypes, subjects: .given(Self.anna), taken: [Slot(subjectID: Self.anna, shotTypeID: Self.front)]
        )
        let placed = matcher.placeAll(["x/front.jpg", "back.jpg"]) { $0 }
        #expect(placed.map(\.match) == [Self.slot(Self.anna, Self.back), .skipped(.duplicateShotType)])
        #expect(matcher.unmatchedShotTypes == [Self.front])
        #expect(matcher.subjects(touchedBy: ["anything"]) == [Self.anna])
    }
}
