import NIOCore
import Testing
import TestSupport

@testable import GatewayApp

@Suite("Streaming multipart reader")
struct MultipartReaderTests {
    /// Yields the body in chunks of `size` bytes, so delimiters split anywhere.
    struct Chunks: AsyncIteratorProtocol {
        var bytes: [UInt8]
        let size: Int
        mutating func next() async throws -> ByteBuffer? {
            guard !bytes.isEmpty else { return nil }
            defer { bytes.removeFirst(min(size, bytes.count)) }
            return ByteBuffer(bytes: bytes.prefix(size))
        }
    }

    private func parts(_ body: [UInt8], boundary: String, chunk: Int) async throws -> [(MultipartReaderHeaders, [UInt8])] {
        var reader = MultipartReader(boundary: boundary, source: Chunks(bytes: body, size: chunk))
        var result: [(MultipartReaderHeaders, [UInt8])] = []
        while let headers = try await reader.nextPart() {
            var content: [UInt8] = []
            while let chunk = try await reader.nextChunk() { content += chunk.readableBytesView }
            result.append((MultipartReaderHeaders(headers.name, headers.filename, headers.contentType), content))
        }
        return result
    }

    struct MultipartReaderHeaders: Equatable {
        var name: String?, filename: String?, contentType: String?
        init(_ name: String?, _ filename: String?, _ contentType: String?) {
            self.name = name
            self.filename = filename
            self.contentType = contentType
        }
    }

    // MARK: Tests

    @Test(arguments: [1, 2, 3, 7, 64, 4096])
    func partsAreReadWhateverTheChunking(_ chunk: Int) async throws {
        // Near misses of the delimiter: its start, CRLFs and dashes (RFC 2046 forbids the delimiter itself).
        let tricky = Array("line\r\n--Boundar\r\n-Boundary\r\n--Boundar\r-\n\r\n".utf8) + Array(0...255)
        var form = MultipartForm([
            .init(name: "note", bytes: Array("hello".utf8)),
            .init(name: "file", filename: "a.zip", contentType: "application/zip", bytes: tricky),
            .init(name: "empty", filename: "e.txt", bytes: []),
        ])
        form.boundary = "Boundary"
        let body = Array("preamble to ignore\r\n".utf8) + form.body
        let parsed = try await parts(body, boundary: "Boundary", chunk: chunk)
        #expect(parsed.map(\.0) == [
            .init("note", nil, nil), .init("file", "a.zip", "application/zip"), .init("empty", "e.txt", nil),
        ])
        #expect(parsed.map(\.1) == [Array("hello".utf8), tricky, []])
    }

    @Test func aBodyCutShortIsMalformed() async throws {
        let form = MultipartForm.file(Array(repeating: 1, count: 100))
        let cut = Array(form.body.dropLast(30))
        await #expect(throws: Multipart.Malformed.self) { _ = try await parts(cut, boundary: form.boundary, chunk: 16) }
        await #expect(throws: Multipart.Malformed.self) { _ = try await parts(Array("no boundary here".utf8), boundary: "x", chunk: 4) }
    }

    /// A body whose one part has `headerBytes` of header before the blank line, counted from the delimiter's CRLF.
    private func bodyWithHeaders(of headerBytes: Int) -> [UInt8] {
        let line = "\r\nContent-Disposition: form-data; name=\"file\""
        let padding = "\r\nX-Padding: " + String(repeating: "p", count: headerBytes - line.utf8.count - 13)
        return Array("--b\(line)\(padding)\r\n\r\ncontent\r\n--b--\r\n".utf8)
    }

    @Test(arguments: [1, 7, 4096, 1 << 20])
    func partHeadersOverTheCapAreMalformedWhateverTheChunking(_ chunk: Int) async throws {
        let cap = MultipartReader<Chunks>.maxHeaderBytes
        let fits = try await parts(bodyWithHeaders(of: cap), boundary: "b", chunk: chunk)
        #expect(fits.map(\.0) == [.init("file", nil, nil)] && fits.map(\.1) == [Array("content".utf8)])
        await #expect(throws: Multipart.Malformed.self) {
            _ = try await parts(bodyWithHeaders(of: cap + 1), boundary: "b", chunk: chunk)
        }
        // Headers that never end are refused once past the cap, not read to the end of the body.
        let endless = Array("--b\r\n".utf8) + Array(repeating: UInt8(ascii: "h"), count: 4 * cap)
        await #expect(throws: Multipart.Malformed.self) { _ = try await parts(endless, boundary: "b", chunk: chunk) }
    }

    @Test(.timeLimit(.minutes(1)))
    func theEndOfPartHeadersIsFoundInLinearTimeWhenReadsAreTiny() async throws {
        // Headers of carriage returns, a byte a read: a search restarting from the
        // first byte on every read made this ~10^8 comparisons (4.6 s in a debug
        // build, against 0.07 s resuming where the last search stopped).
        let headers = [UInt8](repeating: UInt8(ascii: "\r"), count: MultipartReader<Chunks>.maxHeaderBytes - 8)
        let body = Array("--b\r\n".utf8) + headers + Array("\r\n\r\nx\r\n--b--".utf8)
        let clock = ContinuousClock()
        let elapsed = try await clock.measure {
            let parsed = try await parts(body, boundary: "b", chunk: 1)
            #expect(parsed.map(\.1) == [Array("x".utf8)])
        }
        #expect(elapsed < .seconds(3), "\(elapsed)")
    }

    @Test func theBoundaryComesFromTheContentType() {
        #expect(Multipart.boundary(of: "multipart/form-data; boundary=abc") == "abc")
        #expect(Multipart.boundary(of: "Multipart/Form-Data; charset=utf-8; boundary=\"a b\"") == "a b")
        #expect(Multipart.boundary(of: "application/zip") == nil)
        #expect(Multipart.boundary(of: "multipart/form-data") == nil)
        #expect(Multipart.boundary(of: "multipart/form-data; boundary=" + String(repeating: "x", count: 71)) == nil)
    }
}
