import Domain
import Foundation
import HTTPTypes
import Hummingbird
import SolarSecurity
import Storage
import Logging
import NIOCore

/// `/api/v1/auth/*` (public) and logout.
struct AuthController {
    let services: AppServices
    var auth: AuthService { AuthService(services: services) }
    var recovery: RecoveryService { RecoveryService(services: services) }

    /// Routes that work without a session.
    func publicEndpoints(_ group: RouterGroup<AppRequestContext>) {
        group.post("auth/signup") { request, context in
            let body = try await request.decodeBody(SignupRequest.self, context: context)
            try await auth.signup(body, audit: AuditContext(context))
            // The same answer whether or not the email has an account: what happened is in the email.
            var response = try AcceptedDTO().response(from: request, context: context)
            response.status = .accepted
            return response
        }
        group.post("auth/login") { request, context in
            let body = try await request.decodeBody(LoginRequest.self, context: context)
            let input = LoginInput(email: body.email, password: body.password, totpCode: body.totpCode, recoveryCode: body.recoveryCode,
                                   kind: .api, userAgent: request.headers[.userAgent], deviceToken: body.deviceToken, emailCode: body.emailCode)
            return LoginResponse(try await auth.login(input, audit: AuditContext(context)))
        }
        group.post("auth/refresh") { request, context in
            let body = try await request.decodeBody(RefreshRequest.self, context: context)
            return LoginResponse(try await auth.refresh(body.refreshToken, audit: AuditContext(context)))
        }
        group.post("auth/verify-email") { request, context in
            let body = try await request.decodeBody(TokenRequest.self, context: context)
            try await recovery.verifyEmail(token: body.token, audit: AuditContext(context))
            return Response(status: .noContent)
        }
        group.post("auth/password-reset") { request, context in
            let body = try await request.decodeBody(PasswordResetRequest.self, context: context)
            try await recovery.requestReset(email: body.email, audit: AuditContext(context))
            // The same answer whether or not the account exists.
            var response = try AcceptedDTO().response(from: request, context: context)
            response.status = .accepted
            return response
        }
        group.post("auth/invitation") { request, context in
            let body = try await request.decodeBody(InvitationAcceptRequest.self, context: context)
            try await InvitationService(services: services).accept(token: body.token, password: body.password, audit: AuditContext(context))
            return Response(status: .noContent)
        }
        group.post("auth/password-reset/confirm") { request, context in
            let body = try await request.decodeBody(PasswordResetConfirm.self, context: context)
            try await recovery.confirmReset(token: body.token, newPassword: body.newPassword, audit: AuditContext(context))
            return Response(status: .noContent)
        }
    }

    func endpoints(_ group: RouterGroup<AuthenticatedContext>) {
        group.secured(.post, "auth/logout", .readOwnAccount) { _, context in
            try await auth.logout(session: context.session, audit: AuditContext(context))
            return Response(status: .noContent)
        }
    }
}
