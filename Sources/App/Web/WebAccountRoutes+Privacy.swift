import Domain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Storage

/// A copy of one's data and account deletion on the web (`PrivacyService`), behind a
/// confirmation of the password when the session's last authentication is older than 5 minutes.
extension WebAccountRoutes {
    struct DeleteForm: Decodable, Sendable { var confirm: String }

    func privacyEndpoints(_ pages: RouterGroup<AuthenticatedContext>) {
        pages.page("account/privacy", .exportOwnData) { request, caller in
            let account = try await controller.account(caller)
            var values = web.frame(caller, account: account, title: "Your data")
            let mfa = try await services.store.read { db in try db.totp(accountID: account.id)?.confirmedAt != nil }
            values["reauth"] = reauthForm(caller, request, next: "/account/privacy", mfa: mfa, why: "Your data leaves the site only after you confirm it is you.")
            values["canDelete"] = AccessPolicy.decideRole(caller.principal, .deleteOwnAccount) == .allow
            return try web.page("account/privacy", values)
        }
        pages.page("account/export", .exportOwnData) { _, caller in
            let export = try await PrivacyService(services: services).export(context: caller)
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"solardispatch-data.json\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(export))))
        }
        pages.form("account/delete", .deleteOwnAccount, DeleteForm.self) { form, _, caller in
            guard form.confirm == "DELETE" else { throw ApiError.validation([FieldError("confirm", "type DELETE to confirm")]) }
            try await PrivacyService(services: services).deleteAccount(context: caller)
            var response = try web.page("account/deleted", web.frame(session: nil, principal: nil, account: nil, title: "Account deleted", error: nil))
            response.setCookie(web.sessionCookie("", maxAge: 0))
            return response
        }
    }
}
