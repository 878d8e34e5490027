/// libFuzzer target: the JSON parser and writer. Any bytes parse or fail
/// with a position inside the input; a parsed document written back parses to
/// the same document and writes to the same bytes; request-body limits only
/// ever refuse more.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limited = Result { () throws(JSONParser.SyntaxError) in try JSONParser.parse(bytes, limits: .requestBody) }
    let document: JSONValue
    do {
        document = try JSONParser.parse(bytes)
    } catch {
        precondition((0...size).contains(error.position), "error at \(error.position) of \(size)")
        guard case .failure(let refused) = limited else { preconditionFailure("limits accepted what the parser refused") }
        precondition((0...size).contains(refused.position))
        return 0
    }
    if case .success(let same) = limited { precondition(same == document) }
    let written = JSONWriter.bytes(document)
    let reparsed: JSONValue
    do {
        reparsed = try JSONParser.parse(written)
    } catch {
        preconditionFailure("written JSON does not parse: \(error) in \(String(decoding: written, as: UTF8.self))")
    }
    precondition(reparsed == document, "round trip changed \(document) into \(reparsed)")
    precondition(JSONWriter.bytes(reparsed) == written)
    return 0
}
