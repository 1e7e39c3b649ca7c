import Domain
import Foundation
import SolarSecurity
import Storage
import StorageTesting
import Testing

/// ASVS V11.2.2: the audit key can be rotated. `AUDIT_KEY=new,old`: the new key signs from now
/// on, the old one still verifies what it signed; a retired key cannot extend the chain.
@Suite("Audit key rotation")
struct AuditKeyRotationTests {
    static func event(_ n: Int) -> AuditEvent {
        AuditEvent(occurredAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(n)), actorID: UUID(), actorRole: .admin,
                   action: "test.rotation", targetType: nil, targetID: nil, outcome: .success, clientIP: nil, requestID: "r-\(n)", detail: "n=\(n)")
    }

    @Test("after a rotation new entries are signed with the new key and the whole chain verifies with the ring",
          arguments: TestDriver.available)
    func rotate(_ driver: TestDriver) async throws {
        let old = SecureRandom.bytes(32), new = SecureRandom.bytes(32)
        let database = try await TestDatabase.make(driver)
        func store(_ keys: [[UInt8]]) -> SQLStore {
            SQLStore(database: database, auditChain: AuditChain(keys: keys)!, protection: TestDatabase.protection)
        }
        for n in 1...3 { try await store([old]).write { db in try db.appendAudit(Self.event(n)) } }
        let ring = store([new, old])
        #expect(try await ring.verifyAuditChain().isIntact, "before any new entry, the head signed by the old key verifies")
        for n in 4...5 { try await ring.write { db in try db.appendAudit(Self.event(n)) } }
        let report = try await ring.verifyAuditChain()
        #expect(report.isIntact && report.verified == 5, "\(String(describing: report.firstBroken))")
        // Without the old key the entries it signed no longer verify: it must stay in the ring.
        #expect(try await store([new]).verifyAuditChain().firstBroken?.seq == 1)

        // Someone holding only the retired key appends: the ring names the entry.
        try await store([old]).write { db in try db.appendAudit(Self.event(6)) }
        let extended = try #require(try await ring.verifyAuditChain().firstBroken)
        #expect(extended.seq == 6 && extended.reason.contains("retired key"))
    }

    @Test("AUDIT_KEY parses one key or a ring, newest first; short, malformed or repeated keys are refused")
    func parse() {
        let a = AuditChain.generateKey(), b = AuditChain.generateKey()
        #expect(AuditChain(base64: a)?.keyCount == 1)
        #expect(AuditChain(base64: "\(b),\(a)")?.keyCount == 2)
        #expect(AuditChain(base64: "\(b),not base64!") == nil)
        #expect(AuditChain(base64: "\(a),\(a)") == nil)
        #expect(AuditChain(base64: Data(repeating: 1, count: 16).base64EncodedString()) == nil)
    }
}
