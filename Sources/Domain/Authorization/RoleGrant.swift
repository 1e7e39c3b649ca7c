public import Foundation

/// A staff role given to an account, under a two-person rule: one administrator asks, another
/// approves within `approvalWindow`, never for their own request and never for their own
/// account. Creating a staff account asks for its role the same way; the account stays locked
/// until the approval.
public struct RoleGrant: Sendable, Equatable {
    public var id: UUID
    public var accountID: UUID
    /// The account's role when the grant was asked for; the approval applies only while it still is.
    public var fromRole: Role
    public var toRole: Role
    /// The account was created by this request and stays locked until it is approved.
    public var createsAccount: Bool
    public var requestedBy: UUID
    public var requestedAt: Date
    public var approvedBy: UUID?
    public var approvedAt: Date?

    /// A request not approved within this time lapses and must be asked for again.
    public static let approvalWindow: TimeInterval = 24 * 3600

    public init(id: UUID, accountID: UUID, fromRole: Role, toRole: Role, createsAccount: Bool, requestedBy: UUID,
                requestedAt: Date, approvedBy: UUID? = nil, approvedAt: Date? = nil) {
        self.id = id
        self.accountID = accountID
        self.fromRole = fromRole
        self.toRole = toRole
        self.createsAccount = createsAccount
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.approvedBy = approvedBy
        self.approvedAt = approvedAt
    }

    public var expiresAt: Date { requestedAt.addingTimeInterval(Self.approvalWindow) }

    /// Granting or raising a staff role needs a second administrator; so does anything for an
    /// account whose creation is still waiting for one. Other changes (to installer or customer) apply at once.
    public static func needsApproval(to role: Role, creationPending: Bool) -> Bool {
        role.isStaff || creationPending
    }

    /// Why an approval is refused. The first two are the two-person rule (HTTP 403); the rest
    /// are the grant's state (HTTP 409).
    public enum Refusal: String, Sendable, Equatable {
        case notAdministrator = "only administrators approve role grants"
        case ownRequest = "nobody approves their own request"
        case ownAccount = "nobody approves a role for their own account"
        case alreadyApproved = "already approved"
        case expired = "the request has expired"
        case stale = "the account's role changed since the request"

        public var isConflict: Bool { self == .alreadyApproved || self == .expired || self == .stale }
    }

    /// Why `approver` may not approve this grant now for an account whose role is `currentRole`, or nil.
    public func refusal(by approver: Principal, currentRole: Role, at now: Date) -> Refusal? {
        guard approver.role == .admin else { return .notAdministrator }
        guard approver.accountID != requestedBy else { return .ownRequest }
        guard approver.accountID != accountID else { return .ownAccount }
        guard approvedAt == nil else { return .alreadyApproved }
        guard now <= expiresAt else { return .expired }
        guard currentRole == fromRole else { return .stale }
        return nil
    }

    public func isOpen(at now: Date) -> Bool { approvedAt == nil && now <= expiresAt }
}
