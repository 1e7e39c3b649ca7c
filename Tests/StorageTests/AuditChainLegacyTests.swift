import Domain
import Foundation
import SolarSecurity
import Storage
import StorageTesting
import Testing

/// Rows written before the chain existed stay legitimate below the head's first chained
/// sequence (set by migration 8, signed with the head); anything at or after it must be chained.
@Suite("Legacy audit rows and older chain heads")
struct AuditChainLegacyTests {
    @Test("rows below the first chained sequence stay legacy; a NULL hash after it is a break", arguments: TestDriver.available)
    func legacyRows(_ driver: TestDriver) async throws {
        let (store, _, owner) = try await TestDatabase.tamperableStore(driver)
        // Two rows as the trail held them before migration 4: no hashes.
        for n in 1...2 {
            _ = try await owner.withConnection { conn in
                try conn.execute("INSERT INTO audit_events (id, occurred_at, action, outcome) VALUES (?, ?, ?, ?)",
                                 [.uuid(UUID()), .int(1_700_000_000_000 + Int64(n)), .text("legacy.event"), .text("success")])
            }
        }
        // Migration 8 computes where the chain starts from the rows it finds.
        let migration = try #require(owner.migrations.first { $0.version == 8 })
        let legacyEnd = try await owner.withConnection { conn in
            try conn.execute(migration.statements[1], [])
            return try conn.query("SELECT MAX(seq) AS m FROM audit_events", [])[0].int("m")
        }
        for n in 1...3 { try await store.write { db in try db.appendAudit(AuditChainHeadTests.event(n)) } }
        let firstSeq = try await owner.withConnection { conn in try conn.query("SELECT first_seq FROM audit_chain_head", [])[0].int("first_seq") }
        #expect(firstSeq == legacyEnd + 1)
        let report = try await store.verifyAuditChain()
        #expect(report.isIntact && report.legacy == 2 && report.verified == 3, "\(String(describing: report.firstBroken))")

        // Running the computation again on a chained table keeps the first chained seq.
        _ = try await owner.withConnection { conn in try conn.execute(migration.statements[1], []) }
        #expect(try await store.verifyAuditChain().isIntact)

        let chained = try await owner.withConnection { conn in
            try conn.query("SELECT seq FROM audit_events WHERE entry_hash IS NOT NULL ORDER BY seq", []).map { try $0.int("seq") }
        }
        _ = try await owner.withConnection { conn in
            try conn.execute("UPDATE audit_events SET prev_hash = NULL, entry_hash = NULL, mac = NULL WHERE seq = ?", [.int(chained[1])])
        }
        #expect(try await store.verifyAuditChain().firstBroken?.seq == chained[1])
    }

    @Test("a head signed before it recorded its first sequence still verifies", arguments: TestDriver.available)
    func olderHeadMAC(_ driver: TestDriver) async throws {
        let (store, _, owner) = try await TestDatabase.tamperableStore(driver)
        for n in 1...3 { try await store.write { db in try db.appendAudit(AuditChainHeadTests.event(n)) } }
        _ = try await owner.withConnection { conn in
            let head = try conn.query("SELECT last_seq, last_hash FROM audit_chain_head", [])[0]
            let older = TestDatabase.auditChain.mac(entryHash: "head:\(try head.int("last_seq")):\(try head.string("last_hash"))")
            try conn.execute("UPDATE audit_chain_head SET mac = ? WHERE id = 1", [.text(older)])
        }
        #expect(try await store.verifyAuditChain().isIntact)
        // The next append signs the head in the current form.
        try await store.write { db in try db.appendAudit(AuditChainHeadTests.event(4)) }
        #expect(try await store.verifyAuditChain().verified == 4)
    }

    @Test("a fresh database verifies with nothing chained", arguments: TestDriver.available)
    func fresh(_ driver: TestDriver) async throws {
        let (store, _) = try await driver.make()
        let report = try await store.verifyAuditChain()
        #expect(report.isIntact && report.verified == 0 && report.legacy == 0)
        #expect(try await store.auditCheckpoint(at: Date()) == nil)
    }
}
