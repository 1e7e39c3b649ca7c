@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import SolarSecurity
import Storage
import StorageTesting
import Testing

@Suite("Audit checkpoints and the exported stream")
struct AuditCheckpointTests {
    /// Traffic, one checkpoint, and the lines the server wrote, parsed as an export.
    func streamed() async throws -> (TestHarness, AuditExport) {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            for _ in 0..<3 { _ = try await client.customer() }
        }
        // The application's own checkpointer already ran (at start and at shutdown); one more now.
        let checkpointer = AuditCheckpointer(services: harness.services)
        let before = harness.checkpointLines.count
        let head = try #require(await checkpointer.checkpoint())
        #expect(await checkpointer.checkpoint(unlessAt: head) == head)
        #expect(harness.checkpointLines.count == before + 1, "an unmoved head is not checkpointed again")
        let lines = harness.logs.lines
        // The event line keeps its fields and gains its place in the chain.
        #expect(lines.contains {
            $0.contains("\"stream\":\"audit\"") && $0.contains("\"action\":\"auth.signup\"") && $0.contains("\"audit_id\":")
                && $0.contains("\"seq\":\"") && $0.contains("\"entry_hash\":")
        })
        let export = try AuditExport.parse(lines.joined(separator: "\n"))
        #expect(export.unanchored == 0 && export.events.count >= 3 && export.checkpoints.last?.checkpoint.seq == head)
        #expect(try await harness.services.store.compareAuditExport(export).matches)
        return (harness, export)
    }

    @Test("the server writes each event's seq and entry hash and a signed checkpoint; they match the database")
    func streamMatches() async throws {
        _ = try await streamed()
    }

    // Tampering needs rights the MySQL application user does not have.
    @Test("a chain edited and re-signed with the real key verifies, but differs from the server's stream",
          .enabled(if: TestDatabase.selected == .sqlite))
    func resignedChainDiffersFromStream() async throws {
        let (harness, export) = try await streamed()
        // An insider with the database file and AUDIT_KEY edits entry 2 and re-signs the rest.
        try await harness.database.withConnection { conn in
            try conn.execute("DROP TRIGGER audit_events_no_update", [])
            try conn.execute("UPDATE audit_events SET actor_role = 'admin' WHERE seq = 2", [])
        }
        try await AuditChainForger(chain: TestDatabase.auditChain).resign(from: 2, in: harness.database)
        #expect(try await harness.services.store.verifyAuditChain().isIntact)
        let difference = try #require(try await harness.services.store.compareAuditExport(export).firstDifference)
        #expect(difference.seq == 2 && difference.reason.contains("re-signed"))
    }

    @Test("a head moved without the key gets no checkpoint, and the refusal is logged", .enabled(if: TestDatabase.selected == .sqlite))
    func refusesMovedHead() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in _ = try await client.customer() }
        _ = try await harness.database.withConnection { conn in try conn.execute("UPDATE audit_chain_head SET last_seq = 1 WHERE id = 1", []) }
        let before = harness.checkpointLines.count
        #expect(await AuditCheckpointer(services: harness.services).checkpoint() == nil)
        #expect(harness.checkpointLines.count == before)
        #expect(harness.logs.lines.contains { $0.contains("audit checkpoint refused") && $0.contains("headNotSigned") })
    }
}

extension TestHarness {
    var checkpointLines: [String] { logs.lines.filter { $0.contains("\"msg\":\"audit.checkpoint\"") } }
}
