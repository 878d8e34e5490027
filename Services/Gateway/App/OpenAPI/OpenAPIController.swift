import Hummingbird
import NIOCore

/// `GET /openapi.json`: the API's description, for clients and tools.
struct OpenAPIController {
    var endpoints: RouteCollection<AppRequestContext> {
        let document = ByteBuffer(string: OpenAPIDocument.json)
        return RouteCollection(context: AppRequestContext.self).get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: document))
        }
    }
}
