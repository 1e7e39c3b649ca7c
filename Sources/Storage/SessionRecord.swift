public import Foundation

/// Where a session was created: the mobile API (bearer token) or the web (cookie).
public enum SessionKind: String, Sendable, CaseIterable {
    case api
    case web
}

/// A server-side session. The secret token itself is never stored, only its SHA-256.
public struct SessionRecord: Sendable, Equatable {
    public var id: UUID
    public var tokenHash: String
    public var accountID: UUID
    public var kind: SessionKind
    public var createdAt: Date
    public var expiresAt: Date
    public var lastSeenAt: Date
    public var revokedAt: Date?

    public init(
        id: UUID, tokenHash: String, accountID: UUID, kind: SessionKind,
        createdAt: Date, expiresAt: Date, lastSeenAt: Date, revokedAt: Date? = nil
    ) {
        self.id = id
        self.tokenHash = tokenHash
        self.accountID = accountID
        self.kind = kind
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastSeenAt = lastSeenAt
        self.revokedAt = revokedAt
    }
}
