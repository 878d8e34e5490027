import Foundation
import Shared
import Testing
import TestSupport

/// Archive entries to shot types by file name, per the upload contract.
@Suite("Shot type matcher")
struct ShotTypeMatcherTests {
    static func id(_ n: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))! }

    // A studio's shot types, each named after what it exercises.
    static let frontFull = id(1), backUpper = id(2), back = id(3), threeQuarterLeft = id(4), leftFull = id(5)
    static let detail = id(6), sole = id(7), profile = id(8), closeUp = id(9), closeUpByName = id(10)

    static let candidates = [
        ShotTypeCandidate(id: frontFull, name: "Front Full Body", viewAngle: "front", framing: "full_body", fileNamingConvention: nil),
        ShotTypeCandidate(id: backUpper, name: "Back Upper", viewAngle: "back", framing: "upper_body", fileNamingConvention: nil),
        ShotTypeCandidate(id: back, name: "Back", viewAngle: nil, framing: nil, fileNamingConvention: nil),
        ShotTypeCandidate(id: threeQuarterLeft, name: "Three Quarter Left", viewAngle: "three_quarter_left", framing: "full_body", fileNamingConvention: ""),
        ShotTypeCandidate(id: leftFull, name: "Left Side", viewAngle: "left", framing: "full_body", fileNamingConvention: nil),
        ShotTypeCandidate(id: detail, name: "Detail", viewAngle: nil, framing: "detail", fileNamingConvention: "DET"),
        ShotTypeCandidate(id: sole, name: "Sole", viewAngle: nil, framing: nil, fileNamingConvention: "sole-macro"),
        ShotTypeCandidate(id: profile, name: "Profile", viewAngle: nil, framing: nil, fileNamingConvention: nil),
        ShotTypeCandidate(id: closeUp, name: "Close Up", viewAngle: "front", framing: "close_up", fileNamingConvention: nil),
        ShotTypeCandidate(id: closeUpByName, name: "Close-up", viewAngle: nil, framing: nil, fileNamingConvention: nil),
    ]
    static let catalog = ShotTypeMatcher(candidates: candidates)

    static let cases: [(String, ShotTypeMatch)] = [
        // Exact, per key level.
        ("DET.jpg", .matched(detail)),                                  // naming convention
        ("Sole-Macro.TIFF", .matched(sole)),                            // naming convention, case and punctuation
        ("front_full_body.jpg", .matched(frontFull)),                   // view angle + framing
        ("left_side.png", .matched(leftFull)),                          // name
        ("Front Full Body.jpg", .matched(frontFull)),                   // spaces and capitals
        ("Front-Full Body.JPG", .matched(frontFull)),                   // case and punctuation
        ("ｆｒｏｎｔ_full_body.jpg", .matched(frontFull)),                  // NFKC: fullwidth letters
        ("pro\u{FB01}le.jpg", .matched(profile)),                       // NFKC: the "fi" ligature
        ("back.upper.jpg", .matched(backUpper)),                        // only the last dot starts the extension
        ("close_up.jpg", .ambiguousShotType([closeUp, closeUpByName])),                           // two shot types with one name key
        // Token runs.
        ("sku123_front_full_body_01.jpg", .matched(frontFull)),
        ("look_back.jpg", .matched(back)),
        ("sku_back_upper_body_2.jpg", .matched(backUpper)),             // back_upper_body (3) beats back (1)
        ("sku_three_quarter_left_full_body.jpg", .matched(threeQuarterLeft)),  // 5 tokens beat left_full_body (3)
        ("x_left_full_body.jpg", .matched(leftFull)),
        ("sku_front_close_up.jpg", .matched(closeUp)),                  // front_close_up (3) beats close_up (2)
        ("profile_back.jpg", .ambiguousShotType([profile, back])),       // profile (1) ties back (1)
        ("profile_back_sole.jpg", .ambiguousShotType([profile, back, sole])),  // a three-way tie
        ("sku_close_up_3.jpg", .ambiguousShotType([closeUp, closeUpByName])),                     // close_up (2) of two shot types
        ("the_front_full_body_front_full_body.jpg", .matched(frontFull)),  // one shot type twice is no tie
        // No match.
        ("random.jpg", .noMatchingShotType),
        ("backside.jpg", .noMatchingShotType),                          // tokens are whole words
        ("full_body_front.jpg", .noMatchingShotType),                   // tokens keep their order
        ("___.jpg", .noMatchingShotType),                               // empty stem
        ("folder/", .noMatchingShotType),
        // Directories only locate the file name.
        ("looks/2024/front_full_body.jpg", .matched(frontFull)),
        ("back/random.jpg", .noMatchingShotType),
        ("looks\\2024\\front_full_body.jpg", .matched(frontFull)),     // Windows separators
        ("../x/front_full_body.jpg", .matched(frontFull)),
        ("./front_full_body.jpg", .matched(frontFull)),
        ("front_full_body", .matched(frontFull)),                       // no extension
        // Junk.
        ("__MACOSX/front_full_body.jpg", .ignored),
        ("__MACOSX/._front_full_body.jpg", .ignored),
        ("._front_full_body.jpg", .ignored),
        (".DS_Store", .ignored),
        ("a/.git/front_full_body.jpg", .ignored),
        ("Thumbs.db", .ignored),
        ("looks/THUMBS.DB", .ignored),
        ("desktop.ini", .ignored),
        (".jpg", .ignored),                                             // only an extension: a hidden file
    ]

    // MARK: Single entries

    @Test(arguments: cases)
    func anEntryIsMatchedByItsFileName(_ path: String, _ expected: ShotTypeMatch) {
        #expect(Self.catalog.match(path: path) == expected, "\(path)")
    }

    @Test(arguments: [
        ("Front-Full Body", "front_full_body"), ("  __a--b__ ", "a_b"), ("Café", "caf"), ("ÉCRU", "cru"),
        ("ＡＢＣ１２３", "abc123"), ("½", "1_2"), ("Ⅻ", "xii"), ("Straße", "stra_e"), ("", ""), ("!!!", ""),
    ])
    func normalizingKeepsOnlyLowercaseLettersAndDigits(_ text: String, _ expected: String) {
        #expect(ShotTypeMatcher.normalize(text) == expected)
    }

    @Test(arguments: [
        ("a/b/Front.JPG", "front"), ("a\\b\\c.d.e", "c_d"), ("noext", "noext"), (".jpg", "jpg"),
        ("x.", "x"), ("dir/", ""), ("archive.tar.gz", "archive_tar"),
    ])
    func theStemIsTheNormalizedFileNameWithoutExtension(_ path: String, _ expected: String) {
        #expect(ShotTypeMatcher.stem(ofPath: path) == expected)
    }

    @Test func dotAndDotDotAreNotHiddenButDotNamesAre() {
        #expect(!ShotTypeMatcher.isIgnored(path: "./a/../b.jpg"))
        #expect(ShotTypeMatcher.isIgnored(path: "a/.hidden/b.jpg"))
        #expect(ShotTypeMatcher.isIgnored(path: "a\\.hidden\\b.jpg"))
        #expect(ShotTypeMatcher.isIgnored(path: "a/...jpg"))
        #expect(!ShotTypeMatcher.isIgnored(path: "macosx/thumbs.db.jpg"))
    }

    @Test func theNamingConventionBeatsViewAngleAndFraming() {
        let byConvention = Self.id(20), byAngle = Self.id(21)
        let matcher = ShotTypeMatcher(candidates: [
            ShotTypeCandidate(id: byAngle, name: "Hero", viewAngle: "front", framing: "full_body", fileNamingConvention: nil),
            ShotTypeCandidate(id: byConvention, name: "Main", viewAngle: "back", framing: "detail", fileNamingConvention: "front_full_body"),
        ])
        #expect(matcher.match(path: "front_full_body.jpg") == .matched(byConvention))
        #expect(matcher.match(path: "hero.jpg") == .matched(byAngle))
    }

    @Test func aStrongerLevelDecidesEvenWhenAWeakerOneIsAmbiguous() {
        let byAngle = Self.id(30)
        let matcher = ShotTypeMatcher(candidates: [
            ShotTypeCandidate(id: byAngle, name: "Hero", viewAngle: "front", framing: "full_body", fileNamingConvention: nil),
            ShotTypeCandidate(id: Self.id(31), name: "Front full body", viewAngle: nil, framing: nil, fileNamingConvention: nil),
            ShotTypeCandidate(id: Self.id(32), name: "front-full-body", viewAngle: nil, framing: nil, fileNamingConvention: nil),
        ])
        #expect(matcher.match(path: "front_full_body.jpg") == .matched(byAngle))
        // Without the stronger key the name level is a real tie.
        let namesOnly = ShotTypeMatcher(candidates: [
            ShotTypeCandidate(id: Self.id(31), name: "Front full body", viewAngle: nil, framing: nil, fileNamingConvention: nil),
            ShotTypeCandidate(id: Self.id(32), name: "front-full-body", viewAngle: nil, framing: nil, fileNamingConvention: nil),
        ])
        #expect(namesOnly.match(path: "front_full_body.jpg") == .ambiguousShotType([Self.id(31), Self.id(32)]))
    }

    @Test func anExactMatchBeatsALongerTokenMatch() {
        let short = Self.id(40), long = Self.id(41)
        let matcher = ShotTypeMatcher(candidates: [
            ShotTypeCandidate(id: short, name: "Back", viewAngle: nil, framing: nil, fileNamingConvention: nil),
            ShotTypeCandidate(id: long, name: "Back Upper Body", viewAngle: nil, framing: nil, fileNamingConvention: nil),
        ])
        #expect(matcher.match(path: "back.jpg") == .matched(short))
        #expect(matcher.match(path: "x_back_upper_body.jpg") == .matched(long))
    }

    @Test func emptyKeysAreNeverUsed() {
        let front = Self.id(50)
        let matcher = ShotTypeMatcher(candidates: [
            ShotTypeCandidate(id: front, name: "Front", viewAngle: "", framing: "full_body", fileNamingConvention: "---"),
            ShotTypeCandidate(id: Self.id(51), name: "***", viewAngle: nil, framing: nil, fileNamingConvention: nil),
        ])
        #expect(matcher.match(path: "front.jpg") == .matched(front))
        #expect(matcher.match(path: "full_body.jpg") == .noMatchingShotType)  // no "_full_body" key from an empty angle
        #expect(matcher.match(path: "___.jpg") == .noMatchingShotType)
        #expect(matcher.match(path: "x_y.jpg") == .noMatchingShotType)
        #expect(ShotTypeMatcher(candidates: []).match(path: "front.jpg") == .noMatchingShotType)
    }

    @Test func onlyWhatTheNameAloneHeldBackKeepsItsImage() {
        #expect(SkipReason.allCases.filter(\.keepsImage) == [.noMatchingShotType, .ambiguousShotType, .duplicateShotType, .noMatchingSubject])
        #expect(SkipReason.noMatchingSubject.rawValue == "no_matching_subject")
    }

    // MARK: Own before public

    static func own(_ id: UUID, _ name: String, _ angle: String? = nil, _ framing: String? = nil, convention: String? = nil) -> ShotTypeCandidate {
        ShotTypeCandidate(id: id, name: name, viewAngle: angle, framing: framing, fileNamingConvention: convention)
    }

    static func publicOne(_ id: UUID, _ name: String, _ angle: String? = nil, _ framing: String? = nil, convention: String? = nil) -> ShotTypeCandidate {
        ShotTypeCandidate(id: id, name: name, viewAngle: angle, framing: framing, fileNamingConvention: convention, isOwn: false)
    }

    @Test func anOwnShotTypeShadowsAPublicOneWithTheSameKey() {
        let mine = Self.id(60), theirs = Self.id(61)
        let matcher = ShotTypeMatcher(candidates: [
            Self.publicOne(theirs, "Front full body", "front", "full_body"), Self.own(mine, "Hero", "front", "full_body"),
        ])
        #expect(matcher.match(path: "front_full_body.jpg") == .matched(mine))  // exact, same level
        #expect(matcher.match(path: "sku_front_full_body_2.jpg") == .matched(mine))  // token run, same key
        #expect(matcher.match(path: "hero.jpg") == .matched(mine))
        // Without the own one, the public one is matched as before.
        let publicOnly = ShotTypeMatcher(candidates: [Self.publicOne(theirs, "Front full body", "front", "full_body")])
        #expect(publicOnly.match(path: "front_full_body.jpg") == .matched(theirs))
        #expect(publicOnly.match(path: "sku_front_full_body_2.jpg") == .matched(theirs))
    }

    @Test func publicShotTypesNeverMakeAnOwnMatchAmbiguous() {
        let mine = Self.id(70)
        let matcher = ShotTypeMatcher(candidates: [
            Self.own(mine, "Back"), Self.publicOne(Self.id(71), "Back"), Self.publicOne(Self.id(72), "back!"),
            Self.publicOne(Self.id(73), "Look back"),
        ])
        #expect(matcher.match(path: "back.jpg") == .matched(mine))
        #expect(matcher.match(path: "look_back_2.jpg") == .matched(mine))  // a longer public run does not beat an own one
        #expect(matcher.match(path: "sku_back.jpg") == .matched(mine))
        // Two public ones alone are still a tie.
        let publicOnly = ShotTypeMatcher(candidates: [Self.publicOne(Self.id(71), "Back"), Self.publicOne(Self.id(74), "back!")])
        #expect(publicOnly.match(path: "back.jpg") == .ambiguousShotType([Self.id(71), Self.id(74)]))
    }

    @Test func publicShotTypesAreTriedWhereNoOwnOneMatches() {
        let mine = Self.id(80), theirs = Self.id(81)
        let matcher = ShotTypeMatcher(candidates: [Self.own(mine, "Front", "front", "full_body"), Self.publicOne(theirs, "Sole macro")])
        #expect(matcher.match(path: "sole_macro.jpg") == .matched(theirs))
        #expect(matcher.match(path: "sku_sole_macro_1.jpg") == .matched(theirs))
        #expect(matcher.match(path: "sku_front_sole_macro.jpg") == .matched(mine))  // an own run first, however short
        #expect(matcher.match(path: "random.jpg") == .noMatchingShotType)
    }

    @Test func theStrongestKeyLevelDecidesBeforeOwnershipAtAWeakerLevel() {
        // Own first at each level; a level with any match decides before weaker levels are looked at.
        let mine = Self.id(90), theirs = Self.id(91)
        let matcher = ShotTypeMatcher(candidates: [Self.own(mine, "Hero shot"), Self.publicOne(theirs, "Main", convention: "hero-shot")])
        #expect(matcher.match(path: "hero_shot.jpg") == .matched(theirs))
    }

    // MARK: Bounded work

    @Test func matchingALongNameAgainstKeysOfEveryLengthStaysLinear() {
        // Keys of 1 to 120 tokens, none in the name: trying each key length at each
        // position would join about 3 million tokens per name.
        let candidates = (1...120).map { length in
            Self.own(Self.id(1000 + length), (["b"] + Array(repeating: "a", count: length - 1)).joined(separator: " "))
        }
        let matcher = ShotTypeMatcher(candidates: candidates)
        let name = Array(repeating: "a", count: 510).joined(separator: "_") + ".jpg"  // 1,023 bytes
        let elapsed = ContinuousClock().measure {
            for _ in 0..<200 { #expect(matcher.match(path: name) == .noMatchingShotType) }
        }
        #expect(elapsed < .seconds(5), "\(elapsed)")
    }

    /// The token search as the contract states it: each key length, longest first, at every position.
    static func referenceTokenMatch(_ stem: String, keys: [String: Set<UUID>]) -> Set<UUID> {
        let tokens = stem.split(separator: "_")
        for length in Set(keys.keys.map { $0.split(separator: "_").count }).sorted(by: >) where length <= tokens.count {
            var winners: Set<UUID> = []
            for start in 0...(tokens.count - length) { winners.formUnion(keys[tokens[start..<start + length].joined(separator: "_")] ?? []) }
            if !winners.isEmpty { return winners }
        }
        return []
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func theTokenSearchFindsWhatTryingEveryRunFinds(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        func word(_ alphabet: Int) -> String { ["a", "b", "c", "d"][Int(random.next() % UInt64(alphabet))] }
        for _ in 0..<200 {
            // Few distinct tokens, so that keys overlap, repeat and nest.
            let candidates = (0..<Int(1 + random.next() % 8)).map { index in
                Self.own(Self.id(2000 + index), (0..<Int(1 + random.next() % 4)).map { _ in word(3) }.joined(separator: " "))
            }
            var keys: [String: Set<UUID>] = [:]
            for candidate in candidates { keys[ShotTypeMatcher.normalize(candidate.name), default: []].insert(candidate.id) }
            let matcher = ShotTypeMatcher(candidates: candidates)
            for _ in 0..<20 {
                let stem = (0..<Int(1 + random.next() % 12)).map { _ in word(4) }.joined(separator: "_")
                guard keys[stem] == nil else { continue }  // exact matches are another rule
                let expected = Self.referenceTokenMatch(stem, keys: keys)
                let outcome: ShotTypeMatch = expected.isEmpty ? .noMatchingShotType
                    : expected.count == 1 ? .matched(expected.first!) : .ambiguousShotType(expected)
                #expect(matcher.match(path: stem + ".jpg") == outcome, "\(stem) \(keys)")
            }
        }
    }

    // MARK: Whole archives

    /// The subject every entry of these archives is for.
    static let subject = id(900)
    static func slot(_ shotType: UUID) -> EntryMatch { .matched(Slot(subjectID: subject, shotTypeID: shotType)) }
    static let duplicate = EntryMatch.skipped(.duplicateShotType)

    /// An archive walked as the worker walks it: in path order, each match taking its slot.
    static func assign(_ paths: [String]) -> [(path: String, match: EntryMatch)] {
        var matcher = ArchiveMatcher(shotTypes: candidates, subjects: .given(subject))
        return matcher.placeAll(paths) { $0 }.map { ($0.item, $0.match) }
    }

    /// Each outcome as bytes: Swift's `==` would call `\u{E9}` and `e\u{301}` the same path.
    static func outcomes(_ paths: [String]) -> [[UInt8]] {
        Self.assign(paths).map { placed in
            let outcome = switch placed.match {
            case .matched(let slot): "\(slot.shotTypeID)"
            case .skipped(let reason, let candidates): "\(reason) \(candidates.map(\.uuidString).sorted())"  // a Set's order is not stable
            }
            return Array("\(placed.path) \(outcome)".utf8)
        }
    }

    @Test func theFirstEntryInUTF8ByteOrderWinsAndTheOthersAreDuplicates() {
        let result = Self.assign(["a/front_full_body.png", "c/front_full_body.tif", "B/front_full_body.jpg"])
        #expect(result.map(\.path) == ["B/front_full_body.jpg", "a/front_full_body.png", "c/front_full_body.tif"])
        #expect(result.map(\.match) == [Self.slot(Self.frontFull), Self.duplicate, Self.duplicate])
    }

    @Test func pathOrderIsUTF8ByteOrderNotSwiftStringOrder() {
        let decomposed = "e\u{301}/front_full_body.jpg", plain = "f/front_full_body.jpg"
        #expect(plain < decomposed)  // Swift compares NFC scalars: U+00E9 > "f"
        #expect(ShotTypeMatcher.pathOrder(decomposed, plain))  // but byte 0x65 < 0x66
        let result = Self.assign([plain, decomposed])
        #expect(result.map(\.path) == [decomposed, plain])
        #expect(result.map(\.match) == [Self.slot(Self.frontFull), Self.duplicate])

        #expect(ShotTypeMatcher.pathOrder("B", "a"))
        #expect(ShotTypeMatcher.pathOrder("\u{FF61}", "\u{1F600}"))  // EF BD A1 < F0 9F 98 80 (UTF-16 says the opposite)
        #expect(!ShotTypeMatcher.pathOrder("a", "a"))
        #expect(ShotTypeMatcher.pathOrder("a", "ab"))
        // Equal to Swift's ==, still distinct in bytes: the precomposed é sorts after the decomposed one.
        #expect("\u{E9}" == "e\u{301}" && ShotTypeMatcher.pathOrder("e\u{301}", "\u{E9}"))
    }

    @Test func skippedEntriesNeverCountAsTheFirstOfAShotType() {
        let result = Self.assign([
            "b/front_full_body.jpg", "._front_full_body.jpg", "__MACOSX/front_full_body.jpg", "a/random.jpg",
            "a/front_full_body_close_up.jpg", "b/sku_front_close_up.jpg", "a/.git/front_full_body.jpg", "c/front_full_body.jpg",
            "a/close_up.jpg",
        ])
        #expect(result.map(\.path) == [
            "._front_full_body.jpg", "__MACOSX/front_full_body.jpg", "a/.git/front_full_body.jpg", "a/close_up.jpg",
            "a/front_full_body_close_up.jpg", "a/random.jpg", "b/front_full_body.jpg", "b/sku_front_close_up.jpg",
            "c/front_full_body.jpg",
        ])
        #expect(result.map(\.match) == [
            .skipped(.ignored), .skipped(.ignored), .skipped(.ignored), .skipped(.ambiguousShotType, candidates: [Self.closeUp, Self.closeUpByName]),
            Self.slot(Self.frontFull), .skipped(.noMatchingShotType), Self.duplicate, Self.slot(Self.closeUp),
            Self.duplicate,
        ])
    }

    @Test func theSamePathTwiceIsADuplicateNotACrash() {
        let result = Self.assign(["x/front_full_body.jpg", "y/back.jpg", "x/front_full_body.jpg", "z.txt", "z.txt"])
        #expect(result.map(\.path) == ["x/front_full_body.jpg", "x/front_full_body.jpg", "y/back.jpg", "z.txt", "z.txt"])
        #expect(result.map(\.match) == [Self.slot(Self.frontFull), Self.duplicate, Self.slot(Self.back), .skipped(.noMatchingShotType), .skipped(.noMatchingShotType)])
        #expect(Self.assign([]).isEmpty)
    }

    @Test func matchAloneDoesNotDetectDuplicates() {
        #expect(Self.catalog.match(path: "a/front_full_body.jpg") == .matched(Self.frontFull))
        #expect(Self.catalog.match(path: "b/front_full_body.jpg") == .matched(Self.frontFull))
    }

    @Test(arguments: [1, 2, 3, 42, 2024] as [UInt64])
    func theOrderOfTheEntriesDoesNotChangeTheOutcome(seed: UInt64) {
        let paths = [
            "B/front_full_body.jpg", "a/front_full_body.png", "f/front_full_body.jpg", "e\u{301}/front_full_body.jpg",
            "\u{E9}/front_full_body.jpg", "x/back.jpg", "x/back.jpg", "sku_back_upper_body_1.jpg", "sku_back_upper_body_2.jpg",
            "__MACOSX/x/back.jpg", ".DS_Store", "close_up.jpg", "\u{FF61}/DET.jpg", "\u{1F600}/DET.jpg", "Thumbs.db", "random",
        ]
        let result = Self.assign(paths)
        // Every entry once, in byte order; one winner each for front, back, back upper and detail.
        #expect(result.map { Array($0.path.utf8) } == paths.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(Set(result.compactMap { if case .matched(let slot) = $0.match { slot.shotTypeID } else { nil } })
            == [Self.frontFull, Self.back, Self.backUpper, Self.detail])
        #expect(result.filter { $0.match == Self.duplicate }.count == 7)

        let expected = Self.outcomes(paths)

        var generator = SplitMix64(seed: seed)  // shared with the other SharedTests
        for _ in 0..<50 {
            let shuffled = paths.shuffled(using: &generator)
            #expect(Self.outcomes(shuffled) == expected, "\(shuffled.map { Array($0.unicodeScalars) })")
        }
    }
}
