import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// The admin's staff accounts page: create accounts, change roles (step-up), and approve the
/// staff roles another administrator asked for (two-person rule, within 24 hours, step-up).
struct WebAccountAdminRoutes {
    let controller: WebController
    var web: WebSupport { controller.web }
    var services: AppServices { controller.services }

    struct AccountForm: Decodable, Sendable { var name: String; var email: String; var phone: String; var role: String }
    struct RoleForm: Decodable, Sendable { var role: String; var password: String; var totpCode: String? }
    struct StepUpForm: Decodable, Sendable { var password: String; var totpCode: String? }

    static let blankForm = ["role": Role.support.rawValue]
    static let approvalNotice = "Another administrator must approve it within 24 hours; until then nothing changes."

    func endpoints(_ pages: RouterGroup<AuthenticatedContext>) {
        pages.page("admin/accounts", .createAccount) { _, caller in
            try await accountsPage(caller, form: Self.blankForm, errors: [:], status: .ok)
        }
        pages.form("admin/accounts", .createAccount, AccountForm.self) { form, _, caller in
            let fields = ["name": form.name, "email": form.email, "phone": form.phone, "role": form.role]
            do {
                guard let role = Role(rawValue: form.role) else { throw ApiError.validation([FieldError("role", "choose a role")]) }
                let created = try await OversightService(services: services).createAccount(
                    CreateAccountRequest(email: form.email, name: form.name, phone: form.phone, role: role), context: caller)
                let notice = created.grant == nil
                    ? "Created \(created.account.email) as \(role.rawValue) and emailed the invitation (valid 72 hours)."
                    : "Created \(created.account.email), locked until the \(role.rawValue) role is approved, and emailed the invitation (valid 72 hours). \(Self.approvalNotice) They set up two-factor authentication at first login."
                return try await accountsPage(caller, form: Self.blankForm, errors: [:], notice: notice, status: created.grant == nil ? .created : .accepted)
            } catch let error as ApiError where error.status == .unprocessableContent || error.status == .conflict {
                return try await accountsPage(caller, form: fields, errors: WebSupport.fieldErrors(error.fieldErrors),
                                              message: error.fieldErrors.isEmpty ? error.title : nil, status: error.status)
            }
        }
        pages.form("admin/accounts/:id/role", .changeRole, RoleForm.self) { form, _, caller in
            guard let role = Role(rawValue: form.role) else { throw ApiError.malformedBody }
            guard let renewed = try await stepUp(form.password, form.totpCode, caller) else {
                return try await accountsPage(caller, form: Self.blankForm, errors: [:],
                                              message: "Your password or code was not accepted; the role was not changed.", status: .unauthorized)
            }
            do {
                let outcome = try await AccountSecurityService(services: services).changeRole(of: try caller.uuid("id"), to: role, context: renewed)
                let notice = switch outcome {
                case .changed: "The role was changed to \(role.rawValue)."
                case .requested: "The change to \(role.rawValue) is requested. \(Self.approvalNotice)"
                }
                return try await accountsPage(caller, form: Self.blankForm, errors: [:], notice: notice, status: .ok)
            } catch let error as ApiError where error.status == .conflict {
                return try await accountsPage(caller, form: Self.blankForm, errors: [:], message: error.title, status: error.status)
            }
        }
        pages.form("admin/role-grants/:id/approve", .approveRoleGrant, StepUpForm.self) { form, _, caller in
            guard let renewed = try await stepUp(form.password, form.totpCode, caller) else {
                return try await accountsPage(caller, form: Self.blankForm, errors: [:],
                                              message: "Your password or code was not accepted; nothing was approved.", status: .unauthorized)
            }
            do {
                let grant = try await RoleGrantService(services: services).approve(try caller.uuid("id"), context: renewed)
                return try await accountsPage(caller, form: Self.blankForm, errors: [:],
                                              notice: "Approved: the account now has the \(grant.toRole.rawValue) role.", status: .ok)
            } catch let error as ApiError where error.status == .conflict || error.status == .forbidden {
                return try await accountsPage(caller, form: Self.blankForm, errors: [:], message: error.title, status: error.status)
            }
        }
    }

    /// Password and code again (step-up); nil when they are not accepted.
    func stepUp(_ password: String, _ code: String?, _ caller: AuthenticatedContext) async throws -> AuthenticatedContext? {
        do {
            return try await AccountSecurityService(services: services).stepUp(password: password, totpCode: code.flatMap { $0.isEmpty ? nil : $0 }, context: caller)
        } catch let error as ApiError where error.status == .unauthorized || error.status == .tooManyRequests {
            return nil
        }
    }

    func accountsPage(_ caller: AuthenticatedContext, form: [String: String], errors: [String: String], message: String? = nil,
                      notice: String? = nil, status: HTTPResponse.Status) async throws -> Response {
        let review = try await staffReview(services: services)
        let open = try await RoleGrantService(services: services).open()
        let now = services.now()
        var values = web.frame(caller, account: try await controller.account(caller), title: "Accounts", error: message)
        values["notice"] = notice
        values["form"] = form
        values["errors"] = errors
        values["rules"] = WebController.passwordRules
        let creatable = Role.allCases.filter { $0 != .customer }
        values["roles"] = creatable.map { ["value": $0.rawValue, "selected": $0.rawValue == form["role"]] }
        values["staff"] = review.staff.map { s in
            ["id": s.id.uuidString.lowercased(), "email": s.email, "role": s.role.rawValue, "mfa": s.mfaEnabled, "locked": s.locked,
             "lastLogin": s.lastLoginAt.map(WebSupport.minute) ?? "never", "self": s.id == caller.principal.accountID,
             "roleChoices": creatable.map { ["value": $0.rawValue, "selected": $0 == s.role] }] as [String: Any]
        }
        values["hasGrants"] = !open.isEmpty
        values["grants"] = open.map { item in
            let g = item.grant
            let refusal = g.refusal(by: caller.principal, currentRole: g.fromRole, at: now)
            return ["id": g.id.uuidString.lowercased(), "account": item.account, "requester": item.requester,
                    "change": g.createsAccount ? "new \(g.toRole.rawValue) account" : "\(g.fromRole.rawValue) → \(g.toRole.rawValue)",
                    "requested": WebSupport.minute(g.requestedAt), "expires": WebSupport.minute(g.expiresAt),
                    "canApprove": refusal == nil, "why": refusal?.rawValue ?? ""] as [String: Any]
        }
        return try web.page("admin/accounts", values, status: status)
    }
}
