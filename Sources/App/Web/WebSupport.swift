import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore
import SolarSecurity
import Storage
import Logging

/// Rendering, cookies, form decoding and request-forgery checks for the web interface.
struct WebSupport: Sendable {
    let assets: WebAssets
    let config: AppConfig

    /// The templates and static files, read from the resources once per process.
    static let bundledAssets = Result { try WebAssets.bundled() }

    init(config: AppConfig) throws {
        self.assets = try Self.bundledAssets.get()
        self.config = config
    }

    /// Renders a page as `text/html`. A template that is missing is a programming error: 500.
    func page(_ name: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) throws -> Response {
        guard let html = assets.library.render(values, withTemplate: name) else { throw WebPageError.missingTemplate(name) }
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

    /// Values every page uses: title, assets, the signed-in user with the navigation of their
    /// role, the form token, and a page-level message.
    func frame(_ caller: AuthenticatedContext, account: Account, title: String, error: String? = nil) -> [String: Any] {
        frame(session: caller.session, principal: caller.principal, account: account, title: title, error: error, rotation: caller.rotation)
    }

    func frame(_ context: AppRequestContext, account: Account?, title: String, error: String? = nil) -> [String: Any] {
        frame(session: context.session, principal: context.principal, account: account, title: title, error: error, rotation: context.rotation)
    }

    /// After a re-authentication in this request the form token follows the new session token.
    func frame(session: SessionRecord?, principal: Principal?, account: Account?, title: String, error: String?,
               rotation: SessionRotation? = nil) -> [String: Any] {
        var values: [String: Any] = ["title": title, "assets": assets.links]
        if let account, let session, let principal {
            values["user"] = ["name": account.name, "email": account.email, "role": account.role.rawValue]
            values["nav"] = WebNavigation.links(for: principal)
            values["csrf"] = CSRFToken.value(sessionTokenHash: rotation?.newTokenHash ?? session.tokenHash)
        }
        if let error { values["error"] = error }
        return values
    }

    /// Refuses cross-site form posts. Fetch metadata first: a browser that sends
    /// `Sec-Fetch-Site` must say `same-origin`. `Origin`, when sent, must be one of the site's
    /// origins; `Origin: null` (privacy settings, sandboxed frames) passes only when the browser
    /// also said `same-origin`.
    func requireSameOrigin(_ request: Request) throws(ApiError) {
        let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!]
        guard Self.isSameOrigin(fetchSite: site, origin: request.headers[.origin], allowed: config.webOrigins) else { throw .crossSite }
    }

    static func isSameOrigin(fetchSite: String?, origin: String?, allowed: Set<String>) -> Bool {
        if let fetchSite {
            guard fetchSite == "same-origin" else { return false }
            return origin == nil || origin == "null" || allowed.contains(origin!)
        }
        // No fetch metadata (older browsers, scripts): an Origin, when sent, must be ours.
        return origin.map(allowed.contains) ?? true
    }

    /// Decodes a bounded `application/x-www-form-urlencoded` body (public forms; the request
    /// passed `WebOriginMiddleware` already).
    func form<T: Decodable>(_ type: T.Type, _ request: Request, context: some RequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        do {
            return try URLEncodedFormDecoder().decode(T.self, from: String(buffer: buffer))
        } catch {
            throw ApiError.malformedBody
        }
    }

    /// Field errors keyed by form field (`address.city` → `city`), for messages next to fields.
    static func fieldErrors(_ errors: [FieldError]) -> [String: String] {
        var map: [String: String] = [:]
        for error in errors {
            let key = error.field.split(separator: ".").last.map(String.init) ?? error.field
            map[key] = map[key].map { "\($0) \(error.message)" } ?? Self.sentence(error.message)
        }
        return map
    }

    static func sentence(_ message: String) -> String {
        message.prefix(1).uppercased() + message.dropFirst() + (message.hasSuffix(".") ? "" : ".")
    }

    static func money(_ cents: Int64, _ currency: String) -> String {
        String(format: "%@ %d.%02d", currency, cents / 100, cents % 100)
    }

    static func day(_ date: Date) -> String {
        String(date.formatted(.iso8601).prefix(10))
    }

    static func minute(_ date: Date) -> String {
        let text = date.formatted(.iso8601)
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(5)) + " UTC"
    }

    static func short(_ id: UUID) -> String { String(id.uuidString.prefix(8)).lowercased() }
}

enum WebPageError: Error {
    case missingTemplate(String)
}

