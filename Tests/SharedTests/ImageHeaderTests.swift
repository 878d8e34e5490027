import Foundation
import Shared
import Testing
import TestSupport

/// The header parser on real files made by Pillow and ImageMagick
/// (Tests/Fixtures/images/make_images.py), and on hostile input.
@Suite("Image headers")
struct ImageHeaderTests {
    static let directory = Fixtures.directory.appendingPathComponent("images")

    /// Every fixture image; the name ends with the displayed size, e.g. `exif6_30x40.jpg`.
    static let fixtures: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasSuffix(".py") && !$0.hasSuffix(".txt") }.sorted()
    }()

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    private static func expectedSize(_ name: String) -> (Int, Int)? {
        guard let match = name.firstMatch(of: /_(\d+)x(\d+)\.[a-z]+$/) else { return nil }
        return (Int(match.1)!, Int(match.2)!)
    }

    private static let expectedFormat: [String: ImageInfo.Format] = [
        "jpg": .jpeg, "png": .png, "gif": .gif, "webp": .webp, "tif": .tiff, "avif": .avif,
    ]

    // MARK: Tests

    @Test func thereIsAFixtureForEveryFormatWeMustRead() {
        let extensions = Set(Self.fixtures.map { String($0.split(separator: ".").last!) })
        #expect(extensions.isSuperset(of: ["jpg", "png", "gif", "webp", "tif", "avif"]))
        #expect(Self.fixtures.count >= 18)
    }

    @Test(arguments: fixtures)
    func theHeaderGivesTheFormatAndDisplayedSize(_ name: String) throws {
        let info = try ImageHeader.inspect(try Self.bytes(name))
        let (width, height) = try #require(Self.expectedSize(name))
        #expect(info.format == Self.expectedFormat[String(name.split(separator: ".").last!)])
        #expect(info.width == width && info.height == height, "\(name): \(String(describing: info.width))x\(String(describing: info.height))")
    }

    @Test func exifOrientationsFiveToEightSwapWidthAndHeight() throws {
        let rotated = try ImageHeader.inspect(try Self.bytes("exif6_30x40.jpg"))
        #expect(rotated.exifOrientation == 6 && rotated.orientation == "portrait")
        let upsideDown = try ImageHeader.inspect(try Self.bytes("exif3_40x30.jpg"))
        #expect(upsideDown.exifOrientation == 3 && upsideDown.orientation == "landscape")
    }

    @Test func orientationAndAspectRatioFollowTheDisplayedSize() throws {
        let info = try ImageHeader.inspect(try Self.bytes("baseline_64x48.jpg"))
        #expect(info.orientation == "landscape")
        #expect(info.aspectRatio == 1.3333)
        #expect(try ImageHeader.inspect(try Self.bytes("palette_16x16.png")).orientation == "square")
    }

    @Test func anImageIsRecognisedByItsBytesNotItsName() throws {
        #expect(throws: ImageHeaderError.notAnImage) { try ImageHeader.inspect(try Self.bytes("not_an_image.txt")) }
        #expect(throws: ImageHeaderError.notAnImage) { try ImageHeader.inspect(Array("%PDF-1.7\n".utf8)) }
        #expect(throws: ImageHeaderError.notAnImage) { try ImageHeader.inspect([]) }
    }

    @Test func aMinimalHEIFIsRecognisedWithItsIspeSize() throws {
        func box(_ type: String, _ payload: [UInt8]) -> [UInt8] {
            let size = UInt32(8 + payload.count)
            return withUnsafeBytes(of: size.bigEndian, Array.init) + Array(type.utf8) + payload
        }
        let ispe = box("ispe", [0, 0, 0, 0] + withUnsafeBytes(of: UInt32(4032).bigEndian, Array.init) + withUnsafeBytes(of: UInt32(3024).bigEndian, Array.init))
        let meta = box("meta", [0, 0, 0, 0] + box("hdlr", Array(repeating: 0, count: 20)) + box("iprp", box("ipco", ispe)))
        let heif = box("ftyp", Array("heic".utf8) + [0, 0, 0, 0] + Array("mif1heic".utf8)) + meta
        let info = try ImageHeader.inspect(heif)
        #expect(info.format == .heif && info.width == 4032 && info.height == 3024)
    }

    @Test(arguments: fixtures)
    func everyTruncationIsAnErrorOrAnswerNeverACrash(_ name: String) throws {
        let bytes = try Self.bytes(name)
        for length in 0..<min(bytes.count, 600) {
            do {
                let info = try ImageHeader.inspect(Array(bytes.prefix(length)))
                // Only a complete header may answer, and then with the true size.
                if let (width, height) = Self.expectedSize(name), let reported = info.width {
                    #expect(reported == width && info.height == height, "\(name) cut at \(length)")
                }
            } catch {}
        }
    }

    @Test func lyingHeadersAreCorruptNotHuge() {
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        png += [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1]
        #expect(throws: ImageHeaderError.self) { try ImageHeader.inspect(png) }
        let zeroJPEG: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0, 0, 0, 0, 3, 1, 0x22, 0]
        #expect(throws: ImageHeaderError.self) { try ImageHeader.inspect(zeroJPEG) }
        let loopingJPEG: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0]
        #expect(throws: ImageHeaderError.self) { try ImageHeader.inspect(loopingJPEG) }
        var box: [UInt8] = [0, 0, 0, 1] + Array("ftypavif".utf8) + Array(repeating: 0xFF, count: 8)
        box += [0, 0, 0, 1] + Array("meta".utf8) + Array(repeating: 0xFF, count: 8)
        // A box claiming more bytes than exist is skipped, never followed: no size is reported.
        #expect((try? ImageHeader.inspect(box))?.width == nil)
    }

    /// Property: random mutations of real headers never crash the parser, and
    /// whatever it answers is within bounds. Seeded, so a failure repeats.
    @Test func randomMutationsNeverCrashTheParser() throws {
        var generator = SplitMix64(seed: 0x5EED)
        for name in Self.fixtures {
            let original = try Self.bytes(name)
            for _ in 0..<300 {
                var mutated = Array(original.prefix(2048))
                for _ in 0..<Int.random(in: 1...8, using: &generator) {
                    let index = Int.random(in: 0..<mutated.count, using: &generator)
                    mutated[index] = UInt8.random(in: 0...255, using: &generator)
                }
                if let info = try? ImageHeader.inspect(mutated), let width = info.width, let height = info.height {
                    #expect((1...(1 << 20)).contains(width) && (1...(1 << 20)).contains(height))
                }
            }
        }
        for _ in 0..<2000 {
            let noise = (0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? ImageHeader.inspect(noise)
        }
    }
}
