public import Foundation

/// A person who can log in: a customer, an installer or a staff member.
public struct Account: Sendable, Equatable {
    public var id: UUID
    /// Normalised (trimmed, lower-cased) email address.
    public var email: String
    public var name: String
    public var phone: String
    public var role: Role
    /// PHC-formatted Argon2id hash; never leaves the server.
    public var passwordHash: String
    public var createdAt: Date
    /// When the owner proved the email address is theirs.
    public var emailVerifiedAt: Date?
    /// Set while support or an admin has locked the account: it cannot log in.
    public var lockedAt: Date?

    public init(id: UUID, email: String, name: String, phone: String, role: Role, passwordHash: String, createdAt: Date,
                emailVerifiedAt: Date? = nil, lockedAt: Date? = nil) {
        self.id = id
        self.email = email
        self.name = name
        self.phone = phone
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.emailVerifiedAt = emailVerifiedAt
        self.lockedAt = lockedAt
    }
}

/// The authenticated caller of a request, as the authorization policy sees it.
public struct Principal: Sendable, Equatable {
    public var accountID: UUID
    public var role: Role
    /// The session's login verified a second factor (TOTP or recovery code).
    public var secondFactor: Bool
    /// An engineer holding an approved, unexpired break-glass grant.
    public var breakGlass: Bool

    public init(accountID: UUID, role: Role, secondFactor: Bool = false, breakGlass: Bool = false) {
        self.accountID = accountID
        self.role = role
        self.secondFactor = secondFactor
        self.breakGlass = breakGlass
    }
}
