import Hummingbird
import NIOCore

/// `GET /openapi.json`: the API's description, for clients and tools;
/// `GET /docs`: the same, browsable (Swagger UI, served from the gateway's own files).
struct OpenAPIController {
    let documentation: APIDocumentation

    var endpoints: RouteCollection<AppRequestContext> {
        let documentation = documentation
        return RouteCollection(context: AppRequestContext.self)
            .get("openapi.json") { _, _ in
                Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: documentation.document))
            }
            .get("docs") { _, _ in
                Self.response(documentation.page)
            }
            .get("docs/:asset") { _, context in
                guard let asset = context.parameters.get("asset").flatMap({ documentation.assets[$0] }) else {
                    throw HTTPError(.notFound)
                }
                return Self.response(asset)
            }
    }

    private static func response(_ asset: APIDocumentation.Asset) -> Response {
        Response(status: .ok, headers: [.contentType: asset.contentType], body: .init(byteBuffer: asset.bytes))
    }
}
