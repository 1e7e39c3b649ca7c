import Domain
import Foundation
import SolarSecurity
import SQLiteStorage
import Storage
import StorageTesting
import Testing

@Suite("Tamper-evident audit chain")
struct AuditChainTests {
    func event(_ n: Int) -> AuditEvent {
        AuditEvent(occurredAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(n)), actorID: UUID(), actorRole: .support,
                   action: "staff.customer.view", targetType: "account", targetID: UUID(), outcome: .success,
                   clientIP: "10.0.0.\(n)", requestID: "req-\(n)", detail: "n=\(n)")
    }

    @Test("concurrent appends form one unbroken chain that verifies", arguments: TestDriver.available)
    func intact(_ driver: TestDriver) async throws {
        let (store, _) = try await driver.make()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<20 {
                group.addTask { try await store.write { db in try db.appendAudit(event(n)) } }
            }
            try await group.waitForAll()
        }
        let report = try await store.verifyAuditChain()
        #expect(report.isIntact, "\(String(describing: report.firstBroken))")
        #expect(report.verified == 20)
    }

    /// A SQLite store whose triggers an attacker with file access has dropped.
    func tamperable() async throws -> (SQLStore, any SQLDatabase) {
        let (store, database) = try await TestDriver.sqlite.make()
        for n in 1...5 { try await store.write { db in try db.appendAudit(event(n)) } }
        #expect(try await store.verifyAuditChain().isIntact)
        try await database.withConnection { conn in
            try conn.execute("DROP TRIGGER audit_events_no_update", [])
            try conn.execute("DROP TRIGGER audit_events_no_delete", [])
        }
        return (store, database)
    }

    @Test("editing an entry is detected and named")
    func edited() async throws {
        let (store, database) = try await tamperable()
        try await database.withConnection { conn in try conn.execute("UPDATE audit_events SET detail = 'nothing to see' WHERE seq = 3", []) }
        let broken = try #require(try await store.verifyAuditChain().firstBroken)
        #expect(broken.seq == 3)
        #expect(broken.reason.contains("edited"))
    }

    @Test("deleting an entry is detected at the next one")
    func deleted() async throws {
        let (store, database) = try await tamperable()
        try await database.withConnection { conn in try conn.execute("DELETE FROM audit_events WHERE seq = 2", []) }
        #expect(try await store.verifyAuditChain().firstBroken?.seq == 3)
    }

    @Test("reordering entries is detected")
    func reordered() async throws {
        let (store, database) = try await tamperable()
        try await database.withConnection { conn in
            try conn.execute("UPDATE audit_events SET seq = 100 WHERE seq = 2", [])
            try conn.execute("UPDATE audit_events SET seq = 2 WHERE seq = 4", [])
            try conn.execute("UPDATE audit_events SET seq = 4 WHERE seq = 100", [])
        }
        #expect(try await store.verifyAuditChain().firstBroken?.seq == 2)
    }

    @Test("removing the newest entries is detected through the chain head")
    func truncated() async throws {
        let (store, database) = try await tamperable()
        try await database.withConnection { conn in try conn.execute("DELETE FROM audit_events WHERE seq >= 4", []) }
        #expect(try await store.verifyAuditChain().firstBroken?.id == "head")
    }

    @Test("rewriting the SHA-256 chain without the HMAC key is detected")
    func rewrittenWithoutKey() async throws {
        let (store, database) = try await tamperable()
        // The attacker edits entry 5 and recomputes its hash and the head, but cannot compute the MAC.
        let forger = AuditChain(key: SecureRandom.bytes(32))!
        try await database.withConnection { conn in
            let row = try conn.query("SELECT * FROM audit_events WHERE seq = 5", [])[0]
            let columns = ["id", "occurred_at", "actor_id", "actor_role", "action", "target_type", "target_id", "outcome", "client_ip", "request_id", "detail"]
            var values = try columns.map { try row.value($0) }
            values[10] = .text("forged")
            let canonical = AuditChain.canonical(values.map { if case .text(let t) = $0 { t } else if case .int(let i) = $0 { String(i) } else { nil } })
            let hash = forger.entryHash(previous: try row.string("prev_hash"), canonical: canonical)
            try conn.execute("UPDATE audit_events SET detail = 'forged', entry_hash = ?, mac = ? WHERE seq = 5", [.text(hash), .text(forger.mac(entryHash: hash))])
            try conn.execute("UPDATE audit_chain_head SET last_hash = ? WHERE id = 1", [.text(hash)])
        }
        let broken = try #require(try await store.verifyAuditChain().firstBroken)
        #expect(broken.seq == 5 && broken.reason.contains("MAC"))
    }
}

extension AuditChainTests {
    @Test("removing the newest entries and moving the head back without the key is detected")
    func headMovedBack() async throws {
        let (store, database) = try await tamperable()
        try await database.withConnection { conn in
            let previous = try conn.query("SELECT entry_hash FROM audit_events WHERE seq = 3", [])[0]
            try conn.execute("DELETE FROM audit_events WHERE seq >= 4", [])
            try conn.execute("UPDATE audit_chain_head SET last_seq = 3, last_hash = ? WHERE id = 1", [.text(try previous.string("entry_hash"))])
        }
        let broken = try #require(try await store.verifyAuditChain().firstBroken)
        #expect(broken.id == "head" && broken.reason.contains("MAC"))
    }
}
