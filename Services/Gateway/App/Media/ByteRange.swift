import Foundation

/// The `Range` request header of the media content route (RFC 9110 §14.2),
/// for a single byte range.
///
/// Hand-written: the one form a browser or a download resumer sends
/// (`bytes=first-last`, `bytes=first-`, `bytes=-suffix`) is a few lines, and
/// every number in it is client input read without arithmetic that can
/// overflow (Swift traps on overflow: `bytes=0-9223372036854775807` must not
/// end the process).
enum ByteRange: Equatable {
    /// Serve the whole representation (200): no range, several ranges, another
    /// unit, or a header that does not parse (RFC 9110 lets a server ignore it).
    case ignored
    /// Serve these bytes (206); never empty, always within the size.
    case partial(Range<Int>)
    /// Nothing of the representation is in the range (416, `Content-Range: bytes */size`).
    case unsatisfiable

    /// The outcome of `header` against a representation of `size` bytes.
    static func parse(_ header: String, size: Int) -> ByteRange {
        guard header.prefix(6).lowercased() == "bytes=" else { return .ignored }
        let text = header.dropFirst(6)
        // Several ranges are allowed to be ignored, and cost more to serve than they are worth.
        guard !text.contains(",") else { return .ignored }
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .ignored }
        let first = parts[0].trimmingCharacters(in: .whitespaces)
        let last = parts[1].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            // `-N`: the last N bytes, all of them when N exceeds the size.
            guard let suffix = digits(last) else { return .ignored }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .partial(size - min(suffix, size)..<size)
        }
        guard let start = digits(first) else { return .ignored }
        var end = Int.max
        if !last.isEmpty {
            guard let parsed = digits(last), parsed >= start else { return .ignored }
            end = parsed
        }
        guard start < size else { return .unsatisfiable }
        // A last byte past the end is clamped to the last byte there is; `(size - 1) + 1` cannot overflow.
        return .partial(start..<min(end, size - 1) + 1)
    }

    /// The `Content-Range` value of a 206 or 416 answer.
    static func contentRange(_ outcome: ByteRange, size: Int) -> String? {
        switch outcome {
        case .ignored: nil
        case .partial(let range): "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)"
        case .unsatisfiable: "bytes */\(size)"
        }
    }

    /// A non-empty run of ASCII digits as a number; a value beyond `Int.max` is
    /// `Int.max`, which is past any real size and so means the same.
    /// Nil for anything else (signs, spaces, other characters).
    static func digits(_ text: String) -> Int? {
        guard !text.isEmpty else { return nil }
        var value = 0
        for byte in text.utf8 {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = shifted.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            value = overflowA || overflowB ? Int.max : next
        }
        return value
    }
}
