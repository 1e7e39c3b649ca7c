public import Foundation

/// Everything a caller can try to do. Every route names exactly one action.
public enum Action: String, Sendable, CaseIterable {
    case readOwnAccount
    case enrollMFA
    case manageOwnSecurity
    case createOrder
    case listOwnOrders
    case readOwnOrder
    case acceptQuote
    case cancelOwnOrder
    case manageInstallerProfile
    case listOffers
    case acceptOffer
    case listJobs
    case updateJobStatus
    case searchCustomers
    case readCustomer
    case readAnyOrder
    case updateAnyOrder
    case readSalesSummary
    case readAuditEvents
    case createAccount
    case changeRole
    case approveRoleGrant
    case forceLogout
    case revealCustomerPII
    case lockAccount
    case requestBreakGlass
    case approveBreakGlass
    case reviewStaff
    /// A copy of one's own data (GDPR Art. 15 and 20).
    case exportOwnData
    /// Erasing one's own account (GDPR Art. 17); staff and installers leave through an admin.
    case deleteOwnAccount
}

/// Who the target of an action belongs to, when it belongs to someone.
public enum Ownership: Sendable, Equatable {
    /// The action has no single owned target (lists, searches, creation).
    case none
    /// The target belongs to (or is assigned to) this account.
    case account(UUID?)
}

/// The policy's answer. Denials map to HTTP 403 (wrong role) and 404 (not yours, existence hidden).
public enum Decision: Sendable, Equatable {
    case allow
    case forbidden
    case notFound
    /// A staff session without a verified second factor: it may only enrol MFA (HTTP 403).
    case mfaEnrollmentRequired
}

/// Deny-by-default authorization: the single place that knows which role may do what,
/// and which actions additionally require owning the target.
public enum AccessPolicy {
    /// Roles allowed to attempt each action. An action missing here is denied to everyone.
    public static func allowedRoles(for action: Action) -> Set<Role> {
        switch action {
        case .readOwnAccount, .enrollMFA, .manageOwnSecurity, .exportOwnData: Set(Role.allCases)
        case .deleteOwnAccount: [.customer]
        case .createOrder, .listOwnOrders, .readOwnOrder, .acceptQuote, .cancelOwnOrder: [.customer]
        case .manageInstallerProfile, .listOffers, .acceptOffer, .listJobs, .updateJobStatus: [.installer]
        // Customer data is support's work. Engineers and admins reach it only through an
        // approved, expiring break-glass grant (`breakGlassActions`).
        case .searchCustomers, .readCustomer, .readAnyOrder, .revealCustomerPII: [.support]
        case .updateAnyOrder, .forceLogout, .lockAccount: [.support, .admin]
        case .requestBreakGlass: [.engineer, .admin]
        case .approveBreakGlass: [.engineer, .admin]
        case .reviewStaff: [.admin]
        case .readSalesSummary: [.sales, .admin]
        case .readAuditEvents: [.engineer, .admin]
        // Staff roles also need a second admin's approval (RoleGrant), checked by the service.
        case .createAccount, .changeRole, .approveRoleGrant: [.admin]
        }
    }

    /// What a staff session without a second factor may still do: look at itself, enrol, log out.
    public static let allowedWithoutSecondFactor: Set<Action> = [.readOwnAccount, .enrollMFA]

    /// Actions whose target must belong to the caller.
    static func requiresOwnership(_ action: Action) -> Bool {
        switch action {
        case .readOwnOrder, .acceptQuote, .cancelOwnOrder, .acceptOffer, .updateJobStatus, .manageOwnSecurity: true
        default: false
        }
    }

    /// The checks that do not depend on the target: the role, and for staff the second factor.
    /// Routes apply this before loading anything.
    /// Customer-data actions an engineer or admin may perform during an approved break-glass grant.
    public static let breakGlassActions: Set<Action> = [.searchCustomers, .readCustomer, .readAnyOrder, .revealCustomerPII]

    public static func decideRole(_ principal: Principal, _ action: Action) -> Decision {
        let elevated = principal.role.usesBreakGlass && principal.breakGlass && breakGlassActions.contains(action)
        guard allowedRoles(for: action).contains(principal.role) || elevated else { return .forbidden }
        // MFA is mandatory for staff and installers: without a verified second factor they can only enrol.
        if principal.role.requiresMFA, !principal.secondFactor, !allowedWithoutSecondFactor.contains(action) {
            return .mfaEnrollmentRequired
        }
        return .allow
    }

    /// Decides whether `principal` may perform `action` on a target with `ownership`.
    ///
    /// A caller without the role gets `.forbidden`; a caller with the role asking for
    /// someone else's object gets `.notFound`, so the answer does not reveal that it exists.
    public static func decide(_ principal: Principal, _ action: Action, _ ownership: Ownership = .none) -> Decision {
        let byRole = decideRole(principal, action)
        guard byRole == .allow else { return byRole }
        guard requiresOwnership(action) else { return .allow }
        guard case .account(let owner?) = ownership, owner == principal.accountID else { return .notFound }
        return .allow
    }
}

extension Role {
    /// Staff with no standing access to customer data, who may ask for a break-glass grant.
    public var usesBreakGlass: Bool { self == .engineer || self == .admin }
}
