public import Foundation

/// A single-use refresh token of an API session (stored as a hash).
public struct RefreshTokenRecord: Sendable, Equatable {
    public var id: UUID
    public var sessionID: UUID
    public var tokenHash: String
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?

    public init(id: UUID, sessionID: UUID, tokenHash: String, createdAt: Date, expiresAt: Date, usedAt: Date? = nil) {
        self.id = id
        self.sessionID = sessionID
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }
}

/// An account's TOTP enrolment. The secret is stored encrypted (`FieldCipher`).
public struct TOTPRecord: Sendable, Equatable {
    public var accountID: UUID
    public var secretCiphertext: String
    public var confirmedAt: Date?
    /// The last time step accepted; codes of this step or earlier are replays.
    public var lastUsedStep: Int64
    public var createdAt: Date

    public init(accountID: UUID, secretCiphertext: String, confirmedAt: Date?, lastUsedStep: Int64, createdAt: Date) {
        self.accountID = accountID
        self.secretCiphertext = secretCiphertext
        self.confirmedAt = confirmedAt
        self.lastUsedStep = lastUsedStep
        self.createdAt = createdAt
    }
}

/// Failed-login bookkeeping for one key (an account's email hash or a client address).
public struct ThrottleRecord: Sendable, Equatable {
    public var key: String
    public var failures: Int
    public var lockedUntil: Date?
    public var lastFailureAt: Date

    public init(key: String, failures: Int, lockedUntil: Date?, lastFailureAt: Date) {
        self.key = key
        self.failures = failures
        self.lockedUntil = lockedUntil
        self.lastFailureAt = lastFailureAt
    }
}

/// What a one-time token proves.
public enum OneTimePurpose: String, Sendable {
    case verifyEmail = "verify_email"
    case resetPassword = "reset_password"
    /// A login from a device the account has not used: a six-digit code sent by email.
    case loginCode = "login_code"
    /// An account an administrator created: its owner chooses the first password (72 hours, once).
    case invitation
}

/// A message waiting in the outbox; recipient and payload are encrypted.
public struct OutboxEmail: Sendable, Equatable {
    public var id: UUID
    public var template: OneTimePurpose
    public var recipientCiphertext: String
    public var payloadCiphertext: String
    public var createdAt: Date
    public var sentAt: Date?
    public var attempts: Int

    public init(id: UUID, template: OneTimePurpose, recipientCiphertext: String, payloadCiphertext: String,
                createdAt: Date, sentAt: Date? = nil, attempts: Int = 0) {
        self.id = id
        self.template = template
        self.recipientCiphertext = recipientCiphertext
        self.payloadCiphertext = payloadCiphertext
        self.createdAt = createdAt
        self.sentAt = sentAt
        self.attempts = attempts
    }
}
