import HTTPTypes
import Hummingbird
import NIOCore
import Shared

/// A JSON body with a status, the return type of every handler.
public struct JSONResponse: ResponseGenerator, Sendable {
    public var value: JSONValue
    public var status: HTTPResponse.Status
    public var headers: HTTPFields

    public init(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) {
        self.value = value
        self.status = status
        self.headers = headers
    }

    public init(_ value: some JSONRepresentable, status: HTTPResponse.Status = .ok) {
        self.init(value.json, status: status)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    func response() -> Response {
        let bytes = JSONWriter.bytes(value)
        var headers = self.headers
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(bytes.count)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// `{"message": ...}`, the answer of deletes.
public struct Message: JSONRepresentable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var json: JSONValue { .object(["message": .string(message)]) }
}

/// `{"data": [...], "count": N}` where N counts every matching row, not the page.
public struct Page<Item: JSONRepresentable>: JSONRepresentable {
    public var data: [Item]
    public var count: Int
    public init(data: [Item], count: Int) {
        self.data = data
        self.count = count
    }
    public var json: JSONValue { .object(["data": .list(data), "count": .int(count)]) }
}
