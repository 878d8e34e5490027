internal import CZlib
import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A reader of ZIP archives (PKWARE APPNOTE 6.3) read at explicit offsets from a
// `ZipSource` (a local file, or a blob in the store): the central directory is
// parsed whole at open, so limits are checked before anything is inflated, and
// every entry (encrypted, unsupported or not) is listed. Entries are streamed
// in chunks with zlib's raw inflate; memory stays bounded whatever the
// archive's size, and every offset and length is checked against its size.
//
// Hand-written rather than ZIPFoundation: its entry iterator ends silently at
// the first encrypted entry or unreadable directory record and hides flags and
// compression methods, while CONTRACT §6 needs the rest of an archive processed
// past such an entry, limits checked from the directory before inflating, CP437
// names and ZIP64, and entries pulled chunk by chunk into the blob store. zlib
// (the system library, `Shared/CZlib`) does what is not worth writing: raw
// inflate, and CRC-32 at 0.8-1.3 GB/s where a pure Swift one runs ~0.3 GB/s,
// the bottleneck for stored JPEGs (STACK-NOTES).

/// Limits against zip bombs and oversized uploads.
public struct ZipLimits: Sendable, Equatable {
    /// Most file entries (directories are not counted).
    public var maxEntries: Int
    /// Largest uncompressed size of one entry.
    public var maxEntryBytes: Int
    /// Largest sum of uncompressed sizes, declared and actually inflated.
    public var maxTotalBytes: Int
    /// Largest uncompressed / compressed ratio ...
    public var maxRatio: Int
    /// ... checked only once this many uncompressed bytes are reached.
    public var ratioAppliesAbove: Int
    /// Longest entry name in bytes; an archive with a longer one is refused. Names are
    /// reported in task results and matched against shot types: this bounds both.
    public var maxNameBytes: Int

    public init(
        maxEntries: Int = 10_000, maxEntryBytes: Int = 256 << 20, maxTotalBytes: Int = 8 << 30,
        maxRatio: Int = 200, ratioAppliesAbove: Int = 1 << 20, maxNameBytes: Int = 1024
    ) {
        self.maxEntries = maxEntries
        self.maxEntryBytes = maxEntryBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxRatio = maxRatio
        self.ratioAppliesAbove = ratioAppliesAbove
        self.maxNameBytes = maxNameBytes
    }

    /// Whether `uncompressed` bytes from `compressed` ones is a suspicious ratio.
    func ratioExceeded(uncompressed: UInt64, compressed: UInt64) -> Bool {
        guard uncompressed > UInt64(ratioAppliesAbove) else { return false }
        let (bound, overflow) = compressed.multipliedReportingOverflow(by: UInt64(maxRatio))
        return !overflow && uncompressed > bound
    }
}

public enum ZipArchiveError: Error, Equatable, Sendable, CustomStringConvertible {
    case io(String)
    case notAZip
    case truncated
    case corruptArchive(reason: String)
    /// Two entries share bytes: the construction of overlapping zip bombs.
    case overlappingEntries(first: String, second: String)
    case nameTooLong(limit: Int)
    case tooManyEntries(count: Int, limit: Int)
    case tooManyFolders(count: Int, limit: Int)
    case tooLargeInTotal(limit: Int)
    case compressionRatioTooHigh(limit: Int)
    case entryTooLarge(path: String, limit: Int)
    case entryCompressionRatioTooHigh(path: String, limit: Int)
    case encryptedEntry(path: String)
    case unsupportedCompression(path: String, method: UInt16)
    case corruptEntry(path: String, reason: String)

    public var description: String {
        switch self {
        case .io(let reason): "The archive could not be read: \(reason)."
        case .notAZip: "The file is not a readable ZIP archive: it has no end-of-archive record (it is not a ZIP, or it is cut short)."
        case .truncated: "The file is not a readable ZIP archive: it ends before the data its directory points to."
        case .corruptArchive(let reason): "The file is not a readable ZIP archive: \(reason)."
        case .overlappingEntries(let first, let second):
            "The file is not a readable ZIP archive: the data of \"\(first)\" and \"\(second)\" overlap (a likely zip bomb)."
        case .nameTooLong(let limit): "The archive has a file name longer than \(limit) bytes, the limit."
        case .tooManyEntries(let count, let limit): "The archive has \(count) files; the limit is \(limit)."
        case .tooManyFolders(let count, let limit): "The archive has \(count) folders; the limit is \(limit)."
        case .tooLargeInTotal(let limit): "The archive's files add up to more than \(describe(bytes: limit)), the limit."
        case .compressionRatioTooHigh(let limit):
            "The archive's files are compressed more than \(limit) to 1, the limit (a likely zip bomb)."
        case .entryTooLarge(let path, let limit):
            "\"\(path)\" is larger than \(describe(bytes: limit)), the limit for one file."
        case .entryCompressionRatioTooHigh(let path, let limit):
            "\"\(path)\" is compressed more than \(limit) to 1, the limit for one file (a likely zip bomb)."
        case .encryptedEntry(let path): "\"\(path)\" is encrypted (password-protected) and cannot be read."
        case .unsupportedCompression(let path, let method):
            "\"\(path)\" uses compression method \(method); only stored (0) and deflate (8) are supported."
        case .corruptEntry(let path, let reason): "\"\(path)\" is damaged: \(reason)."
        }
    }
}

private func describe(bytes count: Int) -> String {
    if count >= 1 << 30, count % (1 << 30) == 0 { return "\(count >> 30) GiB" }
    if count >= 1 << 20, count % (1 << 20) == 0 { return "\(count >> 20) MiB" }
    return "\(count) bytes"
}

/// One central directory record, its offsets and sizes checked against the archive.
public struct ZipEntry: Sendable, Equatable {
    public let path: String
    /// Name ends with "/" or the MS-DOS directory attribute (0x10) is set.
    public let isDirectory: Bool
    /// General purpose bit flag: bit 0 encrypted, bit 3 data descriptor, bit 11 UTF-8 name.
    public let flags: UInt16
    public let compressionMethod: UInt16
    public let crc32: UInt32
    public let compressedSize: UInt64
    public let uncompressedSize: UInt64
    /// Declared size over `maxEntryBytes`, or declared ratio over `maxRatio`: skip as too large.
    public let exceedsEntryLimit: Bool
    let localHeaderOffset: UInt64
    /// Length of the name as stored, in bytes.
    let nameLength: Int
    /// Where the next entry's local header (or the central directory) starts: this
    /// entry's local header and data must end by then.
    var slotEnd: UInt64

    public var isEncrypted: Bool { flags & 1 != 0 }
    /// Stored (0) or deflate (8).
    public var isSupported: Bool { compressionMethod == 0 || compressionMethod == 8 }

    /// About the bytes a reader of the entry reads: its local header and data
    /// (the header's extra field, unknown until read, is left out). Checked at
    /// open to lie within the archive, so this cannot overflow.
    public var approximateSpan: Range<UInt64> {
        localHeaderOffset..<(localHeaderOffset + 30 + UInt64(nameLength) + compressedSize)
    }
}

/// Where an archive's bytes come from. Not Sendable: one task reads it at a time.
public protocol ZipSource: AnyObject {
    var size: UInt64 { get }
    /// Exactly `count` bytes from `offset`; the archive has checked that they are within `size`.
    func bytes(at offset: UInt64, count: Int) async throws -> ByteBuffer
}

/// An open archive. Not Sendable: it reads its source and counts inflated
/// bytes without a lock, so one task uses it (and its readers) at a time.
public final class ZipArchive {
    public let limits: ZipLimits
    /// Central directory order; files and directories.
    public let entries: [ZipEntry]
    public var fileEntries: [ZipEntry] { entries.filter { !$0.isDirectory } }
    /// Bytes produced by all readers so far, held to `maxTotalBytes` (entries may be read again).
    public internal(set) var inflatedBytes: UInt64 = 0
    let source: any ZipSource

    public convenience init(path: String, limits: ZipLimits = .init()) async throws {
        try await self.init(source: try ZipFile(path: path), limits: limits)
    }

    public init(source: any ZipSource, limits: ZipLimits = .init()) async throws {
        self.limits = limits
        self.source = source
        let directory = try await Self.findCentralDirectory(source)
        entries = try await Self.readEntries(source, directory, limits)
    }

    /// A reader of the entry's bytes; throws at once for an entry that must be skipped.
    public func reader(for entry: ZipEntry, chunkSize: Int = 256 * 1024) async throws -> ZipEntryReader {
        if entry.isEncrypted { throw ZipArchiveError.encryptedEntry(path: entry.path) }
        guard entry.isSupported else { throw ZipArchiveError.unsupportedCompression(path: entry.path, method: entry.compressionMethod) }
        if entry.uncompressedSize > UInt64(limits.maxEntryBytes) {
            throw ZipArchiveError.entryTooLarge(path: entry.path, limit: limits.maxEntryBytes)
        }
        if entry.exceedsEntryLimit { throw ZipArchiveError.entryCompressionRatioTooHigh(path: entry.path, limit: limits.maxRatio) }
        // The local header's name and extra lengths may differ from the central directory's,
        // but its data must still end before the next entry's header: no sharing of bytes.
        let local = try await Self.array(source, at: entry.localHeaderOffset, count: 30)
        guard local.le32(0) == 0x0403_4b50 else {
            throw ZipArchiveError.corruptEntry(path: entry.path, reason: "its local header is missing")
        }
        let start = entry.localHeaderOffset + 30 + UInt64(local.le16(26)) + UInt64(local.le16(28))  // offset < size: no overflow
        guard let end = checkedSum(start, entry.compressedSize), end <= entry.slotEnd else {
            throw ZipArchiveError.corruptArchive(reason: "the data of \"\(entry.path)\" runs into what follows it")
        }
        let size = min(max(chunkSize, 1024), 16 << 20)  // zlib counts in 32 bits
        let stream = try EntryStream(archive: self, entry: entry, dataOffset: start, chunkSize: size)
        return ZipEntryReader(entry: entry, stream: stream)
    }

    private struct CentralDirectory { var offset: UInt64, size: UInt64, count: UInt64 }

    /// The End Of Central Directory record is in the last 65,535 + 22 bytes (its comment may be that long).
    private static func findCentralDirectory(_ file: any ZipSource) async throws -> CentralDirectory {
        let tailLength = Int(min(file.size, 65_535 + 22))
        guard tailLength >= 22 else { throw ZipArchiveError.notAZip }
        let tailStart = file.size - UInt64(tailLength)
        let tail = try await array(file, at: tailStart, count: tailLength)
        var index = tailLength - 22
        while index >= 0, !(tail.le32(index) == 0x0605_4b50 && index + 22 + Int(tail.le16(index + 20)) <= tailLength) {
            index -= 1
        }
        guard index >= 0 else { throw ZipArchiveError.notAZip }
        let eocd = tailStart + UInt64(index)
        // Disk numbers other than 0 (or 0xFFFF, "see the ZIP64 record") mean a split archive.
        if ![0, 0xFFFF].contains(tail.le16(index + 4)) || ![0, 0xFFFF].contains(tail.le16(index + 6)) {
            throw ZipArchiveError.corruptArchive(reason: "it is split into parts, which is not supported")
        }
        var directory = CentralDirectory(
            offset: UInt64(tail.le32(index + 16)), size: UInt64(tail.le32(index + 12)), count: UInt64(tail.le16(index + 10)))
        var directoryEnd = eocd  // where the central directory must end
        // ZIP64: a locator just before the EOCD points at the ZIP64 EOCD record with 64-bit fields.
        let locator = eocd >= 20 ? try await array(file, at: eocd - 20, count: 20) : []
        if locator.count == 20, locator.le32(0) == 0x0706_4b50 {
            let recordOffset = locator.le64(8)
            guard recordOffset <= eocd - 20, eocd - 20 - recordOffset >= 56 else { throw ZipArchiveError.truncated }
            let record = try await array(file, at: recordOffset, count: 56)
            guard record.le32(0) == 0x0606_4b50 else { throw ZipArchiveError.corruptArchive(reason: "its ZIP64 end record is missing") }
            directory = CentralDirectory(offset: record.le64(48), size: record.le64(40), count: record.le64(32))
            directoryEnd = recordOffset
        } else if directory.count == 0xFFFF || directory.size == 0xFFFF_FFFF || directory.offset == 0xFFFF_FFFF {
            throw ZipArchiveError.corruptArchive(reason: "its ZIP64 end record is missing")
        }
        guard directory.offset <= file.size, directory.size <= file.size - directory.offset else { throw ZipArchiveError.truncated }
        guard directory.offset + directory.size <= directoryEnd else {
            throw ZipArchiveError.corruptArchive(reason: "the central directory overlaps its end record")
        }
        guard directory.count <= directory.size / 46 else {
            throw ZipArchiveError.corruptArchive(reason: "it declares more entries than its central directory holds")
        }
        return directory
    }

    private static func readEntries(
        _ file: any ZipSource, _ directory: CentralDirectory, _ limits: ZipLimits
    ) async throws -> [ZipEntry] {
        var window = Window(file: file, next: directory.offset, end: directory.offset + directory.size)
        var entries: [ZipEntry] = []
        var files = 0, folders = 0
        var totalUncompressed: UInt64 = 0
        for _ in 0..<directory.count {
            let header = try await window.take(46)
            guard header.le32(0) == 0x0201_4b50 else { throw ZipArchiveError.corruptArchive(reason: "an entry's header is missing") }
            let flags = header.le16(8), crc = header.le32(16)
            var compressed = UInt64(header.le32(20)), uncompressed = UInt64(header.le32(24))
            var offset = UInt64(header.le32(42))
            let nameLength = Int(header.le16(28))
            guard nameLength <= limits.maxNameBytes else { throw ZipArchiveError.nameTooLong(limit: limits.maxNameBytes) }
            let rawName = try await window.take(nameLength)
            let extra = Array(try await window.take(Int(header.le16(30))))
            _ = try await window.take(Int(header.le16(32)))  // comment
            var unicodeName: ArraySlice<UInt8>?
            var at = 0
            while at + 4 <= extra.count {
                let id = extra.le16(at), length = Int(extra.le16(at + 2))
                guard at + 4 + length <= extra.count else { break }
                let field = Array(extra[(at + 4)..<(at + 4 + length)])
                if id == 0x0001 {
                    // ZIP64 extended information: only the fields that were 0xFFFFFFFF, in this order.
                    var position = 0
                    func widen(_ value: inout UInt64) throws(ZipArchiveError) {
                        guard value == 0xFFFF_FFFF else { return }
                        guard position + 8 <= field.count else { throw .corruptArchive(reason: "a ZIP64 field is missing") }
                        value = field.le64(position)
                        position += 8
                    }
                    try widen(&uncompressed)
                    try widen(&compressed)
                    try widen(&offset)
                } else if id == 0x7075, length >= 5, field[0] == 1, field.le32(1) == checksum(rawName) {
                    // Info-ZIP Unicode Path: UTF-8 name beside a legacy one, held to the same limit.
                    guard length - 5 <= limits.maxNameBytes else { throw ZipArchiveError.nameTooLong(limit: limits.maxNameBytes) }
                    unicodeName = field[5...]
                }
                at += 4 + length
            }
            // Offsets and sizes may be anything up to 2^64 - 1 (ZIP64): the entry's local
            // header, name and data must fit before the central directory.
            guard let spanEnd = checkedSum(offset, 30 + UInt64(nameLength), compressed), spanEnd <= directory.offset else {
                throw ZipArchiveError.corruptArchive(reason: "an entry's data lies outside the archive")
            }
            let path = decodeName(rawName, utf8Flag: flags & 0x0800 != 0, unicodeName: unicodeName)
            let isDirectory = path.hasSuffix("/") || header.le32(38) & 0x10 != 0
            let exceeds = !isDirectory && (uncompressed > UInt64(limits.maxEntryBytes)
                || limits.ratioExceeded(uncompressed: uncompressed, compressed: compressed))
            if isDirectory { folders += 1 } else {
                files += 1
                totalUncompressed = checkedSum(totalUncompressed, uncompressed) ?? .max  // saturating
            }
            // Past a limit, go on counting for the message but stop keeping entries.
            if files <= limits.maxEntries, folders <= limits.maxEntries {
                entries.append(ZipEntry(
                    path: path, isDirectory: isDirectory, flags: flags, compressionMethod: header.le16(10), crc32: crc,
                    compressedSize: compressed, uncompressedSize: uncompressed, exceedsEntryLimit: exceeds,
                    localHeaderOffset: offset, nameLength: nameLength, slotEnd: directory.offset))
            }
        }
        if files > limits.maxEntries { throw ZipArchiveError.tooManyEntries(count: files, limit: limits.maxEntries) }
        if folders > limits.maxEntries { throw ZipArchiveError.tooManyFolders(count: folders, limit: limits.maxEntries) }
        try assignSlots(&entries)
        if totalUncompressed > UInt64(limits.maxTotalBytes) { throw ZipArchiveError.tooLargeInTotal(limit: limits.maxTotalBytes) }
        // Against the bytes really there, not the compressed sizes the entries claim.
        if limits.ratioExceeded(uncompressed: totalUncompressed, compressed: file.size) {
            throw ZipArchiveError.compressionRatioTooHigh(limit: limits.maxRatio)
        }
        return entries
    }

    /// Entries in offset order must not share bytes (overlapping entries let a small
    /// archive inflate its data many times over); each gets the room up to the next.
    /// Disjoint spans before the central directory also mean that the compressed
    /// sizes add up to less than the archive.
    private static func assignSlots(_ entries: inout [ZipEntry]) throws(ZipArchiveError) {
        let order = entries.indices.sorted { entries[$0].localHeaderOffset < entries[$1].localHeaderOffset }
        for (earlier, later) in zip(order, order.dropFirst()) {
            guard entries[earlier].approximateSpan.upperBound <= entries[later].localHeaderOffset else {
                throw .overlappingEntries(first: entries[earlier].path, second: entries[later].path)
            }
            entries[earlier].slotEnd = entries[later].localHeaderOffset
        }
    }

    /// `count` bytes from `offset` of `source`, checked to be within it first.
    static func bytes(_ source: any ZipSource, at offset: UInt64, count: Int) async throws -> ByteBuffer {
        guard offset <= source.size, UInt64(count) <= source.size - offset else { throw ZipArchiveError.truncated }
        let bytes = try await source.bytes(at: offset, count: count)
        guard bytes.readableBytes == count else { throw ZipArchiveError.io("the archive shrank while being read") }
        return bytes
    }

    static func array(_ source: any ZipSource, at offset: UInt64, count: Int) async throws -> [UInt8] {
        Array(try await bytes(source, at: offset, count: count).readableBytesView)
    }

    /// UTF-8 when flagged or given in a Unicode Path field. Otherwise CP437 per APPNOTE, except
    /// that valid UTF-8 is taken as such: Info-ZIP on Linux and macOS write UTF-8 without the flag.
    /// Invalid UTF-8 and NUL (which Postgres text and jsonb cannot hold) become U+FFFD.
    static func decodeName(_ raw: ArraySlice<UInt8>, utf8Flag: Bool, unicodeName: ArraySlice<UInt8>?) -> String {
        let name: String
        if utf8Flag {
            name = String(decoding: raw, as: UTF8.self)
        } else if let unicodeName {
            name = String(decoding: unicodeName, as: UTF8.self)
        } else if let utf8 = String(validating: raw, as: UTF8.self) {
            name = utf8
        } else {
            var scalars = String.UnicodeScalarView()
            scalars.append(contentsOf: raw.map { $0 < 0x80 ? Unicode.Scalar($0) : cp437[Int($0) - 0x80] })
            name = String(scalars)
        }
        guard name.utf8.contains(0) else { return name }
        return String(String.UnicodeScalarView(name.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : $0 }))
    }
}

/// `values` added up, or nil when the sum does not fit in 64 bits.
private func checkedSum(_ values: UInt64...) -> UInt64? {
    var sum: UInt64 = 0
    for value in values {
        let (partial, overflow) = sum.addingReportingOverflow(value)
        if overflow { return nil }
        sum = partial
    }
    return sum
}

/// CP437 (the original IBM PC character set) for bytes 0x80-0xFF.
private let cp437 = Array((
    "ÇüéâäàåçêëèïîìÄÅ" + "ÉæÆôöòûùÿÖÜ¢£¥₧ƒ" + "áíóúñÑªº¿⌐¬½¼¡«»" + "░▒▓│┤╡╢╖╕╣║╗╝╜╛┐"
        + "└┴┬├─┼╞╟╚╔╩╦╠═╬╧" + "╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀" + "αßΓπΣσµτΦΘΩδ∞φε∩" + "≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{A0}"
).unicodeScalars)

private func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    bytes.withUnsafeBytes { UInt32(crc32(0, $0.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt($0.count))) }
}

/// Streams one entry's bytes: `next()` gives chunks of at most `chunkSize` bytes, then
/// nil once the size and CRC-32 are verified. Every limit is enforced on the bytes
/// actually produced, since declared sizes can lie. After an error, `next()` throws it again.
public struct ZipEntryReader {
    public let entry: ZipEntry
    fileprivate let stream: EntryStream

    public mutating func next() async throws -> ByteBuffer? { try await stream.next(upTo: .max) }

    /// A chunk of at most `maxBytes`: to look at an entry's first bytes without inflating a whole chunk.
    public mutating func next(maxBytes: Int) async throws -> ByteBuffer? { try await stream.next(upTo: max(maxBytes, 1)) }
}

/// The reader's state; a class because zlib's z_stream must not move and needs `inflateEnd`.
fileprivate final class EntryStream {
    let entry: ZipEntry
    private let archive: ZipArchive
    private let chunkSize: Int
    private var inputOffset: UInt64, inputLeft: UInt64
    /// Compressed bytes inflation has taken: a deflate stream must end exactly at the declared size.
    private var consumed: UInt64 = 0
    private var produced: UInt64 = 0
    private var crc: uLong = 0
    private var finished = false
    private var failure: ZipArchiveError?  // thrown again by later calls
    private let stream: UnsafeMutablePointer<z_stream>?  // nil for stored entries
    /// Compressed bytes read and not yet inflated.
    private var input = ByteBuffer()

    init(archive: ZipArchive, entry: ZipEntry, dataOffset: UInt64, chunkSize: Int) throws(ZipArchiveError) {
        self.archive = archive
        self.entry = entry
        self.chunkSize = chunkSize
        inputOffset = dataOffset
        inputLeft = entry.compressedSize
        guard entry.compressionMethod == 8 else { stream = nil; return }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        self.stream = stream
        // Negative window bits: raw deflate, no zlib header (as in ZIP).
        guard inflateInit2_(stream, -MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .io("zlib could not start")
        }
    }

    deinit {
        if let stream {
            inflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
    }

    func next(upTo limit: Int) async throws -> ByteBuffer? {
        if let failure { throw failure }
        if finished { return nil }
        do { return try await produceChunk(min(limit, chunkSize)) } catch let error as ZipArchiveError {
            failure = error
            throw error
        }
    }

    /// The most bytes this entry may produce: its declared size, the entry and ratio
    /// limits, and what is left of the archive's total.
    private var allowance: UInt64 {
        let limits = archive.limits
        var bound = min(entry.uncompressedSize, UInt64(limits.maxEntryBytes))
        let (ratioBound, overflow) = entry.compressedSize.multipliedReportingOverflow(by: UInt64(limits.maxRatio))
        if !overflow { bound = min(bound, max(UInt64(limits.ratioAppliesAbove), ratioBound)) }
        let totalLeft = UInt64(limits.maxTotalBytes) - min(archive.inflatedBytes, UInt64(limits.maxTotalBytes))
        return min(bound, produced + totalLeft)
    }

    private func produceChunk(_ size: Int) async throws -> ByteBuffer? {
        var chunk = ByteBufferAllocator().buffer(capacity: size)
        var ended = false
        while chunk.readableBytes < size, !ended {
            let allowance = allowance
            guard produced <= allowance else { throw overLimitError() }  // another reader used up the total
            // One byte past the allowance proves it is exceeded, without inflating further.
            let room = Int(min(UInt64(size - chunk.readableBytes), allowance - produced + 1))
            var status = Z_OK
            if let stream {
                if input.readableBytes == 0, inputLeft > 0 {
                    let count = Int(min(UInt64(chunkSize), inputLeft))
                    input = try await ZipArchive.bytes(archive.source, at: inputOffset, count: count)
                    inputOffset += UInt64(count)
                    inputLeft -= UInt64(count)
                }
                var taken = 0
                try write(room, into: &chunk) { buffer in
                    input.withUnsafeReadableBytes { compressed in
                        stream.pointee.next_in = compressed.isEmpty
                            ? nil : UnsafeMutablePointer(mutating: compressed.baseAddress!.assumingMemoryBound(to: Bytef.self))
                        stream.pointee.avail_in = uInt(compressed.count)
                        stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                        stream.pointee.avail_out = uInt(buffer.count)
                        status = inflate(stream, Z_NO_FLUSH)
                        taken = compressed.count - Int(stream.pointee.avail_in)
                    }
                    return buffer.count - Int(stream.pointee.avail_out)
                }
                input.moveReaderIndex(forwardBy: taken)
                consumed += UInt64(taken)
                switch status {
                case Z_STREAM_END:
                    // Data after the stream's end is bytes the entry claims but does not use.
                    guard consumed == entry.compressedSize else {
                        let reason = "its compressed data ends after \(consumed) of the \(entry.compressedSize) bytes declared"
                        throw ZipArchiveError.corruptEntry(path: entry.path, reason: reason)
                    }
                    ended = true
                case Z_OK: break
                default:  // with input and room, zlib only stops on bad data, or on no more data
                    let early = status == Z_BUF_ERROR && input.readableBytes == 0 && inputLeft == 0
                    let reason = early ? "its compressed data ends early" : "its compressed data is invalid"
                    throw ZipArchiveError.corruptEntry(path: entry.path, reason: reason)
                }
            } else {
                let count = min(room, Int(min(inputLeft, UInt64(Int.max))))
                if count == 0 { ended = true; break }
                let stored = try await ZipArchive.bytes(archive.source, at: inputOffset, count: count)
                try write(count, into: &chunk) { buffer in
                    stored.withUnsafeReadableBytes { buffer.copyMemory(from: $0) }
                    return buffer.count
                }
                inputOffset += UInt64(count)
                inputLeft -= UInt64(count)
            }
            if produced > allowance { throw overLimitError() }
        }
        if ended {
            guard produced == entry.uncompressedSize else {
                let reason = "it has \(produced) bytes, not the \(entry.uncompressedSize) declared"
                throw ZipArchiveError.corruptEntry(path: entry.path, reason: reason)
            }
            guard UInt32(crc) == entry.crc32 else {
                throw ZipArchiveError.corruptEntry(path: entry.path, reason: "its CRC-32 does not match its bytes")
            }
            finished = true
        }
        return chunk.readableBytes > 0 ? chunk : nil
    }

    /// Appends up to `count` bytes that `body` writes, and counts them into the CRC and totals.
    private func write(
        _ count: Int, into chunk: inout ByteBuffer, _ body: (UnsafeMutableRawBufferPointer) throws(ZipArchiveError) -> Int
    ) throws(ZipArchiveError) {
        var failure: ZipArchiveError?
        chunk.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { buffer in
            let target = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
            do throws(ZipArchiveError) {
                let written = try body(target)
                crc = crc32(crc, target.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(written))
                produced += UInt64(written)
                archive.inflatedBytes += UInt64(written)
                return written
            } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
    }

    private func overLimitError() -> ZipArchiveError {
        let limits = archive.limits
        if produced > entry.uncompressedSize {
            let reason = "it inflates to more than the \(entry.uncompressedSize) bytes declared"
            return .corruptEntry(path: entry.path, reason: reason)
        }
        if produced > UInt64(limits.maxEntryBytes) { return .entryTooLarge(path: entry.path, limit: limits.maxEntryBytes) }
        if limits.ratioExceeded(uncompressed: produced, compressed: entry.compressedSize) {
            return .entryCompressionRatioTooHigh(path: entry.path, limit: limits.maxRatio)
        }
        return .tooLargeInTotal(limit: limits.maxTotalBytes)
    }
}

/// An archive in a local file, read with `pread`.
public final class ZipFile: ZipSource {
    let descriptor: Int32
    public let size: UInt64

    public init(path: String) throws(ZipArchiveError) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(String(cString: strerror(errno))) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            close(descriptor)
            throw .io(String(cString: strerror(errno)))
        }
        size = UInt64(max(info.st_size, 0))
    }

    deinit { close(descriptor) }

    public func bytes(at offset: UInt64, count: Int) throws -> ByteBuffer {
        var bytes = ByteBufferAllocator().buffer(capacity: count)
        var failure: ZipArchiveError?
        bytes.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { buffer in
            var done = 0
            while done < count {
                let read = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if read < 0, errno == EINTR { continue }
                guard read > 0 else {
                    failure = .io(read == 0 ? "the file shrank while being read" : String(cString: strerror(errno)))
                    break
                }
                done += read
            }
            return done
        }
        if let failure { throw failure }
        return bytes
    }
}

/// Reads a region (the central directory) in order through one buffer of about 256 KiB.
private struct Window {
    let file: any ZipSource
    var next: UInt64
    let end: UInt64
    var buffer: [UInt8] = []
    var position = 0

    mutating func take(_ count: Int) async throws -> ArraySlice<UInt8> {
        if buffer.count - position < count {
            let missing = UInt64(count - (buffer.count - position))
            guard missing <= end - next else {
                throw ZipArchiveError.corruptArchive(reason: "the central directory ends in the middle of an entry")
            }
            let readCount = Int(min(end - next, max(missing, 256 * 1024)))
            buffer = Array(buffer[position...]) + (try await ZipArchive.array(file, at: next, count: readCount))
            next += UInt64(readCount)
            position = 0
        }
        defer { position += count }
        return buffer[position..<(position + count)]
    }
}

// Little-endian fields; callers check bounds first.
extension Collection<UInt8> where Index == Int {
    fileprivate func le16(_ at: Int) -> UInt16 { UInt16(self[startIndex + at]) | UInt16(self[startIndex + at + 1]) << 8 }
    fileprivate func le32(_ at: Int) -> UInt32 { UInt32(le16(at)) | UInt32(le16(at + 2)) << 16 }
    fileprivate func le64(_ at: Int) -> UInt64 { UInt64(le32(at)) | UInt64(le32(at + 4)) << 32 }
}
