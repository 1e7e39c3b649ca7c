@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import StorageTesting
import Testing

@Suite("Scheduled audit-chain verification")
struct AuditMonitorTests {
    // Tampering needs rights the MySQL application user does not have (no UPDATE on audit events).
    @Test("the server's scheduled check reports an intact chain, then the edited entry", .enabled(if: TestDatabase.selected == .sqlite))
    func detectsTampering() async throws {
        let harness = try await TestHarness.make()
        let monitor = AuditChainMonitor(services: harness.services)
        try await harness.app.test(.router) { client in
            for _ in 0..<3 { _ = try await client.customer() }
        }
        let intact = try #require(await monitor.check())
        #expect(intact.isIntact && intact.verified >= 3)
        #expect(harness.services.metrics.exposition().contains("solar_audit_chain_intact 1"))

        // Someone with direct database access edits one entry (after dropping the guard trigger).
        try await harness.database.withConnection { conn in
            try conn.execute("DROP TRIGGER audit_events_no_update", [])
            try conn.execute("UPDATE audit_events SET detail = 'nothing to see' WHERE seq = 2", [])
        }
        let broken = try #require(await monitor.check())
        #expect(broken.firstBroken?.seq == 2)
        #expect(harness.services.metrics.exposition().contains("solar_audit_chain_intact 0"))
        #expect(harness.logs.lines.contains { $0.contains("audit chain broken") && $0.contains("\"critical\"") })
    }

    @Test("the scheduled check reports a trail emptied under its head", .enabled(if: TestDatabase.selected == .sqlite))
    func detectsEmptiedTrail() async throws {
        let harness = try await TestHarness.make()
        let monitor = AuditChainMonitor(services: harness.services)
        try await harness.app.test(.router) { client in _ = try await client.customer() }
        #expect(try #require(await monitor.check()).isIntact)
        try await harness.database.withConnection { conn in
            try conn.execute("DROP TRIGGER audit_events_no_delete", [])
            try conn.execute("DELETE FROM audit_events", [])
        }
        let broken = try #require(await monitor.check()?.firstBroken)
        #expect(broken.id == "head" && broken.reason.contains("emptied"))
        #expect(harness.services.metrics.exposition().contains("solar_audit_chain_intact 0"))
    }
}

@Suite("Failures that must not vanish")
struct SilentFailureTests {
    @Test("a denial whose audit write fails still answers 403, and is logged at error level and counted", .enabled(if: TestDatabase.selected == .sqlite))
    func deniedWithoutAudit() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let customer = try await client.customer()
            // The audit table is gone (a broken database): every audit append now fails.
            try await harness.database.withConnection { conn in try conn.execute("ALTER TABLE audit_events RENAME TO audit_events_gone", []) }
            let denied = try await client.call(.post, "/api/v1/staff/customer-search", token: customer, json: #"{"query":"someone"}"#)
            #expect(denied.status == .forbidden)
            #expect(!denied.text.contains("audit_events"))
            #expect(harness.logs.lines.contains { $0.contains("audit write for an access denial failed") && $0.contains("\"level\":\"error\"") })
            #expect(harness.services.metrics.exposition().contains(#"solar_internal_failures_total{operation="denial_audit"} 1"#))
        }
    }

    @Test("an outbox whose database read fails logs the error and counts it", .enabled(if: TestDatabase.selected == .sqlite))
    func outboxReadFailure() async throws {
        let harness = try await TestHarness.make()
        try await harness.database.withConnection { conn in try conn.execute("ALTER TABLE outbox_emails RENAME TO outbox_emails_gone", []) }
        #expect(await OutboxDispatcher(services: harness.services).deliverPending() == 0)
        #expect(harness.logs.lines.contains { $0.contains("outbox database operation failed") && $0.contains("outbox_read") })
        #expect(harness.services.metrics.exposition().contains(#"solar_internal_failures_total{operation="outbox_read"} 1"#))
    }
}

@Suite("Outbox delivery")
struct OutboxClaimTests {
    @Test("two dispatchers sweeping at once send each email exactly once")
    func onceOnly() async throws {
        let harness = try await TestHarness.make()
        let account = try await harness.account(.customer)
        let recovery = RecoveryService(services: harness.services)
        let now = Date()
        try await harness.services.store.write { db in for _ in 0..<8 { try recovery.issue(.verifyEmail, to: account, db: db, now: now) } }
        async let first = OutboxDispatcher(services: harness.services).deliverPending()
        async let second = OutboxDispatcher(services: harness.services).deliverPending()
        let (a, b) = await (first, second)
        #expect(a + b == 8)
        #expect(try await harness.mail().count == 8)
    }
}
