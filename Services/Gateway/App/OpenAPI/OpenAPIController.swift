import Hummingbird
import NIOCore

/// `GET /openapi.json`: the API's description, for clients and tools.
struct OpenAPIController {
    let documentation: APIDocumentation

    var endpoints: RouteCollection<AppRequestContext> {
        let document = documentation.document
        return RouteCollection(context: AppRequestContext.self).get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: document))
        }
    }
}
