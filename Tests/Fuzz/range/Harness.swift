/// libFuzzer target: the `Range` header parser. The first 8 bytes choose the
/// representation's size (small sizes as often as huge ones), the rest is the
/// header. A partial range is never empty and lies within the size, and
/// asking again for exactly the range answered gives the same range.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzByteRange(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 8 else { return 0 }
    let raw = UnsafeRawPointer(data).loadUnaligned(as: UInt64.self)
    let length = raw & 1 == 0 ? Int((raw >> 1) % 4096) : Int(raw >> 1)
    let header = String(decoding: UnsafeBufferPointer(start: data + 8, count: size - 8), as: UTF8.self)
    let outcome = ByteRange.parse(header, size: length)
    switch outcome {
    case .ignored:
        precondition(ByteRange.contentRange(outcome, size: length) == nil)
    case .unsatisfiable:
        precondition(ByteRange.contentRange(outcome, size: length) == "bytes */\(length)")
    case .partial(let range):
        precondition(!range.isEmpty && range.lowerBound >= 0 && range.upperBound <= length, "\(range) of \(length)")
        let again = ByteRange.parse("bytes=\(range.lowerBound)-\(range.upperBound - 1)", size: length)
        precondition(again == outcome, "\(again) != \(outcome)")
        precondition(ByteRange.contentRange(outcome, size: length) == "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(length)")
    }
    return 0
}
