import Hummingbird
import Domain
import Foundation
import HTTPTypes
import Logging
import NIOCore
import Security
import Storage

/// Adds the security headers to every response, errors included.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let hsts: Bool

    static let apiCSP = "default-src 'none'; frame-ancestors 'none'"
    static let webCSP = "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        let isHTML = response.headers[.contentType]?.hasPrefix("text/html") ?? false
        if hsts {
            response.headers[.strictTransportSecurity] = "max-age=63072000; includeSubDomains"
        }
        response.headers[.contentSecurityPolicy] = isHTML ? Self.webCSP : Self.apiCSP
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("Cross-Origin-Opener-Policy")!] = "same-origin"
        response.headers[.init("Cross-Origin-Resource-Policy")!] = "same-origin"
        response.headers[.init("Permissions-Policy")!] = "geolocation=(), camera=(), microphone=()"
        // Nothing this server returns may be stored by browsers or shared caches.
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
