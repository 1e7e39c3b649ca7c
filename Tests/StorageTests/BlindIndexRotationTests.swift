import Domain
import Foundation
import SolarSecurity
import Storage
import StorageTesting
import Testing

/// ASVS V11.2.2: the blind-index key can be rotated. With `BLIND_INDEX_KEY=new,old` lookups find
/// rows indexed with either key; `reindexBatch` recomputes every index from the decrypted values,
/// resumably; then the old key can go.
@Suite("Blind-index key rotation")
struct BlindIndexRotationTests {
    @Test("rows indexed with the old key are found during the rotation, re-indexed in resumable batches, and found with the new key alone",
          arguments: TestDriver.available)
    func rotate(_ driver: TestDriver) async throws {
        let old = BlindIndex.generateKey(), new = BlindIndex.generateKey()
        let database = try await TestDatabase.make(driver)
        func store(_ keys: String) -> SQLStore {
            SQLStore(database: database, auditChain: TestDatabase.auditChain,
                     protection: FieldProtection(cipher: TestDatabase.protection.cipher, index: BlindIndex(base64: keys)!))
        }
        let accounts = (0..<5).map { n in
            var a = Fixtures.account(email: "rotate\(n)@example.com")
            a.phone = "+3460000000\(n)"
            return a
        }
        try await store(old).write { db in for a in accounts { try db.insertAccount(a) } }
        #expect(try await store(new).read { db in try db.account(email: "rotate0@example.com") } == nil, "the new key alone cannot find old rows")

        let ring = store("\(new),\(old)")
        #expect(try await ring.read { db in try db.account(email: "rotate0@example.com") }?.id == accounts[0].id)
        #expect(try await ring.read { db in try db.searchCustomers(query: "+34600000003", limit: 5) }.map(\.id) == [accounts[3].id])
        // Two accounts per batch; stop after the first batch and resume from its last id.
        let first = try await ring.reindexBatch(after: nil, limit: 2)
        #expect(first.scanned == 2 && first.changed == 2)
        var cursor = first.last, changed = first.changed
        while true {
            let next = try await ring.reindexBatch(after: cursor, limit: 2)
            guard next.scanned > 0 else { break }
            (cursor, changed) = (next.last, changed + next.changed)
        }
        #expect(changed == 5)
        #expect(try await ring.reindexBatch(after: nil, limit: 10).changed == 0, "a second run changes nothing")

        let rotated = store(new)
        for a in accounts {
            #expect(try await rotated.read { db in try db.account(email: a.email) }?.id == a.id)
            #expect(try await rotated.read { db in try db.searchCustomers(query: a.phone, limit: 5) }.map(\.id) == [a.id])
        }
    }

    @Test("a trusted-device token issued before the rotation stays valid while the old key is in the ring, and not after")
    func deviceTokens() {
        let oldKey = BlindIndex.generateKey(), newKey = BlindIndex.generateKey()
        let before = BlindIndex(base64: oldKey)!, ring = BlindIndex(base64: "\(newKey),\(oldKey)")!, after = BlindIndex(base64: newKey)!
        let now = Date()
        let token = DeviceToken.issue(accountKey: "a:" + before.throttle("d@example.com"), index: before, now: now)
        let keys = { (index: BlindIndex) in index.throttles("d@example.com").map { "a:" + $0 } }
        #expect(DeviceToken.isValid(token, accountKeys: keys(ring), index: ring, now: now))
        #expect(!DeviceToken.isValid(token, accountKeys: keys(after), index: after, now: now))
        #expect(BlindIndex(base64: "\(newKey),\(newKey)") == nil && BlindIndex(base64: "\(newKey),???") == nil)
        #expect(ring.keyCount == 2)
    }
}
