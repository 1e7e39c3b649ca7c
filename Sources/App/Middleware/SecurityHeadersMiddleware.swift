import Hummingbird
import Domain
import Foundation
import HTTPTypes
import Logging
import NIOCore
import SolarSecurity
import Storage

/// Adds the security headers to every response, errors included.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let hsts: Bool

    static let apiCSP = "default-src 'none'; frame-ancestors 'none'"
    static let webCSP = "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    /// Content-hashed stylesheet, images and the favicon: the only cacheable responses.
    static func isPublicAsset(_ path: String) -> Bool {
        path.hasPrefix("/static/") || path == "/favicon.ico"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        let isHTML = response.headers[.contentType]?.hasPrefix("text/html") ?? false
        if hsts {
            response.headers[.strictTransportSecurity] = "max-age=63072000; includeSubDomains"
        }
        response.headers[.contentSecurityPolicy] = isHTML ? Self.webCSP : Self.apiCSP
        response.headers[.xContentTypeOptions] = "nosniff"
        // `same-origin`: no referrer leaves the site, and browsers still send a real `Origin` on
        // the site's own form posts (with `no-referrer` they send `Origin: null`).
        response.headers[.init("Referrer-Policy")!] = "same-origin"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("Cross-Origin-Opener-Policy")!] = "same-origin"
        response.headers[.init("Cross-Origin-Resource-Policy")!] = "same-origin"
        response.headers[.init("Permissions-Policy")!] = "geolocation=(), camera=(), microphone=()"
        // Nothing this server returns may be stored by browsers or shared caches, except the
        // public static assets, which set their own (long) lifetime.
        if response.headers[.cacheControl] == nil || !Self.isPublicAsset(request.uri.path) {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}
