import Domain
import Foundation
import SolarSecurity
import Storage
import StorageTesting
import Synchronization
import Testing

/// The chain anchored outside the database: an insider holding `AUDIT_KEY` and the database can
/// re-sign an edited chain so that it verifies, but it no longer matches the exported stream.
@Suite("Audit chain against an exported stream")
struct AuditExportTests {
    final class Stream: Sendable {
        let lines = Mutex<[String]>([])

        func append(_ object: [String: String]) {
            let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            lines.withLock { $0.append(String(decoding: data, as: UTF8.self)) }
        }

        /// An event line as the server writes it (every value a string).
        func event(_ entry: ChainedAuditEvent) {
            append(["stream": "audit", "msg": "audit", "logger": "audit", "audit_id": entry.event.id.uuidString.lowercased(),
                    "action": entry.event.action, "seq": String(entry.seq), "entry_hash": entry.entryHash])
        }

        func checkpoint(_ c: AuditCheckpoint) {
            append(["stream": "audit", "msg": "audit.checkpoint", "seq": String(c.seq), "entry_hash": c.entryHash,
                    "checkpoint_at": c.at, "checkpoint_mac": c.mac])
        }

        var export: AuditExport { get throws { try AuditExport.parse(lines.withLock { $0.joined(separator: "\n") }) } }
    }

    /// Five events streamed and checkpointed; the store, the owner's connection, the stream, the seqs.
    func streamed(_ driver: TestDriver, events: Bool = true) async throws -> (SQLStore, any SQLDatabase, Stream, [Int64]) {
        let stream = Stream()
        let (store, _, owner) = try await TestDatabase.tamperableStore(driver, onAudit: { if events { stream.event($0) } })
        for n in 1...5 { try await store.write { db in try db.appendAudit(AuditChainHeadTests.event(n)) } }
        stream.checkpoint(try #require(try await store.auditCheckpoint(at: Date())))
        let seqs = try await owner.withConnection { conn in try conn.query("SELECT seq FROM audit_events ORDER BY seq", []).map { try $0.int("seq") } }
        let report = try await store.compareAuditExport(try stream.export)
        #expect(report.matches && report.events == (events ? 5 : 0) && report.checkpoints == 1, "\(String(describing: report.firstDifference))")
        return (store, owner, stream, seqs)
    }

    @Test("an edited chain re-signed with the real key verifies, but differs from the export at the edit", arguments: TestDriver.available)
    func resigned(_ driver: TestDriver) async throws {
        let (store, owner, stream, seqs) = try await streamed(driver)
        _ = try await owner.withConnection { conn in
            try conn.execute("UPDATE audit_events SET detail = 'nothing to see' WHERE seq = ?", [.int(seqs[2])])
        }
        try await AuditChainForger(chain: TestDatabase.auditChain).resign(from: seqs[2], in: owner)
        #expect(try await store.verifyAuditChain().isIntact, "the insider's rewrite holds inside the database")
        let report = try await store.compareAuditExport(try stream.export)
        let difference = try #require(report.firstDifference)
        #expect(difference.seq == seqs[2] && difference.reason.contains("re-signed"))
        #expect(report.events == 2)
    }

    @Test("a checkpoint past the database's end is a break after a cut tail and a re-signed head", arguments: TestDriver.available)
    func truncatedBehindCheckpoint(_ driver: TestDriver) async throws {
        // Only the checkpoint reached the log store: the events' own lines are not needed.
        let (store, owner, stream, seqs) = try await streamed(driver, events: false)
        _ = try await owner.withConnection { conn in try conn.execute("DELETE FROM audit_events WHERE seq > ?", [.int(seqs[2])]) }
        try await AuditChainForger(chain: TestDatabase.auditChain).resign(from: seqs[2] + 1, in: owner)
        #expect(try await store.verifyAuditChain().isIntact)
        let difference = try #require(try await store.compareAuditExport(try stream.export).firstDifference)
        #expect(difference.seq == seqs[4] && difference.reason.contains("past the database's last entry"))
    }

    @Test("a deleted entry in the middle, chain re-signed, is named", arguments: TestDriver.available)
    func deletedAndResigned(_ driver: TestDriver) async throws {
        let (store, owner, stream, seqs) = try await streamed(driver)
        _ = try await owner.withConnection { conn in try conn.execute("DELETE FROM audit_events WHERE seq = ?", [.int(seqs[1])]) }
        try await AuditChainForger(chain: TestDatabase.auditChain).resign(from: seqs[1], in: owner)
        #expect(try await store.verifyAuditChain().isIntact)
        let difference = try #require(try await store.compareAuditExport(try stream.export).firstDifference)
        #expect(difference.seq == seqs[1] && difference.reason.contains("no entry"))
    }

    @Test("a checkpoint signed with another key does not count", arguments: TestDriver.available)
    func forgedCheckpoint(_ driver: TestDriver) async throws {
        let (store, _, stream, seqs) = try await streamed(driver)
        let other = AuditChain(key: SecureRandom.bytes(32))!
        let head = try #require(try await store.auditCheckpoint(at: Date()))
        stream.checkpoint(other.checkpoint(seq: seqs[4], entryHash: head.entryHash, at: Date()))
        let difference = try #require(try await store.compareAuditExport(try stream.export).firstDifference)
        #expect(difference.seq == seqs[4] && difference.reason.contains("MAC"))
    }

    @Test("the checkpoint refuses a head moved without the key", arguments: TestDriver.available)
    func checkpointRefusesMovedHead(_ driver: TestDriver) async throws {
        let (store, owner, _, seqs) = try await streamed(driver)
        _ = try await owner.withConnection { conn in try conn.execute("UPDATE audit_chain_head SET last_seq = ? WHERE id = 1", [.int(seqs[3])]) }
        await #expect(throws: AuditCheckpointError.headNotSigned) { try await store.auditCheckpoint(at: Date()) }
    }
}
