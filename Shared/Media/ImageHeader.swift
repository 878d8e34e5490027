/// What an image's header says, without decoding pixels.
public struct ImageInfo: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        case jpeg, png, gif, webp, tiff, heif, avif

        public var mimeType: String {
            switch self {
            case .jpeg: "image/jpeg"
            case .png: "image/png"
            case .gif: "image/gif"
            case .webp: "image/webp"
            case .tiff: "image/tiff"
            case .heif: "image/heif"
            case .avif: "image/avif"
            }
        }

        public var fileExtension: String {
            switch self {
            case .jpeg: "jpg"
            case .tiff: "tif"
            case .heif: "heic"
            default: rawValue
            }
        }
    }

    public var format: Format
    /// Width and height as displayed: a JPEG's EXIF orientation 5-8 swaps them.
    /// Nil only where the format's header does not say (a TIFF whose
    /// directory lies beyond the bytes given, a HEIF without `ispe`).
    public var width: Int?
    public var height: Int?
    /// EXIF orientation (1-8) when the image has one.
    public var exifOrientation: Int?

    /// "portrait", "landscape" or "square", from the displayed size.
    public var orientation: String? {
        guard let width, let height else { return nil }
        return width == height ? "square" : (width > height ? "landscape" : "portrait")
    }

    /// width / height, rounded to 4 decimals.
    public var aspectRatio: Double? {
        guard let width, let height, height > 0 else { return nil }
        return (Double(width) / Double(height) * 10_000).rounded() / 10_000
    }
}

/// Why bytes are not a usable image: not one at all, or one whose header is
/// truncated or lies.
public enum ImageHeaderError: Error, Equatable, Sendable {
    case notAnImage
    case corrupt(String)
}

/// Recognises images by their bytes (never the file name) and reads their
/// size from the header. Every read is bounds-checked: truncated or hostile
/// input is an error, never a crash or a large allocation.
///
/// Hand-written rather than a decoding library: a size and an orientation need
/// a few header fields, never pixels, and every format here is read in a few
/// dozen lines. Every length, offset and count read from the bytes is compared
/// against the bytes really there before it is added to anything (an image is
/// hostile input: Swift traps on overflow), and every loop moves forward by at
/// least one byte, so the work is linear in the prefix given.
public enum ImageHeader {
    /// How many leading bytes callers should pass; enough for JPEG headers
    /// behind large EXIF or ICC segments.
    public static let prefixLength = 1 << 20
    /// The largest side we accept as real.
    static let maximumSide = 1 << 20

    public static func inspect(_ bytes: [UInt8]) throws(ImageHeaderError) -> ImageInfo {
        let data = Bytes(bytes)
        if data.starts(with: [0xFF, 0xD8, 0xFF]) { return try jpeg(data) }
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return try png(data) }
        if data.starts(with: Array("GIF87a".utf8)) || data.starts(with: Array("GIF89a".utf8)) { return try gif(data) }
        if data.starts(with: Array("RIFF".utf8)), (try? data.ascii(8, 4)) == "WEBP" { return try webp(data) }
        if data.starts(with: [0x49, 0x49, 0x2A, 0x00]) || data.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) { return try tiff(data) }
        if (try? data.ascii(4, 4)) == "ftyp", let format = try? isobmffFormat(data) { return try isobmff(data, format: format) }
        throw .notAnImage
    }

    // MARK: Formats

    private static func jpeg(_ data: Bytes) throws(ImageHeaderError) -> ImageInfo {
        var offset = 2
        var orientation: Int?
        while true {
            guard try data.u8(offset) == 0xFF else { throw .corrupt("JPEG marker expected at byte \(offset)") }
            var marker = try data.u8(offset + 1)
            offset += 1
            while marker == 0xFF {  // fill bytes
                offset += 1
                marker = try data.u8(offset)
            }
            offset += 1
            switch marker {
            case 0x01, 0xD0...0xD8: continue  // markers without a length
            case 0xD9, 0xDA: throw .corrupt("JPEG has no frame header before its image data")
            default: break
            }
            let length = Int(try data.u16be(offset))
            // The length counts its own two bytes: 0 and 1 would not move forward.
            guard length >= 2 else { throw .corrupt("JPEG segment length \(length) at byte \(offset)") }
            let segment = offset + 2
            if [0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF].contains(marker) {
                // Precision, height and width: the size must come from this segment, not the next.
                guard length >= 7 else { throw .corrupt("JPEG frame header of \(length) bytes at byte \(offset)") }
                let height = Int(try data.u16be(segment + 1))
                let width = Int(try data.u16be(segment + 3))
                let swapped = (5...8).contains(orientation ?? 1)
                return try sized(.jpeg, width: swapped ? height : width, height: swapped ? width : height, orientation: orientation)
            }
            if marker == 0xE1, length >= 8, (try? data.ascii(segment, 4)) == "Exif" {
                orientation = exifOrientation(data, tiffStart: segment + 6, end: segment + length - 2)
            }
            offset = segment + length - 2
        }
    }

    /// Orientation tag (0x0112) of IFD0 in an EXIF block; nil when absent or unreadable.
    private static func exifOrientation(_ data: Bytes, tiffStart: Int, end: Int) -> Int? {
        guard let tiff = try? TIFFReader(data, start: tiffStart, end: end), let ifd = tiff.firstIFDOffset,
            let value = try? tiff.tag(0x0112, inIFDAt: ifd), (1...8).contains(value)
        else { return nil }
        return value
    }

    private static func png(_ data: Bytes) throws(ImageHeaderError) -> ImageInfo {
        guard try data.ascii(12, 4) == "IHDR" else { throw .corrupt("PNG does not start with IHDR") }
        guard try data.u32be(8) == 13 else { throw .corrupt("PNG IHDR chunk has length \(try data.u32be(8)), not 13") }
        return try sized(.png, width: Int(try data.u32be(16)), height: Int(try data.u32be(20)))
    }

    private static func gif(_ data: Bytes) throws(ImageHeaderError) -> ImageInfo {
        try sized(.gif, width: Int(try data.u16le(6)), height: Int(try data.u16le(8)))
    }

    private static func webp(_ data: Bytes) throws(ImageHeaderError) -> ImageInfo {
        // The first chunk must hold the fields read from it, else they belong to whatever follows.
        let chunkSize = try data.u32le(16)
        let chunk = try data.ascii(12, 4)
        let needed: UInt32 = chunk == "VP8L" ? 5 : 10
        guard chunkSize >= needed else { throw .corrupt("WebP \(chunk) chunk of \(chunkSize) bytes is too short") }
        switch chunk {
        case "VP8 ":
            guard try data.u8(23) == 0x9D, try data.u8(24) == 0x01, try data.u8(25) == 0x2A else {
                throw .corrupt("WebP VP8 frame has no start code")
            }
            return try sized(.webp, width: Int(try data.u16le(26) & 0x3FFF), height: Int(try data.u16le(28) & 0x3FFF))
        case "VP8L":
            guard try data.u8(20) == 0x2F else { throw .corrupt("WebP VP8L has no signature") }
            let bits = try data.u32le(21)
            return try sized(.webp, width: Int(bits & 0x3FFF) + 1, height: Int((bits >> 14) & 0x3FFF) + 1)
        case "VP8X":
            return try sized(.webp, width: Int(try data.u24le(24)) + 1, height: Int(try data.u24le(27)) + 1)
        default:
            throw .corrupt("WebP starts with an unknown chunk \(chunk)")
        }
    }

    private static func tiff(_ data: Bytes) throws(ImageHeaderError) -> ImageInfo {
        let reader = try TIFFReader(data, start: 0, end: data.count)
        // A directory beyond the bytes we were given leaves the size unknown.
        guard let ifd = reader.firstIFDOffset, ifd <= data.count - 2 else { return ImageInfo(format: .tiff) }
        guard let width = try reader.tag(256, inIFDAt: ifd), let height = try reader.tag(257, inIFDAt: ifd) else {
            throw .corrupt("TIFF has no image width or length")
        }
        let orientation = try reader.tag(274, inIFDAt: ifd).flatMap { (1...8).contains($0) ? $0 : nil }
        let swapped = (5...8).contains(orientation ?? 1)
        return try sized(.tiff, width: swapped ? height : width, height: swapped ? width : height, orientation: orientation)
    }

    private static let heifBrands: Set<String> = ["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"]
    private static let avifBrands: Set<String> = ["avif", "avis"]

    private static func isobmffFormat(_ data: Bytes) throws(ImageHeaderError) -> ImageInfo.Format? {
        let size = Int(try data.u32be(0))
        var brands = [try data.ascii(8, 4)]
        var offset = 16
        while offset + 4 <= min(size, data.count, 256) {
            brands.append(try data.ascii(offset, 4))
            offset += 4
        }
        if brands.contains(where: avifBrands.contains) { return .avif }
        if brands.contains(where: heifBrands.contains) { return .heif }
        return nil
    }

    /// HEIF and AVIF: the size is the first `ispe` property in meta/iprp/ipco.
    private static func isobmff(_ data: Bytes, format: ImageInfo.Format) throws(ImageHeaderError) -> ImageInfo {
        guard let ispe = try findBox(data, path: ["meta", "iprp", "ipco", "ispe"], in: 0..<data.count) else {
            return ImageInfo(format: format)
        }
        // ispe is a full box: 4 bytes of version and flags, then width and height.
        return try sized(format, width: Int(try data.u32be(ispe + 4)), height: Int(try data.u32be(ispe + 8)))
    }

    /// The payload offset of the box reached by `path`, or nil.
    private static func findBox(_ data: Bytes, path: ArraySlice<String>, in range: Range<Int>) throws(ImageHeaderError) -> Int? {
        guard let wanted = path.first else { return nil }
        var offset = range.lowerBound
        while range.upperBound - offset >= 8 {
            let remaining = range.upperBound - offset
            let type = try data.ascii(offset + 4, 4)
            // A 32-bit size, 1 for a 64-bit one after the type, 0 for "to the end".
            var size = UInt64(try data.u32be(offset))
            var header = 8
            if size == 1 {
                size = try data.u64be(offset + 8)
                header = 16
            } else if size == 0 {
                size = UInt64(remaining)
            }
            guard size >= UInt64(header) else { throw .corrupt("box \(type) at byte \(offset) has size \(size)") }
            // Compared before adding: a claimed size may be anything up to 2^64 - 1.
            // A box running past the bytes given is cut at their end.
            let end = size < UInt64(remaining) ? offset + Int(size) : range.upperBound
            if type == wanted {
                // meta is a full box: its children start after version and flags.
                let payload = offset + header + (type == "meta" ? 4 : 0)
                guard payload <= end else { throw .corrupt("box \(type) at byte \(offset) is shorter than its header") }
                if path.count == 1 { return payload }
                return try findBox(data, path: path.dropFirst(), in: payload..<end)
            }
            offset = end
        }
        return nil
    }

    private static func sized(
        _ format: ImageInfo.Format, width: Int, height: Int, orientation: Int? = nil
    ) throws(ImageHeaderError) -> ImageInfo {
        guard (1...maximumSide).contains(width), (1...maximumSide).contains(height) else {
            throw .corrupt("\(format.rawValue) header claims a size of \(width)x\(height)")
        }
        return ImageInfo(format: format, width: width, height: height, exifOrientation: orientation)
    }
}

// MARK: Bounds-checked reading

/// A byte array whose every read checks its bounds.
struct Bytes {
    let storage: [UInt8]
    init(_ storage: [UInt8]) { self.storage = storage }

    var count: Int { storage.count }

    func starts(with prefix: [UInt8]) -> Bool { storage.starts(with: prefix) }

    private func check(_ offset: Int, _ length: Int) throws(ImageHeaderError) {
        guard offset >= 0, length >= 0, offset <= storage.count - length else {
            throw .corrupt("header truncated at byte \(offset)")
        }
    }

    func u8(_ offset: Int) throws(ImageHeaderError) -> UInt8 {
        try check(offset, 1)
        return storage[offset]
    }

    func u16be(_ offset: Int) throws(ImageHeaderError) -> UInt16 {
        try check(offset, 2)
        return UInt16(storage[offset]) << 8 | UInt16(storage[offset + 1])
    }

    func u16le(_ offset: Int) throws(ImageHeaderError) -> UInt16 {
        try check(offset, 2)
        return UInt16(storage[offset + 1]) << 8 | UInt16(storage[offset])
    }

    func u24le(_ offset: Int) throws(ImageHeaderError) -> UInt32 {
        try check(offset, 3)
        return UInt32(storage[offset]) | UInt32(storage[offset + 1]) << 8 | UInt32(storage[offset + 2]) << 16
    }

    func u32be(_ offset: Int) throws(ImageHeaderError) -> UInt32 {
        try check(offset, 4)
        return (0..<4).reduce(0) { $0 << 8 | UInt32(storage[offset + $1]) }
    }

    func u32le(_ offset: Int) throws(ImageHeaderError) -> UInt32 {
        try check(offset, 4)
        return (0..<4).reversed().reduce(0) { $0 << 8 | UInt32(storage[offset + $1]) }
    }

    func u64be(_ offset: Int) throws(ImageHeaderError) -> UInt64 {
        try check(offset, 8)
        return (0..<8).reduce(0) { $0 << 8 | UInt64(storage[offset + $1]) }
    }

    func ascii(_ offset: Int, _ length: Int) throws(ImageHeaderError) -> String {
        try check(offset, length)
        return String(decoding: storage[offset..<offset + length], as: UTF8.self)
    }
}

/// Reads tags of a TIFF structure (a TIFF file, or the EXIF block of a JPEG)
/// whose offsets are relative to `start`.
struct TIFFReader {
    let data: Bytes
    let start: Int
    let end: Int
    let bigEndian: Bool
    /// Absolute offset of IFD0; nil when it lies beyond `end`.
    let firstIFDOffset: Int?

    init(_ data: Bytes, start: Int, end: Int) throws(ImageHeaderError) {
        self.data = data
        self.start = start
        self.end = end
        switch try data.ascii(start, 2) {
        case "II": bigEndian = false
        case "MM": bigEndian = true
        default: throw .corrupt("TIFF byte order mark missing")
        }
        let magic = bigEndian ? try data.u16be(start + 2) : try data.u16le(start + 2)
        guard magic == 42 else { throw .corrupt("TIFF magic number missing") }
        let relative = Int(bigEndian ? try data.u32be(start + 4) : try data.u32le(start + 4))
        // Compared with the room left before it is added to `start`.
        firstIFDOffset = relative <= end - start ? start + relative : nil
    }

    /// The value of a SHORT or LONG tag in the directory at `ifd`, or nil when absent.
    func tag(_ wanted: UInt16, inIFDAt ifd: Int) throws(ImageHeaderError) -> Int? {
        let count = Int(try u16(ifd))
        // 12-byte entries after the 2-byte count: at most 65,535 of them, so no product overflows.
        for index in 0..<count {
            let entry = ifd + 2 + index * 12
            guard entry <= end - 12 else { throw .corrupt("TIFF directory runs past its data") }
            guard try u16(entry) == wanted else { continue }
            switch try u16(entry + 2) {
            case 3: return Int(try u16(entry + 8))  // SHORT, stored in the value field
            case 4: return Int(bigEndian ? try data.u32be(entry + 8) : try data.u32le(entry + 8))  // LONG
            default: throw .corrupt("TIFF tag \(wanted) has an unexpected type")
            }
        }
        return nil
    }

    private func u16(_ offset: Int) throws(ImageHeaderError) -> UInt16 {
        bigEndian ? try data.u16be(offset) : try data.u16le(offset)
    }
}
