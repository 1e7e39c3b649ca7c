public import Foundation

/// How an audited attempt ended.
public enum AuditOutcome: String, Sendable, Codable, CaseIterable {
    case success
    case failure
    case denied
}

/// One security-relevant event. It never holds passwords, tokens or full personal data:
/// accounts are named by id, never by email, name or phone.
public struct AuditEvent: Sendable, Equatable {
    public var id: UUID
    public var occurredAt: Date
    public var actorID: UUID?
    public var actorRole: Role?
    /// A stable dotted name such as `auth.login` or `order.transition`.
    public var action: String
    public var targetType: String?
    public var targetID: UUID?
    public var outcome: AuditOutcome
    public var clientIP: String?
    public var requestID: String?
    /// Short non-personal detail, e.g. `quoted->accepted` or a staff member's reason.
    public var detail: String?

    public init(
        id: UUID = UUID.random(), occurredAt: Date, actorID: UUID?, actorRole: Role?, action: String,
        targetType: String? = nil, targetID: UUID? = nil, outcome: AuditOutcome,
        clientIP: String? = nil, requestID: String? = nil, detail: String? = nil
    ) {
        self.id = id
        self.occurredAt = occurredAt
        self.actorID = actorID
        self.actorRole = actorRole
        self.action = action
        self.targetType = targetType
        self.targetID = targetID
        self.outcome = outcome
        self.clientIP = clientIP
        self.requestID = requestID
        self.detail = detail
    }
}
