import Domain
import Foundation
import Storage
import StorageTesting
import Testing

@Suite("Outbox claims, run against every driver")
struct OutboxClaimStoreTests {
    @Test("a claim holds the email through the send: a dispatcher that read it earlier cannot claim it again", arguments: TestDriver.available)
    func claimLasts(_ driver: TestDriver) async throws {
        let (store, _) = try await driver.make()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let id = UUID()
        try await store.write { db in
            try db.enqueueEmail(OutboxEmail(id: id, template: .verifyEmail, recipientCiphertext: "v1:to", payloadCiphertext: "v1:token", createdAt: now))
        }
        // Dispatcher A reads and claims (attempts 0 -> 1).
        #expect(try await store.read { db in try db.dueEmails(limit: 10, now: now) }.map(\.id) == [id])
        #expect(try await store.write { db in try db.claimEmail(id: id, attempts: 0, now: now, until: now.addingTimeInterval(120)) })
        // Dispatcher B read it after A's claim (attempts 1) while A is still sending: it gets nothing.
        let during = now.addingTimeInterval(1)
        #expect(try await store.read { db in try db.dueEmails(limit: 10, now: during) }.isEmpty)
        #expect(try await !store.write { db in try db.claimEmail(id: id, attempts: 1, now: during, until: during.addingTimeInterval(120)) })
        // Still pending (not sent), for whoever waits on the outbox.
        #expect(try await store.read { db in try db.pendingEmails(limit: 10) }.map(\.id) == [id])
        // A's send failed and it deferred the retry: due again only at the retry time.
        try await store.write { db in try db.deferEmail(id: id, until: now.addingTimeInterval(30)) }
        #expect(try await store.read { db in try db.dueEmails(limit: 10, now: now.addingTimeInterval(29)) }.isEmpty)
        let retry = now.addingTimeInterval(30)
        #expect(try await store.read { db in try db.dueEmails(limit: 10, now: retry) }.map(\.attempts) == [1])
        #expect(try await store.write { db in try db.claimEmail(id: id, attempts: 1, now: retry, until: retry.addingTimeInterval(120)) })
        try await store.write { db in try db.markEmailSent(id: id, at: retry) }
        let lapsed = retry.addingTimeInterval(500)
        #expect(try await store.read { db in try db.dueEmails(limit: 10, now: lapsed) }.isEmpty)
        #expect(try await !store.write { db in try db.claimEmail(id: id, attempts: 2, now: lapsed, until: lapsed.addingTimeInterval(120)) })
    }
}
