public import Domain
public import Foundation
public import SolarSecurity

/// The storage interface every driver implements. Work happens in transactions:
/// `write` commits everything its body did, or nothing when the body throws.
public protocol Store: Sendable {
    /// Runs `body` in a read transaction.
    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreAccess) throws -> T) async throws -> T
    /// Runs `body` in a read-write transaction.
    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreAccess) throws -> T) async throws -> T
    /// Throws unless the database answers.
    func ping() async throws
    /// Applies pending migrations; returns the versions applied.
    func migrate() async throws -> [Int]
    /// True when the schema is current.
    func isMigrated() async throws -> Bool
    /// The database settings the platform relies on, checked (`solar doctor`).
    func diagnostics() async throws -> [Diagnostic]
    /// Recomputes the audit hash chain and MACs and compares its end with the chain head;
    /// reports the first broken entry.
    func verifyAuditChain() async throws -> AuditChainReport
    /// Compares the chain with an exported audit stream (events and checkpoints); reports the
    /// first seq where they differ.
    func compareAuditExport(_ export: AuditExport) async throws -> AuditExportReport
    /// A checkpoint of the chain head signed with the audit key, or nil while nothing is chained;
    /// throws `AuditCheckpointError` when the head does not verify.
    func auditCheckpoint(at now: Date) async throws -> AuditCheckpoint?
    /// Releases connections.
    func shutdown() async throws
}

/// The operations available inside a transaction. All of them are parameterized queries.
public protocol StoreAccess {
    // Accounts
    func insertAccount(_ account: Account) throws
    func account(id: UUID) throws -> Account?
    func account(email: String) throws -> Account?
    func searchCustomers(query: String, limit: Int) throws -> [Account]

    // Sessions
    func insertSession(_ session: SessionRecord) throws
    /// The unrevoked, unexpired session with this token hash, and its account.
    func activeSession(tokenHash: String, now: Date) throws -> (SessionRecord, Account)?
    /// Marks the session revoked (and burns its refresh tokens); returns whether it was active.
    @discardableResult
    func revokeSession(id: UUID, at: Date) throws -> Bool
    func session(id: UUID) throws -> SessionRecord?
    /// Unrevoked, unexpired sessions of an account, newest first.
    func activeSessions(accountID: UUID, now: Date) throws -> [SessionRecord]
    /// Revokes every session of the account except `keeping`; returns how many.
    @discardableResult
    func revokeSessions(accountID: UUID, keeping: UUID?, at: Date) throws -> Int
    /// Records activity (idle timeout bookkeeping).
    func touchSession(id: UUID, at: Date) throws
    func markReauthenticated(sessionID: UUID, at: Date) throws
    /// Replaces the access token of an API session.
    func rotateAccessToken(sessionID: UUID, tokenHash: String, expiresAt: Date, at: Date) throws

    // Refresh tokens
    func insertRefreshToken(_ token: RefreshTokenRecord) throws
    func refreshToken(hash: String) throws -> RefreshTokenRecord?
    /// Marks a refresh token used if it was unused; false means it had been used already.
    func useRefreshToken(id: UUID, at: Date) throws -> Bool

    // MFA
    func totp(accountID: UUID) throws -> TOTPRecord?
    func saveTOTP(_ record: TOTPRecord) throws
    func deleteTOTP(accountID: UUID) throws
    /// Moves the last accepted step forward; false when `step` is not newer (a replay).
    func advanceTOTPStep(accountID: UUID, to step: Int64) throws -> Bool
    func replaceRecoveryCodes(accountID: UUID, hashes: [String], at: Date) throws
    /// Uses an unused recovery code; false when unknown or already used.
    func useRecoveryCode(accountID: UUID, hash: String, at: Date) throws -> Bool

    // Throttling
    func throttle(key: String) throws -> ThrottleRecord?
    /// Counts one more failure for each key, atomically even under concurrent failures: the
    /// count restarts at 1 when the key's last failure is not after `windowStart`. Returns the
    /// counts now stored. Call it before any other read of the transaction (see the SQL store).
    func countThrottleFailures(keys: [String], now: Date, windowStart: Date) throws -> [String: Int]
    /// Sets (or, with nil, clears) the lock of a key.
    func setThrottleLock(key: String, until: Date?) throws
    func clearThrottle(key: String) throws

    // Account recovery
    func updatePassword(accountID: UUID, hash: String) throws
    func markEmailVerified(accountID: UUID, at: Date) throws
    func insertOneTimeToken(id: UUID, purpose: OneTimePurpose, accountID: UUID, tokenHash: String, createdAt: Date, expiresAt: Date) throws
    /// The account of an unused, unexpired token, without consuming it.
    func peekOneTimeTokenAccount(hash: String, purpose: OneTimePurpose, now: Date) throws -> UUID?
    /// Consumes an unused, unexpired token; returns its account, or nil.
    func useOneTimeToken(hash: String, purpose: OneTimePurpose, now: Date) throws -> UUID?
    /// Spends every unused token of `purpose` for the account (after a reset or a password
    /// change, no older reset code may work again). Returns how many were spent.
    @discardableResult
    func spendOneTimeTokens(accountID: UUID, purpose: OneTimePurpose, now: Date) throws -> Int
    func insertEmailChange(id: UUID, accountID: UUID, newEmailCiphertext: String, tokenHash: String, createdAt: Date, expiresAt: Date) throws
    /// Consumes an unused, unexpired email-change token of `accountID`; returns the request id and encrypted new address.
    func useEmailChange(hash: String, accountID: UUID, now: Date) throws -> (id: UUID, newEmailCiphertext: String)?
    func updateEmail(accountID: UUID, email: String, verifiedAt: Date) throws
    func updateRole(accountID: UUID, role: Role) throws
    func setLocked(accountID: UUID, at: Date?) throws

    // Staff oversight
    func insertBreakGlass(_ grant: BreakGlassGrant) throws
    func breakGlass(id: UUID) throws -> BreakGlassGrant?
    /// Approves a pending grant conditionally (not approved yet, approver is not the requester).
    func approveBreakGlass(id: UUID, approver: UUID, at: Date, expiresAt: Date) throws -> Bool
    func activeBreakGlass(engineerID: UUID, now: Date) throws -> BreakGlassGrant?
    /// Grants that are pending (requested within `since`) or active at `now`, newest first.
    func openBreakGlassGrants(now: Date, since: Date) throws -> [BreakGlassGrant]
    func insertRoleGrant(_ grant: RoleGrant) throws
    func roleGrant(id: UUID) throws -> RoleGrant?
    /// Requests not yet approved, asked for at or after `since` (the approval window), newest first.
    func openRoleGrants(since: Date) throws -> [RoleGrant]
    /// The account's newest request not yet approved, asked for at or after `since`.
    func openRoleGrant(accountID: UUID, since: Date) throws -> RoleGrant?
    /// Approves once, only by a third person, only within the window: false when any of that fails.
    func approveRoleGrant(id: UUID, approver: UUID, at: Date, requestedSince: Date) throws -> Bool
    /// The account was created by a staff-role request that nobody has approved yet (it stays locked).
    func creationPending(accountID: UUID) throws -> Bool
    func staffAccounts() throws -> [Account]
    /// The newest login (session creation) of an account.
    func lastLogin(accountID: UUID) throws -> Date?
    // Deposits
    func insertPayment(_ payment: DepositPayment) throws
    func payment(orderID: UUID) throws -> DepositPayment?
    func payment(intentID: String) throws -> DepositPayment?
    /// Records a webhook event id; throws `StorageError.conflict` when it was seen before.
    func recordPaymentEvent(id: String, intentID: String, at: Date) throws
    /// Marks a pending payment paid; false when it was not pending.
    func markPaymentSucceeded(id: UUID, at: Date) throws -> Bool

    // Idempotency keys (retried writes)
    /// Retention: deletes sessions and refresh tokens that ended before `endedBefore`, spent or
    /// expired one-time codes and email changes, sent emails, idle login-throttle rows and
    /// expired idempotency keys. Returns rows deleted per table.
    func purgeExpired(now: Date, endedBefore: Date, throttleBefore: Date) throws -> [String: Int]
    /// Retention: erases the site details (street, full postal code, exact location, notes) of
    /// orders completed or cancelled before `endedBefore`; the coarse columns stay for the
    /// sales aggregates and accounting. Returns the orders erased.
    func eraseSiteDetails(endedBefore: Date) throws -> Int
    /// Removes the account's keys that expired at or before `now`.
    func deleteExpiredIdempotencyKeys(accountID: UUID, now: Date) throws
    /// Claims a key; throws `StorageError.conflict` when the account already holds it.
    func insertIdempotencyKey(_ record: IdempotencyRecord) throws
    func idempotencyKey(accountID: UUID, key: String) throws -> IdempotencyRecord?
    func completeIdempotencyKey(accountID: UUID, key: String, status: Int, bodyCiphertext: String) throws
    func deleteIdempotencyKey(accountID: UUID, key: String) throws
    func enqueueEmail(_ email: OutboxEmail) throws
    /// Unsent emails with attempts left, whether or not a dispatcher holds them right now.
    func pendingEmails(limit: Int) throws -> [OutboxEmail]
    /// Unsent emails with attempts left that no dispatcher holds at `now` (no live claim).
    func dueEmails(limit: Int, now: Date) throws -> [OutboxEmail]
    func markEmailSent(id: UUID, at: Date) throws
    /// Claims a due email for one delivery attempt until `until`: counts the attempt only if
    /// nobody has since `attempts` (the value the caller read) and no live claim holds it.
    /// False means another dispatcher (another replica, or a sweep running alongside) has it,
    /// and this one must not send it. The claim lasts past a send, so a dispatcher that read
    /// the email before the claim cannot claim it again while the send is under way.
    func claimEmail(id: UUID, attempts: Int, now: Date, until: Date) throws -> Bool
    /// After a failed send: the email is due again at `retryAt` (a backoff), not at once.
    func deferEmail(id: UUID, until retryAt: Date) throws

    // Installers
    func saveInstallerProfile(_ profile: InstallerProfile) throws
    func installerProfile(installerID: UUID) throws -> InstallerProfile?
    func availableInstallerProfiles() throws -> [InstallerProfile]

    // Orders
    func insertOrder(_ order: Order) throws
    func order(id: UUID) throws -> Order?
    func orders(customerID: UUID, limit: Int, offset: Int) throws -> [Order]
    func orders(installerID: UUID, limit: Int) throws -> [Order]
    /// Takes the order's row lock for the rest of the transaction (all writers lock the order
    /// before its offers, so concurrent dispatch cannot deadlock); false when it does not exist.
    func lockOrder(id: UUID) throws -> Bool
    /// Writes `order` only if the stored status is still `expectedStatus`; returns whether it did.
    func updateOrder(_ order: Order, expectedStatus: OrderStatus) throws -> Bool
    func salesFacts() throws -> [SalesFact]

    // Offers
    func insertOffer(_ offer: Offer) throws
    func offer(id: UUID) throws -> Offer?
    /// Open, unexpired offers for an installer, newest first, with their orders.
    func openOffers(installerID: UUID, now: Date) throws -> [(Offer, Order)]
    /// Atomically takes an open, unexpired offer for its installer; false when it was not open.
    func claimOffer(id: UUID, installerID: UUID, now: Date) throws -> Bool
    /// The installer turns down an open offer of theirs (it becomes `withdrawn`); false when it was not open.
    func declineOffer(id: UUID, installerID: UUID, now: Date) throws -> Bool
    /// Moves every open offer of an order to `status`.
    func closeOpenOffers(orderID: UUID, status: OfferStatus) throws
    /// Every offer of an order, whatever its status, oldest first.
    func offers(orderID: UUID) throws -> [Offer]
    /// Marks the order's open offers whose time ran out by `now` as expired; returns how many.
    func expireOffers(orderID: UUID, now: Date) throws -> Int
    /// Orders still `dispatching` without an open, unexpired offer, in id order after `after`
    /// (pages of `limit`, so a sweep reaches every one of them).
    func ordersAwaitingOffers(now: Date, after: UUID?, limit: Int) throws -> [UUID]

    // Audit
    func appendAudit(_ event: AuditEvent) throws
    /// Audit events newest first, optionally only those whose action starts with `actionPrefix`
    /// and with `outcome`.
    func auditEvents(limit: Int, offset: Int, actionPrefix: String?, outcome: AuditOutcome?) throws -> [AuditEvent]
    /// Audit events newest first, with their sequence, from just below `before` (keyset
    /// paging: the cost is the page's, however deep the page).
    func auditEvents(limit: Int, before: Int64?) throws -> [SequencedAuditEvent]
    /// The newest events the account did or that were done to it.
    func auditEvents(about accountID: UUID, limit: Int) throws -> [AuditEvent]
    /// Erases a customer's account (GDPR Art. 17): the personal data and its ciphertext, the
    /// sessions, second factor, codes and pending requests go; the row stays, locked, with
    /// placeholders, so orders, payments and the audit trail keep their references (the account
    /// id is then a pseudonym). Its orders lose their site details. Returns the orders kept.
    func eraseAccount(id: UUID, at: Date) throws -> Int
}

extension StoreAccess {
    /// Audit events newest first, unfiltered.
    public func auditEvents(limit: Int, offset: Int) throws -> [AuditEvent] {
        try auditEvents(limit: limit, offset: offset, actionPrefix: nil, outcome: nil)
    }
}

/// An audit event with its place in the trail (`seq`), for keyset paging.
public struct SequencedAuditEvent: Sendable, Equatable {
    public var seq: Int64
    public var event: AuditEvent

    public init(seq: Int64, event: AuditEvent) {
        self.seq = seq
        self.event = event
    }
}
