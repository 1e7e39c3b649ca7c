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

    func stepUpEndpoints(_ pages: RouterGroup<AuthenticatedContext>) {
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

    static func blank(_ text: String?) -> String? {
        text.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) }
    }
}
