import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Shared

/// The one place errors become responses: API errors render themselves,
/// framework errors (unknown route, body too large) get a `detail` body, a
/// saturated database (no free connection, a statement over its timeout) is a
/// 503 with `Retry-After`, and
/// anything else is logged and answered with a bare 500.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch is PoolTimeout {
            return try APIError.tryLater(.serviceUnavailable, "The service is busy; try again shortly", afterSeconds: 1)
                .response(from: request, context: context)
        } catch let error where DatabaseFailure(error) == .queryCanceled {
            context.logger.warning("statement timed out", metadata: ["path": "\(request.uri.path)"])
            return try APIError.tryLater(.serviceUnavailable, "The service is busy; try again shortly", afterSeconds: 1)
                .response(from: request, context: context)
        } catch let error as HTTPParserError {
            // The client sent a broken request or went away mid-body: its mistake, and
            // likely nobody is left to read the answer.
            context.logger.info("malformed or incomplete request", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return JSONResponse(.object(["detail": "Malformed or incomplete request"]), status: .badRequest).response()
        } catch is NIOTooManyBytesError {
            return JSONResponse(.object(["detail": "Request body is too large"]), status: .contentTooLarge).response()
        } catch let error as HTTPError {
            let detail = error.body ?? Self.reason(error.status)
            var headers = error.headers
            headers[.contentType] = nil
            return JSONResponse(.object(["detail": .string(detail)]), status: error.status, headers: headers).response()
        } catch {
            context.logger.error(
                "unhandled error",
                metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"]
            )
            return JSONResponse(.object(["detail": "Internal Server Error"]), status: .internalServerError).response()
        }
    }

    /// Starlette's wording for the statuses the framework raises on its own.
    private static func reason(_ status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "Not Found"
        case .methodNotAllowed: "Method Not Allowed"
        case .contentTooLarge: "Request body is too large"
        default: status.reasonPhrase
        }
    }
}
