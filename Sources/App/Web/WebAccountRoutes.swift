import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// Account security on the web: two-factor enrolment (mandatory for staff before anything
/// else, optional for customers and installers). The secret is shown once, for the
/// authenticator app; the recovery codes are shown once, after confirmation.
struct WebAccountRoutes {
    let controller: WebController
    var web: WebSupport { controller.web }
    var services: AppServices { controller.services }
    var mfa: MFAService { MFAService(services: services) }

    struct TokenForm: Decodable { var _csrf: String? }
    struct ConfirmForm: Decodable { var _csrf: String?; var code: String }

    func endpoints(_ router: Router<AppRequestContext>) {
        router.get("account/security") { _, context in
            guard let caller = try? AuthenticatedContext(context: context) else { return web.redirect("/login") }
            try caller.requireRole(for: .enrollMFA)
            let me = caller.principal.accountID
            let (account, totp) = try await services.store.read { db in (try db.account(id: me), try db.totp(accountID: me)) }
            guard let account else { return web.redirect("/login") }
            var values = web.frame(context, account: account, title: "Account security")
            values["enabled"] = totp?.confirmedAt != nil ? true : nil
            values["required"] = account.role.isStaff && !caller.principal.secondFactor ? true : nil
            return web.page("accountSecurity", values)
        }
        router.post("account/mfa/start") { request, context in
            let form = try await web.form(TokenForm.self, request, context: context)
            let (caller, account) = try await enrolling(request, context, csrf: form._csrf)
            let enrollment = try await mfa.start(account: account, audit: AuditContext(caller))
            var values = web.frame(context, account: account, title: "Set up two-factor authentication")
            // Groups of four, as authenticator apps show them when typed in by hand.
            let letters = Array(enrollment.secret)
            values["secret"] = stride(from: 0, to: letters.count, by: 4).map { String(letters[$0..<min($0 + 4, letters.count)]) }.joined(separator: " ")
            values["uri"] = enrollment.uri
            return web.page("mfaEnroll", values)
        }
        router.post("account/mfa/confirm") { request, context in
            let form = try await web.form(ConfirmForm.self, request, context: context)
            let (caller, account) = try await enrolling(request, context, csrf: form._csrf)
            do {
                let codes = try await mfa.confirm(account: account, code: form.code.trimmingCharacters(in: .whitespaces), audit: AuditContext(caller))
                var values = web.frame(context, account: account, title: "Recovery codes")
                values["codes"] = codes
                values["relogin"] = account.role.isStaff ? true : nil
                return web.page("mfaDone", values)
            } catch let error as ApiError where error.status == .unprocessableContent || error.status == .conflict {
                var values = web.frame(context, account: account, title: "Account security",
                                       error: "That code did not work. Start again and enter the current code from your app.")
                values["required"] = account.role.isStaff ? true : nil
                return web.page("accountSecurity", values, status: error.status)
            }
        }
    }

    /// The signed-in caller of an enrolment form post (CSRF-checked), and their account.
    func enrolling(_ request: Request, _ context: AppRequestContext, csrf: String?) async throws -> (AuthenticatedContext, Account) {
        let caller = try web.authenticatedPost(request, context: context, csrf: csrf)
        try caller.requireRole(for: .enrollMFA)
        return (caller, try await AccountSecurityService(services: services).account(caller))
    }
}
