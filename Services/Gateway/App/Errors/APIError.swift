import Foundation
import HTTPTypes
import Hummingbird
import Shared

/// Every error the API answers with: a status and FastAPI's `{"detail": ...}` body.
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var detail: JSONValue
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.detail = .string(detail)
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse(.object(["detail": detail]), status: status, headers: headers).response()
    }

    // MARK: The errors of CONTRACT §2

    public static func validation(_ issues: [ValidationIssue]) -> APIError {
        var error = APIError(.unprocessableContent, "")
        error.detail = .array(issues.map(\.json))
        return error
    }

    public static func validation(_ issue: ValidationIssue) -> APIError { validation([issue]) }

    public static let notAuthenticated = APIError(
        .unauthorized, "Not authenticated", headers: [.wwwAuthenticate: "Bearer"]
    )
    public static let invalidCredentials = APIError(
        .unauthorized, "Could not validate credentials", headers: [.wwwAuthenticate: "Bearer"]
    )

    public static func notFound(_ detail: String) -> APIError { APIError(.notFound, detail) }
    public static func forbidden(_ detail: String) -> APIError { APIError(.forbidden, detail) }
    public static func conflict(_ detail: String) -> APIError { APIError(.conflict, detail) }
    public static func badRequest(_ detail: String) -> APIError { APIError(.badRequest, detail) }

    /// 429 (this client asks too much) or 503 (the server is saturated), with when to try again.
    public static func tryLater(_ status: HTTPResponse.Status, _ detail: String, afterSeconds seconds: Int) -> APIError {
        APIError(status, detail, headers: [.retryAfter: String(max(1, seconds))])
    }

    public static let superuserRequired = forbidden("The user doesn't have enough privileges")
}
