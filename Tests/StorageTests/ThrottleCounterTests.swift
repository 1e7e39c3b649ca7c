import Domain
import Foundation
import Storage
import StorageTesting
import Testing

@Suite("Login throttle counters, run against every driver")
struct ThrottleCounterTests {
    @Test("concurrent failures on one key are all counted, none is lost and none ends in a conflict", arguments: TestDriver.available)
    func parallelFailures(_ driver: TestDriver) async throws {
        let (store, _) = try await driver.make()
        let now = Date(), window = now.addingTimeInterval(-900)
        let keys = ["a:parallel-account", "i:203.0.113.9"]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<24 {
                group.addTask { _ = try await store.write { db in try db.countThrottleFailures(keys: keys, now: now, windowStart: window) } }
            }
            try await group.waitForAll()
        }
        for key in keys {
            #expect(try await store.read { db in try db.throttle(key: key) }?.failures == 24, "\(key)")
        }
    }

    @Test("the count restarts after the window, and a lock is set and cleared", arguments: TestDriver.available)
    func windowAndLock(_ driver: TestDriver) async throws {
        let (store, _) = try await driver.make()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let key = "a:window"
        for i in 0..<3 {
            let at = start.addingTimeInterval(Double(i))
            let counts = try await store.write { db in try db.countThrottleFailures(keys: [key], now: at, windowStart: at.addingTimeInterval(-900)) }
            #expect(counts[key] == i + 1)
        }
        let later = start.addingTimeInterval(2000)
        #expect(try await store.write { db in try db.countThrottleFailures(keys: [key], now: later, windowStart: later.addingTimeInterval(-900)) }[key] == 1)
        try await store.write { db in try db.setThrottleLock(key: key, until: later.addingTimeInterval(60)) }
        #expect(try await store.read { db in try db.throttle(key: key) }?.lockedUntil == later.addingTimeInterval(60))
        try await store.write { db in try db.setThrottleLock(key: key, until: nil) }
        #expect(try await store.read { db in try db.throttle(key: key) }?.lockedUntil == nil)
    }
}
