import Foundation
import NIOCore
import NIOPosix

/// Partial blobs as files under `resumable/`, written in place at their
/// length and flushed (`fdatasync`) before the upload's offset moves past
/// the bytes; complete, a file is renamed to its archive's name on the same
/// filesystem. System calls run on the blocking pool, as the store's others.
extension FilesystemBlobStore {
    public func createPartial(_ key: String) async throws {
        let path = try path(of: key)
        try await Self.blocking {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            close(descriptor)
        }
    }

    public func openPartial(_ key: String, at length: Int) async throws -> (writer: any PartialBlobWriter, length: Int) {
        let path = try path(of: key)
        let (descriptor, stored) = try await Self.blocking { () throws -> (Int32, Int) in
            let descriptor = open(path, O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                if errno == ENOENT { throw BlobStoreError.notFound(key) }
                throw POSIXError(.init(rawValue: errno) ?? .EIO)
            }
            var info = stat()
            guard fstat(descriptor, &info) == 0 else {
                let failure = errno
                close(descriptor)
                throw POSIXError(.init(rawValue: failure) ?? .EIO)
            }
            return (descriptor, Int(info.st_size))
        }
        let writer = FilesystemPartialBlobWriter(descriptor: descriptor, length: stored)
        if stored > length {
            do { try await writer.truncate(to: length) } catch {
                await writer.close()
                throw error
            }
        }
        return (writer, writer.length)
    }

    public func completePartial(_ key: String, as finalKey: String, size: Int) async throws {
        let (from, to) = (try path(of: key), try path(of: finalKey))
        try await Self.blocking {
            try FileManager.default.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard rename(from, to) == 0 else {
                if errno == ENOENT { throw BlobStoreError.notFound(key) }
                throw POSIXError(.init(rawValue: errno) ?? .EIO)
            }
        }
    }

    public func partialBlobs(untouchedSince cutoff: Date, limit: Int) async throws -> [String] {
        try await Self.blocking { [self] in
            try files(in: "/" + PartialBlob.keyPrefix.dropLast(), untouchedSince: cutoff, limit: limit).map { PartialBlob.keyPrefix + $0 }
        }
    }
}

/// One request's appends to an open file, at its end.
/// Used by one request at a time, which awaits each call: unchecked.
final class FilesystemPartialBlobWriter: PartialBlobWriter, @unchecked Sendable {
    private var descriptor: Int32
    private(set) var length: Int

    init(descriptor: Int32, length: Int) {
        self.descriptor = descriptor
        self.length = length
    }

    func write(_ bytes: ByteBuffer) async throws {
        let (descriptor, start) = (self.descriptor, length)
        try await FilesystemBlobStore.blocking {
            try bytes.withUnsafeReadableBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = pwrite(descriptor, raw.baseAddress! + offset, raw.count - offset, off_t(start + offset))
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw POSIXError(.init(rawValue: errno) ?? .EIO)
                    }
                    offset += written
                }
            }
        }
        length += bytes.readableBytes
    }

    func checkpoint() async throws -> Int { try await sync() }

    func sync() async throws -> Int {
        let descriptor = self.descriptor
        try await FilesystemBlobStore.blocking {
            guard fdatasync(descriptor) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        }
        return length
    }

    func truncate(to length: Int) async throws {
        let descriptor = self.descriptor
        try await FilesystemBlobStore.blocking {
            guard ftruncate(descriptor, off_t(length)) == 0, fdatasync(descriptor) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        }
        self.length = length
    }

    func close() async {
        let descriptor = self.descriptor
        guard descriptor >= 0 else { return }
        self.descriptor = -1
        try? await FilesystemBlobStore.blocking { _ = Foundation.close(descriptor) }
    }
}
