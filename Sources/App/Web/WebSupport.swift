import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore
import Security
import Storage
import Logging

/// Rendering, cookies, form decoding and request-forgery checks for the web interface.
struct WebSupport: Sendable {
    let library: MustacheLibrary
    let config: AppConfig

    init(config: AppConfig) {
        var library = MustacheLibrary()
        for (name, text) in Templates.all {
            // The templates are constants of this module; a parse error is a programming error.
            try! library.register(text, named: name)
        }
        self.library = library
        self.config = config
    }

    /// Renders a page as `text/html`.
    func page(_ name: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let html = library.render(values, withTemplate: name) ?? ""
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func redirect(_ location: String, cookie: Cookie? = nil) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location])
        if let cookie { response.setCookie(cookie) }
        return response
    }

    /// The session cookie: `__Host-` prefix (Secure, Path=/, no Domain), HttpOnly, SameSite=Strict.
    func sessionCookie(_ token: String, maxAge: Int) -> Cookie {
        Cookie(name: AuthMiddleware.cookieName, value: token, maxAge: maxAge, path: "/", secure: true, httpOnly: true, sameSite: .strict)
    }

    /// Values every page template uses: the signed-in user and the form token.
    func frame(_ context: AppRequestContext, account: Account?, title: String, error: String? = nil) -> [String: Any] {
        var values: [String: Any] = ["title": title]
        if let account, let session = context.session {
            values["user"] = ["email": account.email, "role": account.role.rawValue]
            values["csrf"] = CSRFToken.value(sessionTokenHash: session.tokenHash)
        }
        if let error { values["error"] = error }
        return values
    }

    /// Rejects cross-site form posts: `Sec-Fetch-Site` must be same-origin (or absent/none)
    /// and `Origin`, when sent, must be this site's public origin.
    func requireSameOrigin(_ request: Request) throws {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin", site != "none" {
            throw ApiError.crossSite
        }
        if let origin = request.headers[.origin], origin != config.publicOrigin {
            throw ApiError.crossSite
        }
    }

    /// Decodes a bounded `application/x-www-form-urlencoded` body.
    func form<T: Decodable>(_ type: T.Type, _ request: Request, context: AppRequestContext) async throws -> T {
        try requireSameOrigin(request)
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        do {
            return try URLEncodedFormDecoder().decode(T.self, from: String(buffer: buffer))
        } catch {
            throw ApiError.malformedBody
        }
    }

    /// A signed-in caller whose form carried the session's CSRF token.
    func authenticatedPost(_ request: Request, context: AppRequestContext, csrf: String?) throws -> AuthenticatedContext {
        let auth = try AuthenticatedContext(context: context)
        guard CSRFToken.isValid(csrf, sessionTokenHash: auth.session.tokenHash) else { throw ApiError.crossSite }
        return auth
    }

    static func money(_ cents: Int64, _ currency: String) -> String {
        String(format: "%@ %d.%02d", currency, cents / 100, cents % 100)
    }

    static func day(_ date: Date) -> String {
        String(date.formatted(.iso8601).prefix(10))
    }
}
