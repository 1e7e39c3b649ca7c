import Domain
import Foundation
import SolarSecurity
import Storage
import StorageTesting
import Testing

@Suite("Retention: what has ended is deleted, what is live stays, on every driver")
struct RetentionTests {
    static func hash() -> String { OpaqueToken.generate().storageHash }

    @Test("ended sessions and their refresh tokens, old throttle rows and expired idempotency keys go; live ones stay",
          arguments: TestDriver.available)
    func purge(_ driver: TestDriver) async throws {
        let (store, _) = try await driver.make()
        let now = Date(timeIntervalSince1970: 1_900_000_000)
        let day: TimeInterval = 86400
        let account = Fixtures.account()
        func session(created: TimeInterval, absolute: TimeInterval, revoked: TimeInterval? = nil) -> SessionRecord {
            SessionRecord(id: UUID(), tokenHash: Self.hash(), accountID: account.id, kind: .api, createdAt: now.addingTimeInterval(created),
                          expiresAt: now.addingTimeInterval(created + 900), lastSeenAt: now.addingTimeInterval(created),
                          revokedAt: revoked.map { now.addingTimeInterval($0) }, absoluteExpiresAt: now.addingTimeInterval(absolute))
        }
        let revokedLongAgo = session(created: -50 * day, absolute: -20 * day, revoked: -40 * day)
        let expiredLongAgo = session(created: -70 * day, absolute: -31 * day)
        let revokedYesterday = session(created: -2 * day, absolute: 28 * day, revoked: -day)
        let live = session(created: -day, absolute: 29 * day)
        let oldRefresh = RefreshTokenRecord(id: UUID(), sessionID: revokedLongAgo.id, tokenHash: Self.hash(),
                                            createdAt: revokedLongAgo.createdAt, expiresAt: now.addingTimeInterval(-39 * day))
        let liveRefresh = RefreshTokenRecord(id: UUID(), sessionID: live.id, tokenHash: Self.hash(), createdAt: live.createdAt,
                                             expiresAt: now.addingTimeInterval(6 * day))
        let expiredKey = IdempotencyRecord(accountID: account.id, key: "old", fingerprint: String(repeating: "a", count: 64),
                                           createdAt: now.addingTimeInterval(-2 * day), expiresAt: now.addingTimeInterval(-day))
        let liveKey = IdempotencyRecord(accountID: account.id, key: "new", fingerprint: String(repeating: "b", count: 64),
                                        createdAt: now, expiresAt: now.addingTimeInterval(day))
        try await store.write { db in
            try db.insertAccount(account)
            for s in [revokedLongAgo, expiredLongAgo, revokedYesterday, live] { try db.insertSession(s) }
            try db.insertRefreshToken(oldRefresh)
            try db.insertRefreshToken(liveRefresh)
            try db.insertIdempotencyKey(expiredKey)
            try db.insertIdempotencyKey(liveKey)
            _ = try db.countThrottleFailures(keys: ["a:idle-key"], now: now.addingTimeInterval(-2 * day), windowStart: now.addingTimeInterval(-3 * day))
            _ = try db.countThrottleFailures(keys: ["a:recent-key"], now: now.addingTimeInterval(-60), windowStart: now.addingTimeInterval(-900))
        }
        let deleted = try await store.write { db in
            try db.purgeExpired(now: now, endedBefore: now.addingTimeInterval(-30 * day), throttleBefore: now.addingTimeInterval(-day))
        }
        #expect(deleted["sessions"] == 2 && deleted["refresh_tokens"] == 1 && deleted["idempotency_keys"] == 1 && deleted["login_throttle"] == 1,
                "\(deleted)")
        let gone = try await store.read { db in
            [try db.session(id: revokedLongAgo.id) == nil, try db.session(id: expiredLongAgo.id) == nil,
             try db.refreshToken(hash: oldRefresh.tokenHash) == nil, try db.idempotencyKey(accountID: account.id, key: "old") == nil,
             try db.throttle(key: "a:idle-key") == nil]
        }
        #expect(gone == [true, true, true, true, true])
        let kept = try await store.read { db in
            [try db.session(id: revokedYesterday.id) != nil, try db.session(id: live.id) != nil,
             try db.refreshToken(hash: liveRefresh.tokenHash) != nil, try db.idempotencyKey(accountID: account.id, key: "new") != nil,
             try db.throttle(key: "a:recent-key") != nil]
        }
        #expect(kept == [true, true, true, true, true])
        // A second pass finds nothing more.
        let again = try await store.write { db in
            try db.purgeExpired(now: now, endedBefore: now.addingTimeInterval(-30 * day), throttleBefore: now.addingTimeInterval(-day))
        }
        #expect(again.values.reduce(0, +) == 0)
    }

    @Test("the site details of orders ended long ago are erased; recent and open orders keep theirs; aggregates stay",
          arguments: TestDriver.available)
    func eraseSites(_ driver: TestDriver) async throws {
        let (store, _) = try await driver.make()
        let customer = Fixtures.account(), installer = Fixtures.account(.installer)
        let created = Date(timeIntervalSince1970: 1_800_000_000)
        func order(_ status: OrderStatus, updated: TimeInterval) -> Order {
            var o = Fixtures.order(customer: customer.id, status: status, installer: status == .cancelled ? nil : installer.id)
            o.notes = "Gate code 4321"
            o.updatedAt = created.addingTimeInterval(updated)
            return o
        }
        let oldCompleted = order(.completed, updated: 0), oldCancelled = order(.cancelled, updated: 0)
        let recentCompleted = order(.completed, updated: 400 * 86400), oldOpen = order(.scheduled, updated: 0)
        try await store.write { db in
            try db.insertAccount(customer)
            try db.insertAccount(installer)
            for o in [oldCompleted, oldCancelled, recentCompleted, oldOpen] { try db.insertOrder(o) }
        }
        let cut = created.addingTimeInterval(100 * 86400)
        #expect(try await store.write { db in try db.eraseSiteDetails(endedBefore: cut) } == 2)
        let after = try await store.read { db in
            try [oldCompleted, oldCancelled, recentCompleted, oldOpen].map { try #require(try db.order(id: $0.id)) }
        }
        for erased in after[0...1] {
            #expect(erased.address.line1 == "*" && erased.notes == nil && erased.address.postalCode == "28")
            #expect(erased.address.city == "Madrid" && erased.quote.totalCents > 0 && erased.location.latitude == 40.4)
        }
        for kept in after[2...3] { #expect(kept.address.line1 == "Calle Mayor 1" && kept.notes == "Gate code 4321") }
        #expect(try await store.write { db in try db.eraseSiteDetails(endedBefore: cut) } == 0)
    }
}
