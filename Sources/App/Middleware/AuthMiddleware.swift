import Domain
import Hummingbird
import Storage
import Foundation
import HTTPTypes
import Logging
import NIOCore
import SolarSecurity

/// Resolves the caller. The API (`/api/`) accepts only `Authorization: Bearer` tokens and
/// the web interface only its `__Host-` session cookie, so API calls cannot be forged
/// cross-site with ambient cookies. An invalid credential leaves the caller anonymous;
/// authenticated routes then answer 401.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let auth: AuthService
    let proxies: ProxyTrust

    static let cookieName = "__Host-sd_session"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        // Each trusted proxy appends the address it saw; entries left of the client's are client-controlled.
        context.clientIP = proxies.clientAddress(peer: context.clientIP, forwardedFor: request.headers[.init("X-Forwarded-For")!])
        let found: (SessionRecord, Account)?
        if request.uri.path.hasPrefix("/api/") {
            found = try await bearer(request).asyncFlatMap { try await auth.authenticate(token: $0, kind: .api) }
        } else {
            found = try await request.cookies[Self.cookieName].asyncFlatMap { try await auth.authenticate(token: $0.value, kind: .web) }
        }
        if let (session, account) = found {
            context.session = session
            let now = auth.services.now()
            // Engineers and admins have no standing access to customer data, only an approved, unexpired grant.
            let breakGlass = account.role.usesBreakGlass && session.mfaVerified
                ? try await auth.services.store.read({ db in try db.activeBreakGlass(engineerID: account.id, now: now) }) != nil : false
            context.principal = Principal(accountID: account.id, role: account.role, secondFactor: session.mfaVerified, breakGlass: breakGlass)
            context.logger[metadataKey: "account_id"] = .string(account.id.uuidString.lowercased())
        }
        return try await next(request, context)
    }

    func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
