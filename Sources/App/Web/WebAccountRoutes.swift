import Domain
import Foundation
import Graphics
import HTTPTypes
import Hummingbird
import Storage

/// The account pages: profile, password change, two-factor enrolment with a server-rendered
/// QR code (mandatory for staff before anything else), and the sessions list with revoke.
struct WebAccountRoutes {
    let controller: WebController
    var web: WebSupport { controller.web }
    var services: AppServices { controller.services }
    var mfa: MFAService { MFAService(services: services) }
    var security: AccountSecurityService { AccountSecurityService(services: services) }

    struct ConfirmForm: Decodable, Sendable { var code: String }
    struct PasswordForm: Decodable, Sendable { var currentPassword: String; var newPassword: String }

    func endpoints(_ pages: RouterGroup<AuthenticatedContext>) {
        stepUpEndpoints(pages)
        privacyEndpoints(pages)
        pages.page("account", .manageOwnSecurity) { _, caller in
            let account = try await controller.account(caller)
            let totp = try await services.store.read { db in try db.totp(accountID: account.id) }
            var values = web.frame(caller, account: account, title: "Your account")
            values["profile"] = ["name": account.name, "email": account.email, "phone": account.phone, "role": account.role.rawValue,
                                 "since": WebSupport.day(account.createdAt), "verified": account.emailVerifiedAt != nil, "mfa": totp?.confirmedAt != nil]
            return try web.page("account/profile", values)
        }
        pages.page("account/password", .manageOwnSecurity) { _, caller in
            try await passwordPage(caller, errors: [:], status: .ok)
        }
        pages.form("account/password", .manageOwnSecurity, PasswordForm.self) { form, _, caller in
            do {
                try await security.changePassword(current: form.currentPassword, new: form.newPassword, context: caller)
            } catch let error as ApiError where [.unauthorized, .unprocessableContent, .tooManyRequests].contains(error.status) {
                let errors = error.status == .unauthorized ? ["currentPassword": "This is not your current password."] : WebSupport.fieldErrors(error.fieldErrors)
                return try await passwordPage(caller, errors: errors, message: errors.isEmpty ? error.title : nil, status: error.status)
            }
            var values = web.frame(caller, account: try await controller.account(caller), title: "Change your password")
            values["notice"] = "Your password was changed. Your other sessions were signed out."
            values["rules"] = WebController.passwordRules
            return try web.page("account/password", values)
        }
        pages.page("account/security", .enrollMFA) { request, caller in
            let account = try await controller.account(caller)
            let totp = try await services.store.read { db in try db.totp(accountID: account.id) }
            var values = web.frame(caller, account: account, title: "Two-factor authentication")
            values["enabled"] = totp?.confirmedAt != nil
            values["canDisable"] = !account.role.requiresMFA
            values["required"] = Self.requiredNotice(account, caller)
            values["reauth"] = reauthForm(caller, request, next: "/account/security", mfa: totp?.confirmedAt != nil,
                                          why: totp?.confirmedAt != nil ? "New recovery codes need your password again." : "Setting up two-factor authentication needs your password again.")
            return try web.page("account/security", values)
        }
        pages.form("account/mfa/start", .enrollMFA, CSRFField.self) { _, _, caller in
            try security.requireRecentAuthentication(caller)
            let account = try await controller.account(caller)
            let enrollment = try await mfa.start(account: account, audit: AuditContext(caller))
            return try enrollPage(caller, account: account, secret: enrollment.secret, uri: enrollment.uri, codeError: nil, status: .ok)
        }
        pages.form("account/mfa/confirm", .enrollMFA, ConfirmForm.self) { form, _, caller in
            let account = try await controller.account(caller)
            do {
                let codes = try await mfa.confirm(account: account, code: form.code.trimmingCharacters(in: .whitespaces), audit: AuditContext(caller))
                var values = web.frame(caller, account: account, title: "Recovery codes")
                values["codes"] = codes
                values["relogin"] = account.role.requiresMFA
                return try web.page("account/mfa-done", values)
            } catch let error as ApiError where error.status == .unprocessableContent || error.status == .conflict {
                var values = web.frame(caller, account: account, title: "Two-factor authentication",
                                       error: "That code did not work. Start again and enter the code your app shows now.")
                values["required"] = Self.requiredNotice(account, caller)
                return try web.page("account/security", values, status: error.status)
            }
        }
        pages.page("account/sessions", .manageOwnSecurity) { request, caller in
            let sessions = try await security.sessions(context: caller)
            let account = try await controller.account(caller)
            var values = web.frame(caller, account: account, title: "Where you are signed in")
            let mfa = try await services.store.read { db in try db.totp(accountID: account.id)?.confirmedAt != nil }
            values["reauth"] = reauthForm(caller, request, next: "/account/sessions", mfa: mfa, why: "Signing other devices out needs your password again.")
            values["sessions"] = sessions.map { s in
                ["id": s.id.uuidString.lowercased(), "kind": s.kind == "web" ? "browser" : "app", "agent": Self.device(s.userAgent),
                 "ip": s.clientIp ?? "-", "created": WebSupport.minute(s.createdAt), "seen": WebSupport.minute(s.lastSeenAt), "current": s.current]
            }
            return try web.page("account/sessions", values)
        }
        pages.form("account/sessions/:id/revoke", .manageOwnSecurity, CSRFField.self) { _, _, caller in
            try await security.revoke(sessionID: try caller.uuid("id"), context: caller)
            return web.redirect("/account/sessions")
        }
        pages.form("account/sessions/revoke-others", .manageOwnSecurity, CSRFField.self) { _, _, caller in
            try await security.revokeOthers(context: caller)
            return web.redirect("/account/sessions")
        }
    }

    func passwordPage(_ caller: AuthenticatedContext, errors: [String: String], message: String? = nil, status: HTTPResponse.Status) async throws -> Response {
        var values = web.frame(caller, account: try await controller.account(caller), title: "Change your password", error: message)
        values["errors"] = errors
        values["rules"] = WebController.passwordRules
        return try web.page("account/password", values, status: status)
    }

    /// The secret as a QR code (SVG, drawn here: no script, no outside service) and as text.
    func enrollPage(_ caller: AuthenticatedContext, account: Account, secret: String, uri: String, codeError: String?, status: HTTPResponse.Status) throws -> Response {
        var values = web.frame(caller, account: account, title: "Set up two-factor authentication")
        let letters = Array(secret)
        values["secret"] = stride(from: 0, to: letters.count, by: 4).map { String(letters[$0..<min($0 + 4, letters.count)]) }.joined(separator: " ")
        values["qr"] = try QRCode(uri, correction: .medium).svg(title: "QR code to add SolarDispatch to your authenticator app")
        values["codeError"] = codeError
        return try web.page("account/mfa-enroll", values, status: status)
    }

    /// A short, readable device name from a user agent.
    static func device(_ agent: String?) -> String {
        guard let agent, !agent.isEmpty else { return "Unknown device" }
        let browser = [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")].first { agent.contains($0.0) }?.1
        let system = [("Android", "Android"), ("iPhone", "iPhone"), ("Mac OS X", "macOS"), ("Windows", "Windows"), ("Linux", "Linux")].first { agent.contains($0.0) }?.1
        let name = [browser, system].compactMap { $0 }.joined(separator: " on ")
        return name.isEmpty ? String(agent.prefix(40)) : name
    }
}
