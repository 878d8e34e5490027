import Dispatch
import NIOCore
import Synchronization

/// libFuzzer target: the streaming multipart reader. Byte 0 chooses how the
/// network splits the body (1 to 255 bytes a read, or all at once), byte 1
/// one of three boundaries, the rest is the body. What the reader makes of a
/// body never depends on how it was split, skipping a part's content gives the
/// same parts as reading it, and no content holds the delimiter.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipart(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let chunk = data[0] == 255 ? Int.max : Int(data[0]) + 1
    let boundary = boundaries[Int(data[1]) % boundaries.count]
    let body = Array(UnsafeBufferPointer(start: data + 2, count: size - 2))
    let (split, whole, skipping) = runBlocking {
        (
            await parts(body, boundary: boundary, chunk: chunk, readEvery: 1),
            await parts(body, boundary: boundary, chunk: Int.max, readEvery: 1),
            await parts(body, boundary: boundary, chunk: chunk, readEvery: 2)
        )
    }
    precondition(split == whole, "chunks of \(chunk) gave \(split), one read gave \(whole)")
    if case .parts(let read) = whole, case .parts(let skipped) = skipping {
        precondition(read.map(\.headers) == skipped.map(\.headers))
        for (index, part) in read.enumerated() where index % 2 == 0 { precondition(part.content == skipped[index].content) }
    } else {
        precondition(whole == .malformed && skipping == .malformed)
    }
    if case .parts(let read) = whole {
        let delimiter = Array("\r\n--\(boundary)".utf8)
        for part in read { precondition(!contains(part.content, delimiter)) }
        precondition(read.reduce(0) { $0 + $1.content.count } <= body.count)
    }
    return 0
}

let boundaries = ["Boundary", "x", "----WebKitFormBoundary7MA4YWxkTrZu0gW"]

enum Outcome: Equatable, Sendable {
    case parts([Part])
    case malformed
}

struct Part: Equatable, Sendable {
    var headers: [String?]
    var content: [UInt8]
}

/// Yields `bytes` in reads of `size`.
struct Chunks: AsyncIteratorProtocol {
    var bytes: ArraySlice<UInt8>
    let size: Int
    mutating func next() async -> ByteBuffer? {
        guard !bytes.isEmpty else { return nil }
        let read = bytes.prefix(size)
        bytes = bytes.dropFirst(read.count)
        return ByteBuffer(bytes: read)
    }
}

/// Every part; the content of every `readEvery`-th only, the others skipped as an upload route does.
func parts(_ body: [UInt8], boundary: String, chunk: Int, readEvery: Int) async -> Outcome {
    var reader = MultipartReader(boundary: boundary, source: Chunks(bytes: body[...], size: chunk))
    var result: [Part] = []
    do {
        while let headers = try await reader.nextPart() {
            var part = Part(headers: [headers.name, headers.filename, headers.contentType], content: [])
            if result.count % readEvery == 0 {
                while let bytes = try await reader.nextChunk() {
                    precondition(bytes.readableBytes > 0, "an empty chunk before the end of a part")
                    part.content += bytes.readableBytesView
                }
            }
            result.append(part)
        }
    } catch is Multipart.Malformed {
        return .malformed
    } catch {
        preconditionFailure("unexpected error \(error)")
    }
    return .parts(result)
}

func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard haystack.count >= needle.count else { return false }
    return (0...(haystack.count - needle.count)).contains { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
}

/// The reader is async; its source never suspends, so waiting here is short.
func runBlocking<Value: Sendable>(_ body: @escaping @Sendable () async -> Value) -> Value {
    let result = Mutex<Value?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let value = await body()
        result.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return result.withLock { $0! }
}
