import Domain
import Foundation
import Storage
import StorageTesting
import Testing

extension StoreTests {
    @Test("orders waiting for offers: dispatching with no open, unexpired offer; expired offers are marked", arguments: TestDriver.available)
    func awaitingOffers(_ driver: TestDriver) async throws {
        let (store, _) = try await driver.make()
        let customer = Fixtures.account(), a = Fixtures.account(.installer), b = Fixtures.account(.installer)
        let now = Date()
        let noOffers = Fixtures.order(customer: customer.id, status: .dispatching)
        let runOut = Fixtures.order(customer: customer.id, status: .dispatching)
        let stillOpen = Fixtures.order(customer: customer.id, status: .dispatching)
        let cancelled = Fixtures.order(customer: customer.id, status: .cancelled)
        let expired = Fixtures.offer(order: runOut.id, installer: a.id, expires: now.addingTimeInterval(-1))
        let open = Fixtures.offer(order: stillOpen.id, installer: a.id, expires: now.addingTimeInterval(60))
        let stale = Fixtures.offer(order: stillOpen.id, installer: b.id, expires: now.addingTimeInterval(-60))
        try await store.write { db in
            for account in [customer, a, b] { try db.insertAccount(account) }
            for order in [noOffers, runOut, stillOpen, cancelled] { try db.insertOrder(order) }
            for offer in [expired, open, stale] { try db.insertOffer(offer) }
        }
        let waiting = try await store.read { db in try db.ordersAwaitingOffers(now: now, after: nil, limit: 10) }
        #expect(Set(waiting) == [noOffers.id, runOut.id])
        // Pages in id order reach every waiting order.
        let first = try await store.read { db in try db.ordersAwaitingOffers(now: now, after: nil, limit: 1) }
        let second = try await store.read { db in try db.ordersAwaitingOffers(now: now, after: first.first, limit: 1) }
        #expect(first.count == 1 && second.count == 1 && Set(first + second) == Set(waiting))
        #expect(try await store.read { db in try db.ordersAwaitingOffers(now: now, after: second.first, limit: 1) }.isEmpty)

        #expect(try await store.write { db in try db.expireOffers(orderID: stillOpen.id, now: now) } == 1)
        #expect(try await store.read { db in try db.offers(orderID: stillOpen.id) }.map(\.status).sorted { $0.rawValue < $1.rawValue } == [.expired, .open])
        #expect(try await store.write { db in try db.expireOffers(orderID: runOut.id, now: now) } == 1)
        #expect(try await store.write { db in try db.expireOffers(orderID: runOut.id, now: now) } == 0)
        // Once the open offer runs out too, that order is waiting as well.
        let later = now.addingTimeInterval(120)
        #expect(Set(try await store.read { db in try db.ordersAwaitingOffers(now: later, after: nil, limit: 10) }) == [noOffers.id, runOut.id, stillOpen.id])
    }
}
