import Domain
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import Security
import Storage

/// `/api/v1/auth/*` and `/api/v1/me`.
struct AuthController {
    let services: AppServices
    var auth: AuthService { AuthService(services: services) }

    /// Routes that work without a session.
    func publicEndpoints(_ group: RouterGroup<AppRequestContext>) {
        group.post("auth/signup") { request, context in
            let body = try await request.decodeBody(SignupRequest.self, context: context)
            return Created(value: AccountDTO(try await auth.signup(body, audit: AuditContext(context))))
        }
        group.post("auth/login") { request, context in
            let body = try await request.decodeBody(LoginRequest.self, context: context)
            let result = try await auth.login(email: body.email, password: body.password, kind: .api, audit: AuditContext(context))
            return LoginResponse(accessToken: result.token.value, expiresAt: result.session.expiresAt)
        }
    }

    func endpoints(_ group: RouterGroup<AuthenticatedContext>) {
        group.secured(.post, "auth/logout", .readOwnAccount) { _, context in
            try await auth.logout(session: context.session, audit: AuditContext(context))
            return Response(status: .noContent)
        }
        group.secured(.get, "me", .readOwnAccount) { _, context in
            let id = context.principal.accountID
            guard let account = try await services.store.read({ db in try db.account(id: id) }) else { throw ApiError.unauthorized }
            return AccountDTO(account)
        }
    }
}
