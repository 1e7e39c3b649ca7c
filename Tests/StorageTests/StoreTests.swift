import Domain
import Foundation
import SQLiteStorage
import Storage
import StorageTesting
import Testing

@Suite("Storage interface, run against every driver")
struct StoreTests {
    @Test("migrations are versioned and idempotent", arguments: TestDriver.available)
    func migrations(_ driver: TestDriver) async throws {
        let (store, _) = try await driver.make()
        #expect(try await store.isMigrated())
        #expect(try await store.migrate().isEmpty)
    }

    @Test("accounts round-trip; email is unique", arguments: TestDriver.available)
    func accounts(_ driver: TestDriver) async throws {
        let (store, _) = try await driver.make()
        let account = Fixtures.account(email: "ann@example.com")
        try await store.write { db in try db.insertAccount(account) }
        #expect(try await store.read { db in try db.account(id: account.id) } == account)
        #expect(try await store.read { db in try db.account(email: "ann@example.com") } == account)
        var copy = Fixtures.account(email: "ann@example.com")
        copy.name = "Twin"
        let twin = copy
        await #expect(throws: StorageError.conflict) { try await store.write { db in try db.insertAccount(twin) } }
    }

    @Test("text is stored whole, including an embedded NUL", arguments: TestDriver.available)
    func nulRoundTrip(_ driver: TestDriver) async throws {
        let (store, _) = try await driver.make()
        let customer = Fixtures.account()
        var order = Fixtures.order(customer: customer.id)
        order.notes = "before\u{0}after ☀"
        let stored = order
        try await store.write { db in
            try db.insertAccount(customer)
            try db.insertOrder(stored)
        }
        #expect(try await store.read { db in try db.order(id: stored.id) }?.notes == "before\u{0}after ☀")
    }

    @Test("a failing transaction leaves nothing behind", arguments: TestDriver.available)
    func rollback(_ driver: TestDriver) async throws {
        let (store, _) = try await driver.make()
        let first = Fixtures.account(email: "first@example.com")
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await store.write { db in
                try db.insertAccount(first)
                try db.insertOrder(Fixtures.order(customer: first.id))
                throw Boom()
            }
        }
        #expect(try await store.read { db in try db.account(id: first.id) } == nil)
        #expect(try await store.read { db in try db.orders(customerID: first.id, limit: 10, offset: 0) }.isEmpty)
    }

    @Test("the schema enforces CHECK, NOT NULL and foreign keys itself", arguments: TestDriver.available)
    func constraints(_ driver: TestDriver) async throws {
        let (store, database) = try await driver.make()
        let customer = Fixtures.account()
        try await store.write { db in try db.insertAccount(customer) }
        // A status outside the state machine.
        await #expect(throws: StorageError.self) {
            try await database.transaction(readOnly: false) { conn in
                try conn.execute("UPDATE accounts SET role = ? WHERE id = ?", [.text("superuser"), .uuid(customer.id)])
            }
        }
        // An order for a customer that does not exist.
        await #expect(throws: StorageError.constraintViolation) {
            try await store.write { db in try db.insertOrder(Fixtures.order(customer: UUID())) }
        }
        // A scheduled order without an installer.
        await #expect(throws: StorageError.constraintViolation) {
            try await store.write { db in try db.insertOrder(Fixtures.order(customer: customer.id, status: .scheduled)) }
        }
        // A password that is not an Argon2id hash.
        var unhashed = Fixtures.account()
        unhashed.passwordHash = "hunter2"
        let plain = unhashed
        await #expect(throws: StorageError.constraintViolation) { try await store.write { db in try db.insertAccount(plain) } }
    }

    @Test("updates are conditional on the expected status", arguments: TestDriver.available)
    func conditionalUpdate(_ driver: TestDriver) async throws {
        let (store, _) = try await driver.make()
        let customer = Fixtures.account()
        var order = Fixtures.order(customer: customer.id)
        try await store.write { [order] db in
            try db.insertAccount(customer)
            try db.insertOrder(order)
        }
        order.status = .accepted
        let changed = order
        #expect(try await store.write { db in try db.updateOrder(changed, expectedStatus: .quoted) })
        #expect(try await !store.write { db in try db.updateOrder(changed, expectedStatus: .quoted) })
        #expect(try await store.read { db in try db.order(id: changed.id) }?.status == .accepted)
    }

    @Test("an offer is claimed once, only by its installer, only while open and unexpired; one winner per order", arguments: TestDriver.available)
    func offers(_ driver: TestDriver) async throws {
        let (store, database) = try await driver.make()
        let customer = Fixtures.account(), a = Fixtures.account(.installer), b = Fixtures.account(.installer)
        let order = Fixtures.order(customer: customer.id, status: .dispatching)
        let offerA = Fixtures.offer(order: order.id, installer: a.id)
        let offerB = Fixtures.offer(order: order.id, installer: b.id)
        let stale = Fixtures.offer(order: order.id, installer: customer.id, expires: Date().addingTimeInterval(-1))
        try await store.write { db in
            for account in [customer, a, b] { try db.insertAccount(account) }
            try db.insertOrder(order)
            for offer in [offerA, offerB, stale] { try db.insertOffer(offer) }
        }
        let now = Date()
        #expect(try await !store.write { db in try db.claimOffer(id: offerA.id, installerID: b.id, now: now) })
        #expect(try await !store.write { db in try db.claimOffer(id: stale.id, installerID: customer.id, now: now) })
        #expect(try await store.write { db in try db.claimOffer(id: offerA.id, installerID: a.id, now: now) })
        #expect(try await !store.write { db in try db.claimOffer(id: offerA.id, installerID: a.id, now: now) })
        #expect(try await store.read { db in try db.openOffers(installerID: b.id, now: now) }.count == 1)
        // Even bypassing the application, the database refuses a second accepted offer.
        await #expect(throws: StorageError.self) {
            try await database.transaction(readOnly: false) { conn in
                try conn.execute("UPDATE offers SET status = 'accepted' WHERE id = ?", [.uuid(offerB.id)])
            }
        }
        try await store.write { db in try db.closeOpenOffers(orderID: order.id, status: .withdrawn) }
        #expect(try await store.read { db in try db.offer(id: offerB.id) }?.status == .withdrawn)
        #expect(try await store.read { db in try db.offer(id: offerA.id) }?.status == .accepted)
    }

    @Test("audit events are append-only in the database", arguments: TestDriver.available)
    func auditAppendOnly(_ driver: TestDriver) async throws {
        let (store, database) = try await driver.make()
        let event = AuditEvent(occurredAt: Date(), actorID: UUID(), actorRole: .support, action: "staff.customer.view", outcome: .success)
        try await store.write { db in try db.appendAudit(event) }
        #expect(try await store.read { db in try db.auditEvents(limit: 10, offset: 0) }.map(\.id) == [event.id])
        await #expect(throws: StorageError.self) {
            try await database.transaction(readOnly: false) { conn in try conn.execute("DELETE FROM audit_events", []) }
        }
        await #expect(throws: StorageError.self) {
            try await database.transaction(readOnly: false) { conn in try conn.execute("UPDATE audit_events SET action = 'nothing'", []) }
        }
        #expect(try await store.read { db in try db.auditEvents(limit: 10, offset: 0) }.count == 1)
    }

    @Test("sessions: only the hash is stored; expired and revoked sessions are not active", arguments: TestDriver.available)
    func sessions(_ driver: TestDriver) async throws {
        let (store, database) = try await driver.make()
        let account = Fixtures.account()
        let now = Date()
        let hash = String(repeating: "ab", count: 32)
        let session = SessionRecord(id: UUID(), tokenHash: hash, accountID: account.id, kind: .api,
                                    createdAt: now, expiresAt: now.addingTimeInterval(60), lastSeenAt: now)
        try await store.write { db in
            try db.insertAccount(account)
            try db.insertSession(session)
        }
        #expect(try await store.read { db in try db.activeSession(tokenHash: hash, now: now) }?.1 == account)
        #expect(try await store.read { db in try db.activeSession(tokenHash: hash, now: now.addingTimeInterval(61)) } == nil)
        #expect(try await store.write { db in try db.revokeSession(id: session.id, at: now) })
        #expect(try await store.read { db in try db.activeSession(tokenHash: hash, now: now) } == nil)
        let columns = try await database.withConnection { conn in try conn.query("SELECT * FROM sessions", []) }
        #expect(columns.first?.columns.names.contains("token") == false)
    }

    @Test("customer search is an exact match through the blind index: partial text and SQL metacharacters find nothing", arguments: TestDriver.available)
    func search(_ driver: TestDriver) async throws {
        let (store, _) = try await driver.make()
        let ann = Fixtures.account(email: "ann@example.com")
        let staff = Fixtures.account(.support, email: "ann.support@example.com")
        try await store.write { db in
            try db.insertAccount(ann)
            try db.insertAccount(staff)
        }
        #expect(try await store.read { db in try db.searchCustomers(query: " ANN@Example.com", limit: 10) }.map(\.id) == [ann.id])
        // No LIKE query exists: the real path hashes the whole normalised text, so a prefix, a
        // wildcard or injected SQL is just another value that matches no one.
        for hostile in ["ann@example", "ann", "example.com", "%", "_", "' OR '1'='1", "\\", "%' --"] {
            #expect(try await store.read { db in try db.searchCustomers(query: hostile, limit: 10) }.isEmpty, "\(hostile)")
        }
    }

    @Test("installer profiles upsert and only available installers are candidates", arguments: TestDriver.available)
    func profiles(_ driver: TestDriver) async throws {
        let (store, _) = try await driver.make()
        let installer = Fixtures.account(.installer)
        var profile = InstallerProfile(installerID: installer.id, serviceArea: ServiceArea(centre: GeoPoint(latitude: 40, longitude: -3), radiusKm: 20),
                                       available: true, certifications: ["PV"], updatedAt: Date(timeIntervalSince1970: 1_800_000_000))
        try await store.write { [profile] db in
            try db.insertAccount(installer)
            try db.saveInstallerProfile(profile)
        }
        #expect(try await store.read { db in try db.availableInstallerProfiles() }.count == 1)
        profile.available = false
        try await store.write { [profile] db in try db.saveInstallerProfile(profile) }
        #expect(try await store.read { db in try db.installerProfile(installerID: installer.id) } == profile)
        #expect(try await store.read { db in try db.availableInstallerProfiles() }.isEmpty)
    }
}

@Suite("Test coverage of drivers")
struct DriverCoverageTests {
    @Test("CI runs every storage test against MySQL too")
    func mysqlInCI() {
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            #expect(TestDatabase.mysqlAvailable, "make test must start MariaDB and set SOLAR_TEST_MYSQL_*")
        }
    }
}

@Suite("SQLite file protection")
struct SQLiteFileTests {
    @Test("the data folder is 0700 and a new database file 0600")
    func permissions() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("perm-\(UUID().uuidString)/data")
        let path = folder.appendingPathComponent("solar.sqlite").path
        _ = try SQLiteDatabase(path: path)
        let folderMode = try FileManager.default.attributesOfItem(atPath: folder.path)[.posixPermissions] as? Int
        let fileMode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(folderMode == 0o700)
        #expect(fileMode == 0o600)
    }
}
