import Crypto
import Foundation
import NIOCore

/// Where bytes live (CONTRACT §7): `postgres` (chunked bytea rows) or
/// `filesystem:/path`. Blobs are written whole or not at all, streamed in and
/// out in chunks, never held whole in memory.
public protocol BlobStore: Sendable {
    /// Streams the chunks `next` yields (nil = end) into a new blob and names
    /// it once every byte is in; see `BlobWrite`. When a blob with that name
    /// exists already, the new copy is dropped.
    func put(_ write: BlobWrite, from next: () async throws -> ByteBuffer?) async throws -> StoredBlob

    /// Stores many blobs one after another, e.g. the images of an archive:
    /// `body` puts them through the writer it is given. A store may still be
    /// writing a blob when the writer's `put` returns (the next one is read
    /// meanwhile); every blob put is stored once `putMany` returns, and it
    /// throws if any of them failed.
    func putMany<Result>(_ body: (BlobWriter) async throws -> Result) async throws -> Result

    /// The blob's size in bytes, or nil when there is no such blob.
    func size(of key: String) async throws -> Int?

    /// Hands the bytes of `range` (all when nil) to `consume`, chunk by chunk.
    func read(_ key: String, range: Range<Int>?, into consume: (ByteBuffer) async throws -> Void) async throws

    /// The blob opened to be read at any offset where it is stored, without a
    /// copy, or nil when this store cannot read in place (the caller then
    /// copies it out with `read`). Throws `notFound` when there is no such blob.
    func readerInPlace(of key: String) async throws -> (any InPlaceBlobReader)?

    /// Removes the blob; no error when it is already gone.
    func delete(_ key: String) async throws

    /// Removes what writes that stopped half-way left behind (a process that
    /// died mid-upload) and has not been written since `cutoff`; returns how many.
    func removeAbandonedWrites(untouchedSince cutoff: Date) async throws -> Int

    /// Up to `limit` keys of uploaded archives (`UploadArchive.keyPrefix`) last written before `cutoff`.
    func uploadedArchives(untouchedSince cutoff: Date, limit: Int) async throws -> [String]

    // MARK: Partial blobs (resumable uploads)

    /// Starts an empty partial blob: bytes that come across several requests
    /// (`PartialBlob.keyPrefix`), invisible to `read` until completed.
    func createPartial(_ key: String) async throws

    /// Opens the partial blob to append after its first `length` bytes,
    /// dropping any past them (a refused or interrupted request's). Answers
    /// the writer and the length it holds: less than `length` only when bytes
    /// were lost (a crash before they were durable). Throws `notFound` when
    /// there is no such partial blob (it was deleted or swept).
    func openPartial(_ key: String, at length: Int) async throws -> (writer: any PartialBlobWriter, length: Int)

    /// Gives the complete partial blob of `size` bytes its final name, readable from then on.
    func completePartial(_ key: String, as finalKey: String, size: Int) async throws

    /// Up to `limit` keys of partial blobs last written before `cutoff`.
    func partialBlobs(untouchedSince cutoff: Date, limit: Int) async throws -> [String]
}

/// Appends to a partial blob, one request's bytes, from one writer at a time
/// (the caller's claim on the upload sees to that).
public protocol PartialBlobWriter: AnyObject, Sendable {
    /// Bytes in the blob, the ones not yet durable included.
    var length: Int { get }
    /// Appends the bytes; they may stay in memory (up to a chunk) until `sync`.
    func write(_ bytes: ByteBuffer) async throws
    /// Makes durable what is cheap to (whole chunks), answering the length
    /// that is: a resumable upload's offset may move up to it.
    func checkpoint() async throws -> Int
    /// Makes every byte written durable; answers the length.
    func sync() async throws -> Int
    /// Drops the bytes past `length` (a request refused after its bytes were written).
    func truncate(to length: Int) async throws
    /// Releases what the writer holds open; bytes not synced may be lost.
    func close() async
}

/// Where resumable uploads keep their bytes until complete.
public enum PartialBlob {
    public static let keyPrefix = "resumable/"

    public static func key(uploadID: UUID) -> String { "\(keyPrefix)\(uploadID.lowercasedString)" }
}

/// A blob read at any offset where it is stored (an uploaded archive, whose
/// directory is at its end), instead of being copied to a local file first.
public protocol InPlaceBlobReader: ZipSource {
    /// Whether reading these byte ranges in this order costs little more than
    /// one copy of the blob would: reads far out of order may make a store
    /// that fetches in chunks fetch the same chunks again and again.
    func readsCheaply(inOrder ranges: [Range<UInt64>]) -> Bool
}

/// Where an upload's archive is stored until its task ends.
public enum UploadArchive {
    public static let keyPrefix = "uploads/"

    public static func key(taskID: UUID) -> String { "\(keyPrefix)\(taskID.lowercasedString).zip" }
}

/// How a blob is written: its limits, an early look at its first bytes, and
/// its name from its digest.
public struct BlobWrite: Sendable {
    /// Larger input stops the write with `BlobStoreError.tooLarge` as soon as it is seen.
    public var maxBytes: Int
    /// How many leading bytes `checkPrefix` is given (fewer if the blob is shorter).
    public var prefixLength: Int
    /// Runs before anything is kept; throwing aborts the write.
    public var checkPrefix: @Sendable ([UInt8]) throws -> Void
    /// Names the blob from its digest; throwing aborts the write.
    public var key: @Sendable (BlobDigest) throws -> String

    public init(
        maxBytes: Int, prefixLength: Int = 0, checkPrefix: @escaping @Sendable ([UInt8]) throws -> Void = { _ in },
        key: @escaping @Sendable (BlobDigest) throws -> String
    ) {
        self.maxBytes = maxBytes
        self.prefixLength = prefixLength
        self.checkPrefix = checkPrefix
        self.key = key
    }

    /// Content addressing: the blob's name is its SHA-256.
    public static func contentAddressed(maxBytes: Int, prefixLength: Int = 0, checkPrefix: @escaping @Sendable ([UInt8]) throws -> Void = { _ in }) -> BlobWrite {
        BlobWrite(maxBytes: maxBytes, prefixLength: prefixLength, checkPrefix: checkPrefix) { digest in
            "sha256/\(digest.sha256.prefix(2))/\(digest.sha256)"
        }
    }
}

public struct BlobDigest: Sendable, Equatable {
    public var size: Int
    /// Lowercase hex SHA-256 of the bytes.
    public var sha256: String
}

public struct StoredBlob: Sendable, Equatable {
    public var key: String
    public var size: Int
    public var sha256: String

    init(key: String, digest: BlobDigest) {
        self.key = key
        size = digest.size
        sha256 = digest.sha256
    }
}

/// Puts blobs into a store within `BlobStore.putMany`.
public struct BlobWriter {
    let put: (BlobWrite, () async throws -> ByteBuffer?) async throws -> StoredBlob

    /// As `BlobStore.put`, except that the blob may still be being written when this returns.
    public func put(_ write: BlobWrite, from next: () async throws -> ByteBuffer?) async throws -> StoredBlob {
        try await put(write, next)
    }
}

extension BlobStore {
    /// One blob after another, each stored when its `put` returns.
    public func putMany<Result>(_ body: (BlobWriter) async throws -> Result) async throws -> Result {
        try await body(BlobWriter(put: { write, next in try await put(write, from: next) }))
    }
}

public enum BlobStoreError: Error, Equatable {
    case tooLarge(limit: Int)
    case invalidKey(String)
    case notFound(String)
    /// The write stalled for longer than the sweep's grace period and was removed under it.
    case writeAbandoned
}

/// Builds the store `BLOB_STORE` names.
public func makeBlobStore(_ location: BlobStoreLocation, database: Database) throws -> any BlobStore {
    switch location {
    case .postgres: PostgresBlobStore(database: database)
    case .filesystem(let path): try FilesystemBlobStore(root: path)
    }
}

/// What every store does to incoming chunks: count them against the limit,
/// hash them, and show the first bytes to `checkPrefix` before keeping any.
struct BlobIntake {
    let write: BlobWrite
    private var hasher = SHA256()
    private(set) var size = 0
    private var prefix: [UInt8] = []
    private var held: [ByteBuffer] = []
    private var prefixChecked = false

    init(_ write: BlobWrite) {
        self.write = write
        prefixChecked = write.prefixLength == 0
    }

    /// Takes a chunk; returns what may be stored now (held back until the prefix is checked).
    mutating func take(_ chunk: ByteBuffer) throws -> [ByteBuffer] {
        size += chunk.readableBytes
        guard size <= write.maxBytes else { throw BlobStoreError.tooLarge(limit: write.maxBytes) }
        chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        if prefixChecked { return [chunk] }
        prefix += chunk.readableBytesView.prefix(write.prefixLength - prefix.count)
        held.append(chunk)
        guard prefix.count >= write.prefixLength else { return [] }
        return try releaseHeld()
    }

    /// At the end of input: anything still held, after the prefix check.
    mutating func finish() throws -> [ByteBuffer] {
        prefixChecked ? [] : try releaseHeld()
    }

    private mutating func releaseHeld() throws -> [ByteBuffer] {
        try write.checkPrefix(prefix)
        prefixChecked = true
        defer { held = [] }
        return held
    }

    func digest() -> BlobDigest {
        BlobDigest(size: size, sha256: Self.hex(hasher.finalize()))
    }

    /// Lowercase hex without a formatter per byte (it cost as much as hashing a small image).
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
