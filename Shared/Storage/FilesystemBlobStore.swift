import CSyncFS
import Foundation
import NIOCore
import NIOPosix

/// Blobs as files under a root directory, local or shared between hosts.
/// A blob is written to a staging file and hard-linked into place, so
/// readers never see half a file and two writers of the same content do not
/// clash: the second link fails with EEXIST and its copy is dropped.
///
/// The system calls of the gateway's paths run on NIO's blocking thread
/// pool (`blocking`), the metadata ones too: request tasks run on the event
/// loops, and a `stat` or `link` on a shared filesystem that hangs would
/// stall every connection of that loop.
public struct FilesystemBlobStore: BlobStore {
    public let root: String
    static let readChunk = 1 << 20

    public init(root: String) throws {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
        try FileManager.default.createDirectory(atPath: self.root + "/.staging", withIntermediateDirectories: true)
    }

    private static let keyBytes = Set("abcdefghijklmnopqrstuvwxyz0123456789/._-".utf8)

    /// Keys are relative paths of safe characters; nothing escapes the root.
    public func path(of key: String) throws -> String {
        let allowed = key.utf8.allSatisfy { Self.keyBytes.contains($0) }
        guard allowed, !key.hasPrefix("/"), !key.hasPrefix("."), !key.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else {
            throw BlobStoreError.invalidKey(key)
        }
        return root + "/" + key
    }

    /// The blob's file as it is.
    /// The worker's, which runs no request: its calls stay where they are.
    public func readerInPlace(of key: String) async throws -> (any InPlaceBlobReader)? {
        let path = try path(of: key)
        guard FileManager.default.fileExists(atPath: path) else { throw BlobStoreError.notFound(key) }
        return try ZipFile(path: path)
    }

    /// Runs system calls on the blocking pool, never on an event loop.
    static func blocking<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await NIOThreadPool.singleton.runIfActive(body)
    }

    public func put(_ write: BlobWrite, from next: () async throws -> ByteBuffer?) async throws -> StoredBlob {
        let staged = try await stage(write, from: next, syncing: true)
        do {
            let stored = try await place(staged)
            try await Self.blocking { _ = unlink(staged.path) }
            return stored
        } catch {
            try? await Self.blocking { _ = unlink(staged.path) }
            throw error
        }
    }

    /// Many blobs with one flush: each is written to a staging file, one
    /// `syncfs` makes them all durable, and only then are they linked under
    /// their names, so a name never holds bytes a crash could lose. An fsync
    /// per blob is a journal commit each, ~1-2 ms: most of the time of an
    /// archive of 2,000 small images.
    public func putMany<Result>(_ body: (BlobWriter) async throws -> Result) async throws -> Result {
        var staged: [StagedBlob] = []
        do {
            let result = try await body(BlobWriter(put: { write, next in
                let blob = try await stage(write, from: next, syncing: false)
                staged.append(blob)
                return StoredBlob(key: blob.key, digest: blob.digest)
            }))
            if !staged.isEmpty {
                try await Self.blocking { [root] in
                    let directory = open(root + "/.staging", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                    guard directory >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
                    defer { close(directory) }
                    guard syncfs(directory) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
                }
                for blob in staged { _ = try await place(blob) }
            }
            try await Self.removeStaged(staged)
            return result
        } catch {
            try? await Self.removeStaged(staged)
            throw error
        }
    }

    private static func removeStaged(_ staged: [StagedBlob]) async throws {
        let paths = staged.map(\.path)
        guard !paths.isEmpty else { return }
        try await blocking { for path in paths { _ = unlink(path) } }
    }

    /// A blob written under `.staging/`, its name and final path known.
    private struct StagedBlob {
        var path: String
        var final: String
        var key: String
        var digest: BlobDigest
    }

    /// Writes the bytes to a staging file (removed again if anything fails),
    /// flushed to disk if `syncing`.
    private func stage(_ write: BlobWrite, from next: () async throws -> ByteBuffer?, syncing: Bool) async throws -> StagedBlob {
        let staging = root + "/.staging/" + UUID().lowercasedString
        let descriptor = try await Self.blocking {
            let descriptor = open(staging, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            return descriptor
        }
        var intake = BlobIntake(write)
        do {
            while let chunk = try await next() {
                for ready in try intake.take(chunk) { try await Self.writeAll(ready, to: descriptor) }
            }
            for ready in try intake.finish() { try await Self.writeAll(ready, to: descriptor) }
        } catch {
            try? await Self.blocking {
                close(descriptor)
                _ = unlink(staging)
            }
            throw error
        }
        do {
            // Closed here whether or not the flush worked, never twice.
            try await Self.blocking {
                let failure = syncing && fsync(descriptor) != 0 ? errno : 0
                close(descriptor)
                if failure != 0 { throw POSIXError(.init(rawValue: failure) ?? .EIO) }
            }
            let digest = intake.digest()
            let key = try write.key(digest)
            return StagedBlob(path: staging, final: try path(of: key), key: key, digest: digest)
        } catch {
            try? await Self.blocking { _ = unlink(staging) }
            throw error
        }
    }

    /// Links a staged blob under its name. EEXIST: the same content is stored
    /// already, and this copy is dropped.
    private func place(_ blob: StagedBlob) async throws -> StoredBlob {
        let (staged, final) = (blob.path, blob.final)
        try await Self.blocking {
            try FileManager.default.createDirectory(atPath: (final as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard link(staged, final) == 0 || errno == EEXIST else {
                // No staging file: the sweep removed it while the write stalled.
                if errno == ENOENT, access(staged, F_OK) != 0 { throw BlobStoreError.writeAbandoned }
                throw POSIXError(.init(rawValue: errno) ?? .EIO)
            }
        }
        return StoredBlob(key: blob.key, digest: blob.digest)
    }

    private static func writeAll(_ buffer: ByteBuffer, to descriptor: Int32) async throws {
        try await blocking {
            try buffer.withUnsafeReadableBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw POSIXError(.init(rawValue: errno) ?? .EIO)
                    }
                    offset += written
                }
            }
        }
    }

    public func size(of key: String) async throws -> Int? {
        let path = try path(of: key)
        return try await Self.blocking {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            return Int(info.st_size)
        }
    }

    public func read(_ key: String, range: Range<Int>?, into consume: (ByteBuffer) async throws -> Void) async throws {
        let path = try path(of: key)
        let descriptor = try await Self.blocking {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw BlobStoreError.notFound(key) }
            return descriptor
        }
        do {
            try await read(descriptor, range: range, into: consume)
            try await Self.blocking { _ = close(descriptor) }
        } catch {
            try? await Self.blocking { _ = close(descriptor) }
            throw error
        }
    }

    private func read(_ descriptor: Int32, range: Range<Int>?, into consume: (ByteBuffer) async throws -> Void) async throws {
        var offset = range?.lowerBound ?? 0
        let end = range?.upperBound ?? Int.max
        while offset < end {
            let wanted = min(Self.readChunk, end - offset)
            let start = offset
            let chunk = try await Self.blocking { () throws -> ByteBuffer in
                var buffer = ByteBufferAllocator().buffer(capacity: wanted)
                let count = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { bytes in
                    let result = pread(descriptor, bytes.baseAddress!, wanted, off_t(start))
                    if result < 0 { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
                    return result
                }
                _ = count
                return buffer
            }
            if chunk.readableBytes == 0 { break }
            offset += chunk.readableBytes
            try await consume(chunk)
        }
    }

    public func delete(_ key: String) async throws {
        let path = try path(of: key)
        try await Self.blocking {
            if unlink(path) != 0, errno != ENOENT { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        }
    }

    /// Staging files are writes in progress, or stopped ones once untouched (their mtime) long enough.
    public func removeAbandonedWrites(untouchedSince cutoff: Date) async throws -> Int {
        try await Self.blocking { [self] in
            var removed = 0
            for name in try files(in: "/.staging", untouchedSince: cutoff, limit: .max) where unlink(root + "/.staging/" + name) == 0 {
                removed += 1
            }
            return removed
        }
    }

    public func uploadedArchives(untouchedSince cutoff: Date, limit: Int) async throws -> [String] {
        try await Self.blocking { [self] in
            try files(in: "/" + UploadArchive.keyPrefix.dropLast(), untouchedSince: cutoff, limit: limit).map { UploadArchive.keyPrefix + $0 }
        }
    }

    /// Names of the regular files of a directory below the root last modified before `cutoff`.
    func files(in directory: String, untouchedSince cutoff: Date, limit: Int) throws -> [String] {
        let path = root + directory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        let before = cutoff.timeIntervalSince1970
        var found: [String] = []
        for name in names where found.count < limit {
            var info = stat()
            guard stat(path + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
            if modified < before { found.append(name) }
        }
        return found
    }
}

/// A local file is read at any offset at the cost of the bytes read.
extension ZipFile: InPlaceBlobReader {
    public func readsCheaply(inOrder ranges: [Range<UInt64>]) -> Bool { true }
}
