import Domain
import Foundation
import SolarSecurity
import Storage
import StorageTesting
import Testing

@Suite("Field-level encryption of personal data")
struct FieldEncryptionTests {
    static let index = BlindIndex(base64: BlindIndex.generateKey())!

    func protection(_ ring: String) -> FieldProtection {
        FieldProtection(cipher: FieldCipher(keyRing: ring)!, index: Self.index)
    }

    func customer(_ email: String, phone: String) -> Account {
        Account(id: UUID(), email: email, name: "Lucia Fernandez", phone: phone, role: .customer,
                passwordHash: Fixtures.hash, createdAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    /// Everything the database holds, as text.
    func rawDump(_ database: any SQLDatabase) async throws -> String {
        try await database.withConnection { conn in
            try ["accounts", "orders"].flatMap { table in try conn.query("SELECT * FROM \(table)", []) }
                .map { row in row.values.map { "\($0)" }.joined(separator: "|") }.joined(separator: "\n")
        }
    }

    @Test("the raw rows hold no plaintext name, email, phone, street, postal code, exact location or notes", arguments: TestDriver.available)
    func noPlaintext(_ driver: TestDriver) async throws {
        let (store, database) = try await driver.make()
        let lucia = customer("lucia.fernandez@example.com", phone: "+34611222333")
        var order = Fixtures.order(customer: lucia.id)
        order.notes = "Dog in the garden, key under the mat"
        order.location = GeoPoint(latitude: 40.416_775, longitude: -3.703_790)
        let stored = order
        try await store.write { db in
            try db.insertAccount(lucia)
            try db.insertOrder(stored)
        }
        let dump = try await rawDump(database)
        for secret in ["lucia", "Lucia", "Fernandez", "611222333", "Calle Mayor", "28013", "Dog in the garden", "40.416775", "3.70379"] {
            #expect(!dump.contains(secret), "\(secret) stored in clear")
        }
        // Yet the application reads everything back, and finds the account by email and phone.
        #expect(try await store.read { db in try db.account(email: "lucia.fernandez@example.com") } == lucia)
        #expect(try await store.read { db in try db.searchCustomers(query: "+34611222333", limit: 5) }.map(\.id) == [lucia.id])
        #expect(try await store.read { db in try db.order(id: stored.id) } == stored)
    }

    @Test("a ciphertext copied into another customer's row fails to decrypt")
    func boundToRow() async throws {
        let (store, database) = try await TestDriver.sqlite.make()
        let alice = customer("alice@example.com", phone: "+34600000011"), bob = customer("bob@example.com", phone: "+34600000022")
        try await store.write { db in
            try db.insertAccount(alice)
            try db.insertAccount(bob)
        }
        try await database.withConnection { conn in
            try conn.execute("UPDATE accounts SET pii_ciphertext = (SELECT pii_ciphertext FROM accounts WHERE id = ?) WHERE id = ?",
                             [.uuid(alice.id), .uuid(bob.id)])
        }
        await #expect(throws: FieldCipherError.authenticationFailed) { try await store.read { db in try db.account(id: bob.id) } }
        #expect(try await store.read { db in try db.account(id: alice.id) } == alice)
    }

    @Test("key rotation re-encrypts every row in resumable batches; afterwards the old key is unused", arguments: TestDriver.available)
    func rotation(_ driver: TestDriver) async throws {
        let database = try await TestDatabase.make(driver)
        let oldEntry = FieldCipher.generateKeyEntry(id: "old1")
        let before = SQLStore(database: database, auditChain: TestDatabase.auditChain, protection: protection(oldEntry))
        var accounts: [Account] = []
        for n in 0..<7 { accounts.append(customer("rotate\(n)@example.com", phone: "+3460000010\(n)")) }
        let created = accounts
        try await before.write { db in
            for account in created {
                try db.insertAccount(account)
                try db.insertOrder(Fixtures.order(customer: account.id))
            }
        }
        let after = SQLStore(database: database, auditChain: TestDatabase.auditChain,
                             protection: protection(FieldCipher.generateKeyEntry(id: "new1") + "," + oldEntry))
        var batches = 0
        while try await after.reencryptBatch(limit: 3).values.reduce(0, +) > 0 { batches += 1 }
        #expect(batches >= 3)
        let dump = try await rawDump(database)
        #expect(!dump.contains("v1:old1:"))
        #expect(dump.contains("v1:new1:"))
        // Only the new key is needed now.
        let newOnly = SQLStore(database: database, auditChain: TestDatabase.auditChain,
                               protection: FieldProtection(cipher: after.protection.cipher.withoutInactiveKeys, index: Self.index))
        for account in created {
            #expect(try await newOnly.read { db in try db.account(email: account.email) } == account)
            #expect(try await newOnly.read { db in try db.orders(customerID: account.id, limit: 5, offset: 0) }.count == 1)
        }
    }
}
