public import Domain
public import Foundation

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
    /// Marks the session revoked; returns whether it was active.
    @discardableResult
    func revokeSession(id: UUID, at: Date) throws -> Bool

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
    /// Moves every open offer of an order except `keeping` to `status`.
    func closeOpenOffers(orderID: UUID, keeping: UUID?, status: OfferStatus) throws

    // Audit
    func appendAudit(_ event: AuditEvent) throws
    func auditEvents(limit: Int, offset: Int) throws -> [AuditEvent]
}
