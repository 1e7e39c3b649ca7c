import Domain
import Foundation
import SolarSecurity
import Storage

/// Realistic data for `make bench`, written through the store (not over HTTP): customers,
/// installers around Madrid, orders with encrypted sites and quotes, and a chained audit trail.
/// Every account shares one password (one Argon2id hash, so seeding takes seconds, not hours);
/// the support and admin accounts get a known TOTP secret so the harness can log them in.
/// Refused in production (`solar bench seed`).
public struct BenchmarkSeed: Sendable {
    public struct Plan: Sendable {
        public var customers = 10_000
        public var orders = 100_000
        public var installers = 200
        public var auditEvents = 100_000
        /// Orders of the first customer, the one the list scenario reads.
        public var ordersOfFirstCustomer = 50
        public init() {}
    }

    /// What the harness needs to drive the server.
    public struct Result: Codable, Sendable {
        public var customerEmail: String
        public var supportEmail: String
        public var adminEmail: String
        public var totpSecret: String
        public var searchEmail: String
        public var accounts: Int
        public var orders: Int
        public var auditEvents: Int
    }

    let services: AppServices
    public init(services: AppServices) { self.services = services }

    public func run(_ plan: Plan, password: String, batch: Int = 1_000) async throws -> Result {
        let hash = try await services.hasher.hash(password)
        let secret = TOTP.generateSecret()
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        let pricing = PricingRules()
        @Sendable func customer(_ i: Int) -> Account {
            Account(id: Self.uuid(1, i), email: "bench-c\(i)@bench.example", name: "Bench Customer \(i)",
                    phone: String(format: "+3460%07d", i), role: .customer, passwordHash: hash, createdAt: start.addingTimeInterval(Double(i)))
        }
        let installers = (0..<plan.installers).map { i in
            Account(id: Self.uuid(2, i), email: "bench-i\(i)@bench.example", name: "Bench Installer \(i)",
                    phone: String(format: "+3461%07d", i), role: .installer, passwordHash: hash, createdAt: start)
        }
        let staff = [Account(id: Self.uuid(3, 0), email: "bench-support@bench.example", name: "Bench Support", phone: "+34620000000",
                             role: .support, passwordHash: hash, createdAt: start),
                     Account(id: Self.uuid(3, 1), email: "bench-admin@bench.example", name: "Bench Admin", phone: "+34620000001",
                             role: .admin, passwordHash: hash, createdAt: start)]
        let mfa = MFAService(services: services)
        try await services.store.write { db in
            for a in installers + staff { try db.insertAccount(a) }
            for (n, a) in installers.enumerated() {
                let centre = GeoPoint(latitude: 40.2 + Double(n % 20) * 0.03, longitude: -3.9 + Double(n / 20) * 0.05)
                try db.saveInstallerProfile(InstallerProfile(installerID: a.id, serviceArea: ServiceArea(centre: centre, radiusKm: 40),
                                                             available: true, certifications: ["NABCEP PV"], updatedAt: start))
            }
            for a in staff {
                try db.saveTOTP(TOTPRecord(accountID: a.id, secretCiphertext: try services.cipher.encrypt(Base32.encode(secret), context: mfa.context(a.id)),
                                           confirmedAt: start, lastUsedStep: 0, createdAt: start))
            }
        }
        for lower in stride(from: 0, to: plan.customers, by: batch) {
            try await services.store.write { db in
                for i in lower..<min(lower + batch, plan.customers) { try db.insertAccount(customer(i)) }
            }
        }
        // Dispatching lasts minutes in real life: one order in a thousand waits for an installer
        // (a sixth, as an earlier seed had, kept the dispatch sweeper busy throughout the run).
        let statuses: [OrderStatus] = [.quoted, .scheduled, .completed, .completed, .cancelled]
        for lower in stride(from: 0, to: plan.orders, by: batch) {
            try await services.store.write { db in
                for n in lower..<min(lower + batch, plan.orders) {
                    // The first customer gets `ordersOfFirstCustomer`; the rest spread over everyone else.
                    let owner = n < plan.ordersOfFirstCustomer ? 0 : 1 + n % max(1, plan.customers - 1)
                    let status = n % 1000 == 999 ? .dispatching : statuses[n % statuses.count]
                    let spec = InstallationSpec(systemSizeDeciKw: 30 + n % 90, panelCount: 8 + n % 30, roofType: .tile)
                    let at = start.addingTimeInterval(Double(n) * 60)
                    try db.insertOrder(Order(
                        id: Self.uuid(4, n), customerID: Self.uuid(1, owner), status: status,
                        address: Address(line1: "Calle Bench \(n)", line2: nil, city: "Madrid", region: "Madrid",
                                         postalCode: String(format: "28%03d", n % 1000), country: "ES"),
                        location: GeoPoint(latitude: 40.3 + Double(n % 100) * 0.002, longitude: -3.8 + Double(n % 97) * 0.002),
                        spec: spec, preferredDate: nil, notes: n % 3 == 0 ? "Gate code \(n % 10_000)" : nil, quote: pricing.quote(for: spec),
                        installerID: [.scheduled, .completed].contains(status) ? installers[n % installers.count].id : nil,
                        scheduledDate: nil, createdAt: at, updatedAt: at))
                }
            }
        }
        for lower in stride(from: 0, to: plan.auditEvents, by: batch) {
            try await services.store.write { db in
                for n in lower..<min(lower + batch, plan.auditEvents) {
                    try db.appendAudit(AuditEvent(occurredAt: start.addingTimeInterval(Double(n)), actorID: Self.uuid(1, n % plan.customers),
                                                  actorRole: .customer, action: n % 2 == 0 ? "order.create" : "auth.login",
                                                  targetType: "account", targetID: Self.uuid(1, n % plan.customers), outcome: .success,
                                                  clientIP: "10.0.\(n % 250).\(n % 200)", requestID: "bench-\(n)", detail: "seed"))
                }
            }
        }
        return Result(customerEmail: customer(0).email, supportEmail: staff[0].email, adminEmail: staff[1].email, totpSecret: Base32.encode(secret),
                      searchEmail: customer(plan.customers / 2).email, accounts: plan.customers + plan.installers + staff.count,
                      orders: plan.orders, auditEvents: plan.auditEvents)
    }

    /// Deterministic ids, so a seeded database is the same every run.
    static func uuid(_ kind: Int, _ n: Int) -> UUID {
        UUID(uuidString: String(format: "%08x-0000-4000-8000-%012x", kind, n))!
    }
}
