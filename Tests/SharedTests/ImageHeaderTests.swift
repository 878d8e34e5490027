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

    private static func be32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
    private static func be64(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }

    @Test(arguments: ["meta", "free"])
    func aBoxWithA64BitSizeNearIntMaxIsCutAtTheDataNotAnOverflow(_ type: String) throws {
        // 40 bytes: ftyp, then a box whose 64-bit size would overflow `offset + size`.
        let avif = Self.be32(16) + Array("ftypavif".utf8) + [0, 0, 0, 0]
            + Self.be32(1) + Array(type.utf8) + Self.be64(UInt64(Int.max)) + Array(repeating: 0, count: 8)
        #expect(avif.count == 40)
        let info = try ImageHeader.inspect(avif)
        #expect(info.format == .avif && info.width == nil && info.height == nil)
        var huge = avif
        huge.replaceSubrange(24..<32, with: Self.be64(.max))
        #expect((try? ImageHeader.inspect(huge))?.width == nil)
        // The same at offset 0: the ftyp box itself claims a 64-bit size.
        let first = Self.be32(1) + Array("ftypavif".utf8) + Self.be64(UInt64(Int.max) - 3) + Array(repeating: 0, count: 8)
        #expect((try? ImageHeader.inspect(first))?.width == nil)
    }

    @Test func theAVIFLibFuzzerFoundOverflowingIsReadWithoutATrap() throws {
        // Found by Tests/Fuzz (image-header) against the reader before the fix:
        // an `iinf` box of 64-bit size 2^63 - 1 inside `meta`.
        let input = try #require(Data(base64Encoded: "AAAAIGZ0eXBhdmlmAAAAAAETAAAATgAAAChpaW5mAAAAAAABAAAAGn//////////AAAAAAIAAAAAAQAAYXYwMUNvAAAAAAAAAAAa"))
        let info = try? ImageHeader.inspect(Array(input))
        #expect(info?.width == nil)
    }

    @Test func jpegSegmentLengthsOfZeroAndOneAreCorruptNotALoop() {
        for length: UInt8 in [0, 1] {
            #expect(throws: ImageHeaderError.corrupt("JPEG segment length \(length) at byte 4")) {
                try ImageHeader.inspect([0xFF, 0xD8, 0xFF, 0xE0, 0, length, 0xFF, 0xC0])
            }
        }
    }

    @Test func aJPEGFrameHeaderTooShortForItsSizeIsCorrupt() {
        // SOF0 of length 4: its "height and width" would be read from the next segment.
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC0, 0, 4, 8, 0, 0xFF, 0xDB, 0, 40, 0, 30]
        #expect(throws: ImageHeaderError.corrupt("JPEG frame header of 4 bytes at byte 4")) { try ImageHeader.inspect(jpeg) }
    }

    @Test func tiffDirectoryOffsetsAndCountsPastTheDataAreHandled() throws {
        // IFD0 at 2^32 - 1: beyond the data, so the size is unknown (not an overflow, not a read past the end).
        let farAway: [UInt8] = Array("MM".utf8) + [0, 42] + Self.be32(.max) + Array(repeating: 0, count: 8)
        let info = try ImageHeader.inspect(farAway)
        #expect(info.format == .tiff && info.width == nil)
        // 65,535 entries claimed, two bytes of them present.
        let manyEntries: [UInt8] = Array("MM".utf8) + [0, 42] + Self.be32(8) + [0xFF, 0xFF, 1, 0]
        #expect(throws: ImageHeaderError.corrupt("TIFF directory runs past its data")) { try ImageHeader.inspect(manyEntries) }
        // The same inside a JPEG's EXIF block: no orientation, the size still read.
        let exif = Array("Exif".utf8) + [0, 0] + Array("MM".utf8) + [0, 42] + Self.be32(.max)
        let app1 = [0xFF, 0xE1] + [0, UInt8(exif.count + 2)] + exif
        let jpeg = [0xFF, 0xD8] + app1 + [0xFF, 0xC0, 0, 11, 8, 0, 30, 0, 40, 3, 1, 0x22, 0]
        let fromJPEG = try ImageHeader.inspect(jpeg)
        #expect(fromJPEG.exifOrientation == nil && fromJPEG.width == 40 && fromJPEG.height == 30)
    }

    @Test func pngAndWebPChunksShorterThanTheirFieldsAreCorrupt() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Self.be32(4) + Array("IHDR".utf8) + Self.be32(10) + Self.be32(10)
        #expect(throws: ImageHeaderError.corrupt("PNG IHDR chunk has length 4, not 13")) { try ImageHeader.inspect(png) }
        let webp: [UInt8] = Array("RIFF".utf8) + [30, 0, 0, 0] + Array("WEBPVP8X".utf8) + [2, 0, 0, 0] + Array(repeating: 9, count: 10)
        #expect(throws: ImageHeaderError.corrupt("WebP VP8X chunk of 2 bytes is too short")) { try ImageHeader.inspect(webp) }
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
