import Domain
import Foundation
import SolarSecurity
import Storage
import StorageTesting
import Testing

/// The chain check reads the trail a batch at a time: breaks are found across batch
/// boundaries, the end is compared with the head read beside the last batch, and a cancelled
/// check stops between batches.
@Suite("Audit chain checked in batches")
struct AuditChainBatchTests {
    let tests = AuditChainTests()

    @Test("an intact chain verifies with any batch size, and breaks are found across batches")
    func batches() async throws {
        let (store, database) = try await tests.tamperable()
        for n in 6...11 { try await store.write { db in try db.appendAudit(tests.event(n)) } }
        for batch in [1, 2, 3, 10, 11, 12, 2_000] {
            let report = try await store.verifyAuditChain(batch: batch)
            #expect(report.isIntact && report.verified == 11, "batch \(batch)")
        }
        try await database.withConnection { conn in try conn.execute("UPDATE audit_events SET detail = 'x' WHERE seq = 7", []) }
        for batch in [1, 3, 6, 7, 2_000] {
            let broken = try #require(try await store.verifyAuditChain(batch: batch).firstBroken, "batch \(batch)")
            #expect(broken.seq == 7 && broken.reason.contains("edited"), "batch \(batch)")
        }
    }

    @Test("a cut tail is found when the last batch is exactly full")
    func cutTail() async throws {
        let (store, database) = try await tests.tamperable()
        try await database.withConnection { conn in try conn.execute("DELETE FROM audit_events WHERE seq >= 5", []) }
        for batch in [1, 2, 4, 5] {
            #expect(try await store.verifyAuditChain(batch: batch).firstBroken?.id == "head", "batch \(batch)")
        }
    }

    @Test("entries appended while the check runs do not break it")
    func appendsDuringCheck() async throws {
        let (store, _) = try await TestDriver.sqlite.make()
        for n in 1...40 { try await store.write { db in try db.appendAudit(tests.event(n)) } }
        async let writes: Void = {
            for n in 41...80 { try await store.write { db in try db.appendAudit(tests.event(n)) } }
        }()
        let report = try await store.verifyAuditChain(batch: 1)
        try await writes
        #expect(report.isIntact, "\(String(describing: report.firstBroken))")
        #expect(report.verified >= 40)
    }

    @Test("a cancelled check stops with CancellationError")
    func cancelled() async throws {
        let (store, _) = try await tests.tamperable()
        let task = Task { try await store.verifyAuditChain(batch: 1) }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
