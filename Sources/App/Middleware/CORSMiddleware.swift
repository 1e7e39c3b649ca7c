import Hummingbird
import Domain
import Foundation
import HTTPTypes
import Logging
import NIOCore
import SolarSecurity
import Storage

/// Cross-origin access only for origins on the configured allow-list. Other origins get
/// no CORS headers (the browser blocks the response) and their preflights get 403.
/// Credentials (cookies) are never allowed cross-origin; the API uses bearer tokens.
struct AllowListCORSMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let allowed: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let permitted = allowed.contains(origin)
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            guard permitted else { throw ApiError(.forbidden, "cors-denied", "This origin may not call the API.") }
            var response = Response(status: .noContent)
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlAllowMethods] = "GET, POST, PUT, PATCH, DELETE"
            response.headers[.accessControlAllowHeaders] = "Authorization, Content-Type, Idempotency-Key"
            response.headers[.accessControlMaxAge] = "600"
            response.headers[.vary] = "Origin"
            return response
        }
        var response = try await next(request, context)
        response.headers[.vary] = "Origin"
        if permitted {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlExposeHeaders] = "X-Request-ID"
        }
        return response
    }
}
