public import Foundation

/// Where a session was created: the mobile API (bearer token) or the web (cookie).
public enum SessionKind: String, Sendable, CaseIterable {
    case api
    case web
}

/// A server-side session: one login on one device. The secret token itself is never stored,
/// only its SHA-256. For the API, `tokenHash` is the current access token's hash; it rotates
/// with every refresh while the session id stays the same.
public struct SessionRecord: Sendable, Equatable {
    public var id: UUID
    public var tokenHash: String
    public var accountID: UUID
    public var kind: SessionKind
    public var createdAt: Date
    /// When the presented token stops working (API: the 15-minute access token; web: the session).
    public var expiresAt: Date
    public var lastSeenAt: Date
    public var revokedAt: Date?
    /// The end of the session however active it is (absolute timeout).
    public var absoluteExpiresAt: Date
    /// The second factor was verified at login.
    public var mfaVerified: Bool
    /// Last step-up re-authentication.
    public var reauthenticatedAt: Date?
    public var userAgent: String?
    public var clientIP: String?

    public init(
        id: UUID, tokenHash: String, accountID: UUID, kind: SessionKind, createdAt: Date, expiresAt: Date,
        lastSeenAt: Date, revokedAt: Date? = nil, absoluteExpiresAt: Date? = nil, mfaVerified: Bool = false,
        reauthenticatedAt: Date? = nil, userAgent: String? = nil, clientIP: String? = nil
    ) {
        self.id = id
        self.tokenHash = tokenHash
        self.accountID = accountID
        self.kind = kind
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastSeenAt = lastSeenAt
        self.revokedAt = revokedAt
        self.absoluteExpiresAt = absoluteExpiresAt ?? expiresAt
        self.mfaVerified = mfaVerified
        self.reauthenticatedAt = reauthenticatedAt
        self.userAgent = userAgent
        self.clientIP = clientIP
    }

    /// When the caller last proved knowledge of the password (login or step-up).
    public var lastAuthenticatedAt: Date { max(createdAt, reauthenticatedAt ?? createdAt) }
}
