public import Domain
import Foundation
public import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import SolarSecurity
import Storage

/// An RFC 9457 problem answer. Titles and details are generic and written for clients:
/// they never contain stack traces, SQL, type names or other internals.
public struct ApiError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// A short machine-readable slug, published as `type: /problems/<slug>`.
    public var slug: String
    public var title: String
    public var detail: String?
    public var fieldErrors: [FieldError]
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ slug: String, _ title: String, detail: String? = nil,
                fieldErrors: [FieldError] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.headers = headers
    }

    public static let malformedBody = ApiError(.badRequest, "malformed-request", "The request body is not valid JSON for this operation.")
    public static let badParameter = ApiError(.badRequest, "bad-parameter", "A path or query parameter is not valid.")
    public static let unauthorized = ApiError(
        .unauthorized, "unauthorized", "Authentication is required.", headers: [.wwwAuthenticate: "Bearer"]
    )
    public static let invalidCredentials = ApiError(
        .unauthorized, "invalid-credentials", "The email or password is incorrect.", headers: [.wwwAuthenticate: "Bearer"]
    )
    public static let forbidden = ApiError(.forbidden, "forbidden", "Your role does not allow this operation.")
    public static let mfaEnrollmentRequired = ApiError(
        .forbidden, "mfa-enrollment-required", "Staff accounts must enrol two-factor authentication and log in with it first."
    )
    public static let notFound = ApiError(.notFound, "not-found", "The resource does not exist.")
    public static let conflict = ApiError(.conflict, "conflict", "The request conflicts with the current state of the resource.")
    public static let invalidTransition = ApiError(.conflict, "invalid-transition", "The order cannot make this change in its current state.")
    public static let headersTooLarge = ApiError(.init(code: 431, reasonPhrase: "Request Header Fields Too Large"), "headers-too-large",
                                                 "The request headers are too large.")
    public static let tooLarge = ApiError(.contentTooLarge, "payload-too-large", "The request body is too large.")
    public static let unavailable = ApiError(.serviceUnavailable, "unavailable", "The service is temporarily unavailable. Try again later.", headers: [.retryAfter: "5"])
    public static let internalError = ApiError(.internalServerError, "internal", "An unexpected error occurred.")
    public static let crossSite = ApiError(.forbidden, "cross-site-request", "Cross-site requests are not allowed.")

    public static func validation(_ errors: [FieldError]) -> ApiError {
        ApiError(.unprocessableContent, "validation", "The request has invalid fields.", fieldErrors: errors)
    }

    /// A generic problem for a bare status code (used for framework errors such as 404 or 405).
    public static func generic(_ status: HTTPResponse.Status) -> ApiError {
        switch status.code {
        case 400: .malformedBody
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 405: ApiError(status, "method-not-allowed", "The method is not allowed on this resource.")
        case 413: .tooLarge
        case 400..<500: ApiError(status, "client-error", "The request could not be processed.")
        case 503: .unavailable
        default: .internalError
        }
    }

    struct Body: Encodable {
        let type: String
        let title: String
        let status: Int
        let detail: String?
        let instance: String?
        let errors: [FieldError]?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try response(requestID: (context as? AppRequestContext)?.requestID)
    }

    func response(requestID: String?) throws -> Response {
        let body = Body(type: "/problems/\(slug)", title: title, status: Int(status.code), detail: detail,
                        instance: requestID, errors: fieldErrors.isEmpty ? nil : fieldErrors)
        var headers = headers
        headers[.contentType] = "application/problem+json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(body))))
    }
}
