public import Foundation

/// Temporary access to customer data for an engineer (incident work), under a two-person
/// rule: another engineer or an admin approves it, never the requester; it ends by itself.
public struct BreakGlassGrant: Sendable, Equatable {
    public var id: UUID
    public var engineerID: UUID
    public var reason: String
    public var duration: TimeInterval
    public var requestedAt: Date
    public var approvedBy: UUID?
    public var approvedAt: Date?
    public var expiresAt: Date?

    /// Longest grant: one hour.
    public static let maximumDuration: TimeInterval = 3600
    /// A request not approved within this time can no longer be approved.
    public static let approvalWindow: TimeInterval = 3600

    public init(id: UUID, engineerID: UUID, reason: String, duration: TimeInterval, requestedAt: Date,
                approvedBy: UUID? = nil, approvedAt: Date? = nil, expiresAt: Date? = nil) {
        self.id = id
        self.engineerID = engineerID
        self.reason = reason
        self.duration = duration
        self.requestedAt = requestedAt
        self.approvedBy = approvedBy
        self.approvedAt = approvedAt
        self.expiresAt = expiresAt
    }

    public func isActive(at now: Date) -> Bool {
        approvedAt != nil && (expiresAt.map { now < $0 } ?? false)
    }

    /// Why `approver` may not approve this grant now, or nil when they may.
    public func approvalProblem(by approver: Principal, at now: Date) -> String? {
        guard approver.role == .engineer || approver.role == .admin else { return "only engineers and admins approve" }
        guard approver.accountID != engineerID else { return "nobody approves their own request" }
        guard approvedAt == nil else { return "already approved" }
        guard now.timeIntervalSince(requestedAt) <= Self.approvalWindow else { return "the request has expired" }
        return nil
    }
}
