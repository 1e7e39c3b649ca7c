import Domain
import Foundation
import HTTPTypes
import Hummingbird

/// Account changes that need the password (and code) again: a new email address, confirmed
/// with a code sent to it, and turning two-factor authentication off (customers and installers).
extension WebAccountRoutes {
    struct EmailForm: Decodable, Sendable { var email: String; var password: String; var totpCode: String? }
    struct CodeForm: Decodable, Sendable { var token: String }
    struct StepUpForm: Decodable, Sendable { var password: String; var totpCode: String? }

    struct ReauthForm: Decodable, Sendable { var password: String; var totpCode: String?; var next: String }
    /// The pages a confirmation may return to.
    static let reauthTargets: Set<String> = ["/account/security", "/account/sessions", "/account/privacy"]

    func stepUpEndpoints(_ pages: RouterGroup<AuthenticatedContext>) {
        // The password (and code) again, then back to the page that asked. The step-up replaces
        // the session cookie (`SessionRotation`). Allowed to a staff session that must still enrol.
        pages.form("account/reauth", .enrollMFA, ReauthForm.self) { form, _, caller in
            let next = Self.reauthTargets.contains(form.next) ? form.next : "/account"
            do {
                _ = try await security.stepUp(password: form.password, totpCode: Self.blank(form.totpCode), context: caller)
            } catch let error as ApiError where error.status == .unauthorized || error.status == .tooManyRequests {
                return web.redirect(next + "?reauth=failed")
            }
            return web.redirect(next)
        }
        pages.form("account/mfa/recovery-codes", .manageOwnSecurity, CSRFField.self) { _, _, caller in
            try security.requireRecentAuthentication(caller)
            let account = try await controller.account(caller)
            var values = web.frame(caller, account: account, title: "New recovery codes")
            values["codes"] = try await mfa.regenerateRecoveryCodes(account: account, audit: AuditContext(caller))
            values["regenerated"] = true
            return try web.page("account/mfa-done", values)
        }
        pages.page("account/email", .manageOwnSecurity) { _, caller in
            try await emailPage(caller, form: [:], errors: [:], sent: false, status: .ok)
        }
        pages.form("account/email", .manageOwnSecurity, EmailForm.self) { form, _, caller in
            do {
                let renewed = try await security.stepUp(password: form.password, totpCode: Self.blank(form.totpCode), context: caller)
                try await security.requestEmailChange(to: form.email, context: renewed)
                return try await emailPage(caller, form: [:], errors: [:], sent: true, status: .accepted)
            } catch let error as ApiError where [.unauthorized, .tooManyRequests, .unprocessableContent].contains(error.status) {
                let errors = error.status == .unprocessableContent ? WebSupport.fieldErrors(error.fieldErrors)
                    : ["password": "Your password or code was not accepted."]
                return try await emailPage(caller, form: ["email": form.email], errors: errors, sent: false, status: error.status)
            }
        }
        pages.form("account/email/confirm", .manageOwnSecurity, CodeForm.self) { form, _, caller in
            do {
                try await security.confirmEmailChange(token: form.token.trimmingCharacters(in: .whitespaces), context: caller)
            } catch let error as ApiError where error.status == .badRequest || error.status == .conflict {
                return try await emailPage(caller, form: ["token": form.token], errors: ["token": WebSupport.sentence(error.title)], sent: true, status: error.status)
            }
            return web.redirect("/account")
        }
        pages.form("account/mfa/disable", .manageOwnSecurity, StepUpForm.self) { form, _, caller in
            do {
                let renewed = try await security.stepUp(password: form.password, totpCode: Self.blank(form.totpCode), context: caller)
                try await mfa.disable(account: try await controller.account(renewed), audit: AuditContext(renewed))
            } catch let error as ApiError where error.status == .unauthorized || error.status == .tooManyRequests {
                var values = web.frame(caller, account: try await controller.account(caller), title: "Two-factor authentication",
                                       error: "Your password or code was not accepted; two-factor authentication is still on.")
                values["enabled"] = true
                return try web.page("account/security", values, status: error.status)
            }
            return web.redirect("/account/security")
        }
    }

    func emailPage(_ caller: AuthenticatedContext, form: [String: String], errors: [String: String], sent: Bool, status: HTTPResponse.Status) async throws -> Response {
        let account = try await controller.account(caller)
        var values = web.frame(caller, account: account, title: "Change your email")
        values["form"] = form
        values["errors"] = errors
        values["sent"] = sent
        values["current"] = account.email
        return try web.page("account/email", values, status: status)
    }

    /// The confirmation form a page shows instead of its sensitive buttons when the session's
    /// last authentication is older than five minutes; nil when it is recent.
    func reauthForm(_ caller: AuthenticatedContext, _ request: Request, next: String, mfa: Bool, why: String) -> [String: Any]? {
        guard (try? security.requireRecentAuthentication(caller)) == nil else { return nil }
        return ["next": next, "code": mfa, "why": why, "failed": request.uri.queryParameters["reauth"] == "failed"]
    }

    /// Why this account must enrol before anything else, if it must.
    static func requiredNotice(_ account: Account, _ caller: AuthenticatedContext) -> String? {
        guard account.role.requiresMFA, !caller.principal.secondFactor else { return nil }
        return account.role.isStaff ? "Staff accounts must use two-factor authentication. Set it up to open the staff console."
            : "Installer accounts must use two-factor authentication, since installers see customers' home addresses. Set it up to see your jobs."
    }

    static func blank(_ text: String?) -> String? {
        text.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) }
    }
}
