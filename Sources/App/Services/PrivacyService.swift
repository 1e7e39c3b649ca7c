import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// The data subject's rights on their own account: a copy of their data (GDPR Art. 15, 20) and
/// erasure (Art. 17). Both need a login or step-up within the last 5 minutes, and are audited.
struct PrivacyService: Sendable {
    let services: AppServices
    static let openOrders = ApiError(.conflict, "open-orders", "Cancel or finish your open orders before deleting your account.")
    /// The most recent activity entries a copy carries.
    static let activityLimit = 1000

    /// Everything the platform holds about the caller, decrypted, as JSON.
    func export(context: AuthenticatedContext) async throws -> DataExportDTO {
        try AccountSecurityService(services: services).requireRecentAuthentication(context)
        let me = context.principal.accountID, now = services.now()
        let audit = AuditContext(context)
        let (account, mfa, orders, activity) = try await services.store.write { db in
            guard let account = try db.account(id: me) else { throw ApiError.unauthorized }
            // The caller's own orders. An installer's jobs hold customers' data, not theirs: the
            // installer sees those only within the access window (`InstallerController`).
            let orders = try db.orders(customerID: me, limit: 10_000, offset: 0)
            let data = (account, try db.totp(accountID: me)?.confirmedAt != nil, orders, try db.auditEvents(about: me, limit: Self.activityLimit))
            try db.appendAudit(audit.event("account.export", at: now, target: ("account", me)))
            return data
        }
        let sessions = try await AccountSecurityService(services: services).sessions(context: context)
        return DataExportDTO(
            exportedAt: now,
            account: .init(id: account.id, email: account.email, name: account.name, phone: account.phone, role: account.role,
                           createdAt: account.createdAt, emailVerifiedAt: account.emailVerifiedAt, mfaEnabled: mfa),
            orders: orders.map(OrderDTO.init),
            sessions: sessions,
            // The address of the caller's own requests only: not a staff member's who acted on the account.
            activity: activity.map { .init(occurredAt: $0.occurredAt, action: $0.action, outcome: $0.outcome.rawValue,
                                           clientIp: $0.actorID == me ? $0.clientIP : nil) }
        )
    }

    /// Erases the caller's account (customers; refused while an order is open). The account id
    /// stays as a pseudonym on the kept orders, payments and audit entries.
    func deleteAccount(context: AuthenticatedContext) async throws {
        try AccountSecurityService(services: services).requireRecentAuthentication(context)
        let me = context.principal.accountID, now = services.now()
        let audit = AuditContext(context)
        try await services.store.write { db in
            let orders = try db.orders(customerID: me, limit: 10_000, offset: 0)
            guard orders.allSatisfy({ $0.status == .completed || $0.status == .cancelled }) else { throw Self.openOrders }
            let kept = try db.eraseAccount(id: me, at: now)
            try db.appendAudit(audit.event("account.erase", at: now, target: ("account", me), detail: "orders kept anonymised: \(kept)"))
        }
    }
}

/// `GET /api/v1/me/export`.
struct DataExportDTO: ResponseEncodable {
    struct AccountData: Codable, Sendable {
        var id: UUID
        var email: String
        var name: String
        var phone: String
        var role: Role
        var createdAt: Date
        var emailVerifiedAt: Date?
        var mfaEnabled: Bool
    }

    struct Activity: Codable, Sendable {
        var occurredAt: Date
        var action: String
        var outcome: String
        var clientIp: String?
    }

    var exportedAt: Date
    var account: AccountData
    var orders: [OrderDTO]
    var sessions: [SessionInfoDTO]
    var activity: [Activity]
}
