import Dispatch
import NIOCore

/// libFuzzer target: the ZIP reader on an archive held in memory. The input is
/// opened with the default limits and every entry is read as the worker reads
/// it: its first bytes, then the rest. Besides never trapping, an open archive
/// keeps its promises: every entry lies within the input and no two share
/// bytes, names hold no NUL and fit the limit, an entry read to its end has
/// its declared size, and inflation never passes the archive's limits.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzZip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    runBlocking { await readEverything(bytes) }
    return 0
}

func readEverything(_ bytes: [UInt8]) async {
    let limits = ZipLimits()
    let archive: ZipArchive
    do {
        archive = try await ZipArchive(source: MemorySource(bytes), limits: limits)
    } catch {
        precondition(error is ZipArchiveError, "not a ZipArchiveError: \(error)")
        return
    }
    let spans = archive.entries.map(\.approximateSpan).sorted { $0.lowerBound < $1.lowerBound }
    for (span, next) in zip(spans, spans.dropFirst()) { precondition(span.upperBound <= next.lowerBound, "\(span) overlaps \(next)") }
    var declared: UInt64 = 0
    for entry in archive.entries {
        precondition(entry.approximateSpan.upperBound <= UInt64(bytes.count) && entry.slotEnd <= UInt64(bytes.count))
        // A name byte becomes at most 3 bytes of UTF-8 (CP437, U+FFFD); a Unicode Path field is held to the limit.
        precondition(!entry.path.utf8.contains(0) && entry.nameLength <= limits.maxNameBytes)
        precondition(entry.path.utf8.count <= 3 * limits.maxNameBytes, "a name of \(entry.path.utf8.count) bytes")
        if !entry.isDirectory { declared += entry.uncompressedSize }
    }
    precondition(declared <= UInt64(limits.maxTotalBytes))
    for entry in archive.entries {
        var produced: UInt64 = 0
        do {
            var reader = try await archive.reader(for: entry)
            if let head = try await reader.next(maxBytes: 256) {
                precondition(head.readableBytes <= 256)
                produced += UInt64(head.readableBytes)
            }
            while let chunk = try await reader.next() {
                precondition(chunk.readableBytes > 0)
                produced += UInt64(chunk.readableBytes)
            }
            precondition(produced == entry.uncompressedSize, "\(entry.path): \(produced) bytes, \(entry.uncompressedSize) declared")
        } catch {
            precondition(error is ZipArchiveError, "not a ZipArchiveError: \(error)")
        }
        precondition(produced <= entry.uncompressedSize && produced <= UInt64(limits.maxEntryBytes))
    }
    precondition(archive.inflatedBytes <= UInt64(limits.maxTotalBytes))
}

/// The archive's bytes, in memory.
final class MemorySource: ZipSource {
    let data: [UInt8]
    var size: UInt64 { UInt64(data.count) }

    init(_ data: [UInt8]) { self.data = data }

    func bytes(at offset: UInt64, count: Int) -> ByteBuffer {
        ByteBuffer(bytes: data[Int(offset)..<(Int(offset) + count)])
    }
}

/// Runs the reader's async API to its end from libFuzzer's synchronous callback.
func runBlocking(_ body: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task {
        await body()
        done.signal()
    }
    done.wait()
}
