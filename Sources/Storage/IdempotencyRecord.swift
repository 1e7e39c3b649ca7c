public import Foundation

/// A retried write's first outcome, per account and `Idempotency-Key`. `status` and `body` stay
/// empty while the first request is still running; the body is stored encrypted (`FieldCipher`).
public struct IdempotencyRecord: Sendable, Equatable {
    public var accountID: UUID
    public var key: String
    /// SHA-256 (hex) of the method, path and body of the first request.
    public var fingerprint: String
    public var status: Int?
    public var bodyCiphertext: String?
    public var createdAt: Date
    public var expiresAt: Date

    public init(accountID: UUID, key: String, fingerprint: String, status: Int? = nil, bodyCiphertext: String? = nil,
                createdAt: Date, expiresAt: Date) {
        (self.accountID, self.key, self.fingerprint, self.status) = (accountID, key, fingerprint, status)
        (self.bodyCiphertext, self.createdAt, self.expiresAt) = (bodyCiphertext, createdAt, expiresAt)
    }
}
