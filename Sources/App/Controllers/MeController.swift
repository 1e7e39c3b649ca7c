import Domain
import Foundation
import Hummingbird
import Storage
import HTTPTypes
import Logging
import NIOCore
import SolarSecurity

/// `/api/v1/me`: the caller's account, MFA, step-up, password and sessions.
struct MeController {
    let services: AppServices
    var security: AccountSecurityService { AccountSecurityService(services: services) }
    var mfa: MFAService { MFAService(services: services) }

    func endpoints(_ group: RouterGroup<AuthenticatedContext>) {
        group.secured(.get, "me", .readOwnAccount) { _, context in
            AccountDTO(try await security.account(context))
        }
        group.secured(.get, "me/export", .exportOwnData) { _, context in
            try await PrivacyService(services: services).export(context: context)
        }
        group.secured(.delete, "me", .deleteOwnAccount) { _, context in
            try await PrivacyService(services: services).deleteAccount(context: context)
            return Response(status: .noContent)
        }
        group.secured(.post, "me/mfa/totp", .enrollMFA) { _, context in
            try security.requireRecentAuthentication(context)
            let enrollment = try await mfa.start(account: try await security.account(context), audit: AuditContext(context))
            return Created(value: TotpEnrollmentDTO(secret: enrollment.secret, otpauthUri: enrollment.uri))
        }
        group.secured(.post, "me/mfa/totp/confirm", .enrollMFA) { request, context in
            let body = try await request.decodeBody(TotpConfirmRequest.self, context: context)
            let codes = try await mfa.confirm(account: try await security.account(context), code: body.code, audit: AuditContext(context))
            return RecoveryCodesDTO(recoveryCodes: codes)
        }
        group.secured(.delete, "me/mfa/totp", .manageOwnSecurity) { _, context in
            try security.requireRecentAuthentication(context)
            try await mfa.disable(account: try await security.account(context), audit: AuditContext(context))
            return Response(status: .noContent)
        }
        group.secured(.post, "me/mfa/recovery-codes", .manageOwnSecurity) { _, context in
            try security.requireRecentAuthentication(context)
            let codes = try await mfa.regenerateRecoveryCodes(account: try await security.account(context), audit: AuditContext(context))
            return RecoveryCodesDTO(recoveryCodes: codes)
        }
        // Allowed to a staff session that must still enrol: enrolment itself needs a recent authentication.
        group.secured(.post, "me/reauth", .enrollMFA) { request, context in
            let body = try await request.decodeBody(ReauthRequest.self, context: context)
            let renewed = try await security.reauthenticate(password: body.password, totpCode: body.totpCode, context: context)
            return ReauthResponse(accessToken: renewed.token.value, expiresAt: renewed.expiresAt)
        }
        group.secured(.post, "me/password", .manageOwnSecurity) { request, context in
            let body = try await request.decodeBody(ChangePasswordRequest.self, context: context)
            try await security.changePassword(current: body.currentPassword, new: body.newPassword, context: context)
            return Response(status: .noContent)
        }
        group.secured(.post, "me/email", .manageOwnSecurity) { request, context in
            let body = try await request.decodeBody(EmailChangeRequest.self, context: context)
            try await security.requestEmailChange(to: body.email, context: context)
            var response = try AcceptedDTO().response(from: request, context: context)
            response.status = .accepted
            return response
        }
        group.secured(.post, "me/email/confirm", .manageOwnSecurity) { request, context in
            let body = try await request.decodeBody(TokenRequest.self, context: context)
            try await security.confirmEmailChange(token: body.token, context: context)
            return Response(status: .noContent)
        }
        group.secured(.get, "me/sessions", .manageOwnSecurity) { _, context in
            SessionListDTO(items: try await security.sessions(context: context))
        }
        group.secured(.delete, "me/sessions/:id", .manageOwnSecurity) { _, context in
            try await security.revoke(sessionID: try context.uuid("id"), context: context)
            return Response(status: .noContent)
        }
        group.secured(.delete, "me/sessions", .manageOwnSecurity) { _, context in
            try await security.revokeOthers(context: context)
            return Response(status: .noContent)
        }
    }
}
