import Domain
import Foundation
import SolarSecurity
import Storage
import StorageTesting
import Testing

/// The chain is compared with its signed head whenever the head exists, so emptying the table,
/// cutting its tail, removing hashes or moving the head back is a break, on every driver.
@Suite("Audit chain against its head")
struct AuditChainHeadTests {
    static func event(_ n: Int) -> AuditEvent {
        AuditEvent(occurredAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(n)), actorID: UUID(), actorRole: .support,
                   action: "staff.customer.view", targetType: "account", targetID: UUID(), outcome: .success,
                   clientIP: "10.0.0.\(n)", requestID: "req-\(n)", detail: "n=\(n)")
    }

    /// Five chained events; returns the store, the owner's connection and the seqs in order.
    func chain(_ driver: TestDriver) async throws -> (SQLStore, any SQLDatabase, [Int64]) {
        let (store, _, owner) = try await TestDatabase.tamperableStore(driver)
        for n in 1...5 { try await store.write { db in try db.appendAudit(Self.event(n)) } }
        let report = try await store.verifyAuditChain()
        #expect(report.isIntact && report.verified == 5, "\(String(describing: report.firstBroken))")
        let seqs = try await owner.withConnection { conn in try conn.query("SELECT seq FROM audit_events ORDER BY seq", []).map { try $0.int("seq") } }
        return (store, owner, seqs)
    }

    @Test("an emptied table under a non-empty head is a break", arguments: TestDriver.available)
    func emptied(_ driver: TestDriver) async throws {
        let (store, owner, seqs) = try await chain(driver)
        _ = try await owner.withConnection { conn in try conn.execute("DELETE FROM audit_events", []) }
        let broken = try #require(try await store.verifyAuditChain().firstBroken)
        #expect(broken.id == "head" && broken.seq == seqs[4] && broken.reason.contains("emptied"))
    }

    @Test("a cut tail is a break at the head", arguments: TestDriver.available)
    func truncated(_ driver: TestDriver) async throws {
        let (store, owner, seqs) = try await chain(driver)
        _ = try await owner.withConnection { conn in try conn.execute("DELETE FROM audit_events WHERE seq > ?", [.int(seqs[2])]) }
        let broken = try #require(try await store.verifyAuditChain().firstBroken)
        #expect(broken.id == "head" && broken.reason.contains("removed"))
    }

    @Test("hashes NULLed on every row, or on the tail, are a break, not legacy rows", arguments: TestDriver.available)
    func nulled(_ driver: TestDriver) async throws {
        let (store, owner, seqs) = try await chain(driver)
        _ = try await owner.withConnection { conn in
            try conn.execute("UPDATE audit_events SET prev_hash = NULL, entry_hash = NULL, mac = NULL WHERE seq >= ?", [.int(seqs[3])])
        }
        #expect(try await store.verifyAuditChain().firstBroken?.seq == seqs[3])
        _ = try await owner.withConnection { conn in try conn.execute("UPDATE audit_events SET prev_hash = NULL, entry_hash = NULL, mac = NULL", []) }
        let report = try await store.verifyAuditChain()
        let broken = try #require(report.firstBroken)
        #expect(broken.seq == seqs[0] && broken.reason.contains("without a hash"))
        #expect(report.legacy == 0)
    }

    @Test("a head reset to its unused state over NULLed hashes is a break", arguments: TestDriver.available)
    func headResetOverNulledHashes(_ driver: TestDriver) async throws {
        let (store, owner, seqs) = try await chain(driver)
        _ = try await owner.withConnection { conn in
            try conn.execute("UPDATE audit_events SET prev_hash = NULL, entry_hash = NULL, mac = NULL", [])
            try conn.execute("UPDATE audit_chain_head SET last_seq = 0, last_hash = ?, mac = NULL WHERE id = 1", [.text(AuditChain.genesis)])
        }
        #expect(try await store.verifyAuditChain().firstBroken?.seq == seqs[0])
    }

    @Test("a head rolled back to an earlier signed state is a break while later entries remain", arguments: TestDriver.available)
    func headRolledBack(_ driver: TestDriver) async throws {
        let (store, owner, seqs) = try await chain(driver)
        let saved = try await owner.withConnection { conn in try conn.query("SELECT last_seq, last_hash, mac FROM audit_chain_head", [])[0] }
        try await store.write { db in try db.appendAudit(Self.event(6)) }
        _ = try await owner.withConnection { conn in
            try conn.execute("UPDATE audit_chain_head SET last_seq = ?, last_hash = ?, mac = ? WHERE id = 1",
                             [try saved.value("last_seq"), try saved.value("last_hash"), try saved.value("mac")])
        }
        let broken = try #require(try await store.verifyAuditChain().firstBroken)
        #expect(broken.seq > seqs[4] && broken.reason.contains("rolled back"))
        // Back to the never-used state, with every entry still chained.
        _ = try await owner.withConnection { conn in
            try conn.execute("UPDATE audit_chain_head SET last_seq = 0, last_hash = ?, mac = NULL WHERE id = 1", [.text(AuditChain.genesis)])
        }
        #expect(try await store.verifyAuditChain().firstBroken?.seq == seqs[0])
    }

    @Test("a deleted head row is a break", arguments: TestDriver.available)
    func headDeleted(_ driver: TestDriver) async throws {
        let (store, owner, _) = try await chain(driver)
        _ = try await owner.withConnection { conn in try conn.execute("DELETE FROM audit_chain_head", []) }
        let broken = try #require(try await store.verifyAuditChain().firstBroken)
        #expect(broken.id == "head" && broken.reason.contains("missing"))
    }

    @Test("moving the head's first chained sequence past NULLed rows needs the key", arguments: TestDriver.available)
    func firstSeqMoved(_ driver: TestDriver) async throws {
        let (store, owner, seqs) = try await chain(driver)
        _ = try await owner.withConnection { conn in
            try conn.execute("UPDATE audit_events SET prev_hash = NULL, entry_hash = NULL, mac = NULL WHERE seq <= ?", [.int(seqs[1])])
            try conn.execute("UPDATE audit_chain_head SET first_seq = ? WHERE id = 1", [.int(seqs[2])])
        }
        let broken = try #require(try await store.verifyAuditChain().firstBroken)
        #expect(broken.seq == seqs[2] || broken.id == "head")
    }

    @Test("a tail cut and a head moved without the key stay a break after the next append", arguments: TestDriver.available)
    func movedHeadNotHealedByAppend(_ driver: TestDriver) async throws {
        let (store, owner, seqs) = try await chain(driver)
        let forger = AuditChain(key: SecureRandom.bytes(32))!
        _ = try await owner.withConnection { conn in
            let hash = try conn.query("SELECT entry_hash FROM audit_events WHERE seq = ?", [.int(seqs[2])])[0].string("entry_hash")
            try conn.execute("DELETE FROM audit_events WHERE seq > ?", [.int(seqs[2])])
            try conn.execute("UPDATE audit_chain_head SET last_seq = ?, last_hash = ?, mac = ? WHERE id = 1",
                             [.int(seqs[2]), .text(hash), .text(forger.headMAC(firstSeq: 1, lastSeq: seqs[2], lastHash: hash))])
        }
        #expect(try await store.verifyAuditChain().firstBroken?.id == "head")
        try await store.write { db in try db.appendAudit(Self.event(6)) }
        let broken = try #require(try await store.verifyAuditChain().firstBroken)
        #expect(broken.id == "head" && broken.reason.contains("not signed"))
        await #expect(throws: AuditCheckpointError.headNotSigned) { try await store.auditCheckpoint(at: Date()) }
    }
}
