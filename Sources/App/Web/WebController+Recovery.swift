import Domain
import Foundation
import HTTPTypes
import Hummingbird

/// Password reset and email confirmation pages. The reset request looks the same whether or
/// not the address has an account.
extension WebController {
    var recovery: RecoveryService { RecoveryService(services: services) }

    func passwordPages(_ router: Router<AppRequestContext>) {
        router.get("password/forgot") { _, context in
            try web.page("forgot", web.frame(context, account: nil, title: "Reset your password"))
        }
        router.post("password/forgot") { request, context in
            let form = try await web.form(EmailForm.self, request, context: context)
            var values = web.frame(context, account: nil, title: "Reset your password")
            do {
                try await recovery.requestReset(email: form.email, audit: AuditContext(context))
                values["sent"] = true
                return try web.page("forgot", values, status: .accepted)
            } catch let error as ApiError where error.status == .unprocessableContent {
                values["form"] = ["email": form.email]
                values["errors"] = WebSupport.fieldErrors(error.fieldErrors)
                return try web.page("forgot", values, status: error.status)
            }
        }
        router.get("password/reset") { _, context in
            var values = web.frame(context, account: nil, title: "Choose a new password")
            values["rules"] = Self.passwordRules
            return try web.page("reset", values)
        }
        router.post("password/reset") { request, context in
            let form = try await web.form(ResetForm.self, request, context: context)
            do {
                try await recovery.confirmReset(token: form.token.trimmingCharacters(in: .whitespaces), newPassword: form.password, audit: AuditContext(context))
            } catch let error as ApiError where [.badRequest, .unprocessableContent].contains(error.status) {
                var values = web.frame(context, account: nil, title: "Choose a new password")
                values["rules"] = Self.passwordRules
                values["form"] = ["token": form.token]
                values["errors"] = error.fieldErrors.isEmpty ? ["token": WebSupport.sentence(error.title)]
                    : WebSupport.fieldErrors(error.fieldErrors.map { FieldError($0.field == "newPassword" ? "password" : $0.field, $0.message) })
                return try web.page("reset", values, status: error.status)
            }
            var values = web.frame(context, account: nil, title: "Log in")
            values["notice"] = "Your password was changed and every session was signed out. Log in with the new password."
            return try web.page("login", values)
        }
        router.get("invitation") { _, context in
            var values = web.frame(context, account: nil, title: "Accept your invitation")
            values["rules"] = Self.passwordRules
            return try web.page("invitation", values)
        }
        router.post("invitation") { request, context in
            let form = try await web.form(ResetForm.self, request, context: context)
            do {
                try await InvitationService(services: services).accept(token: form.token.trimmingCharacters(in: .whitespaces), password: form.password,
                                                                      audit: AuditContext(context))
            } catch let error as ApiError where [.badRequest, .unprocessableContent].contains(error.status) {
                var values = web.frame(context, account: nil, title: "Accept your invitation")
                values["rules"] = Self.passwordRules
                values["form"] = ["token": form.token]
                values["errors"] = error.fieldErrors.isEmpty ? ["token": WebSupport.sentence(error.title)] : WebSupport.fieldErrors(error.fieldErrors)
                return try web.page("invitation", values, status: error.status)
            }
            var values = web.frame(context, account: nil, title: "Log in")
            values["notice"] = "Your password is set. Log in with it; you will then set up two-factor authentication."
            return try web.page("login", values)
        }
        router.get("verify-email") { _, context in
            try web.page("verify", web.frame(context, account: nil, title: "Confirm your email"))
        }
        router.post("verify-email") { request, context in
            let form = try await web.form(TokenForm.self, request, context: context)
            var values = web.frame(context, account: nil, title: "Confirm your email")
            do {
                try await recovery.verifyEmail(token: form.token.trimmingCharacters(in: .whitespaces), audit: AuditContext(context))
                values["done"] = true
                return try web.page("verify", values)
            } catch let error as ApiError where error.status == .badRequest {
                values["form"] = ["token": form.token]
                values["errors"] = ["token": WebSupport.sentence(error.title)]
                return try web.page("verify", values, status: error.status)
            }
        }
    }
}
