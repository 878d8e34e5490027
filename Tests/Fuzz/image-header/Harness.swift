/// libFuzzer target: `ImageHeader.inspect` on any bytes never traps, never
/// loops, and whatever it answers is a size the API can store.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImageHeader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let info = try? ImageHeader.inspect(bytes) else { return 0 }
    switch (info.width, info.height) {
    case (let width?, let height?):
        precondition((1...ImageHeader.maximumSide).contains(width) && (1...ImageHeader.maximumSide).contains(height))
        precondition(info.orientation != nil && info.aspectRatio != nil)
    case (nil, nil):
        // Only formats whose size may lie beyond the bytes given leave it unknown.
        precondition([.tiff, .heif, .avif].contains(info.format))
    default:
        preconditionFailure("half a size: \(info)")
    }
    if let orientation = info.exifOrientation { precondition((1...8).contains(orientation)) }
    return 0
}
