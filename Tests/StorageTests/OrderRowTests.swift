import Domain
import Foundation
@testable import Storage
import StorageTesting
import Testing

/// Orders are read by the position of each value in `orderColumns`; a result whose columns are
/// not that list (another order, a missing column) is refused as corrupt, never read askew.
@Suite("Order rows read by position")
struct OrderRowTests {
    @Test("the select list reads back the order; any other column list is a corrupt row", arguments: TestDriver.available)
    func positional(_ driver: TestDriver) async throws {
        let (store, _) = try await driver.make()
        let customer = Fixtures.account(email: "rows@example.com")
        var order = Fixtures.order(customer: customer.id)
        order.notes = "Gate code 1234"
        let stored = order
        try await store.write { db in
            try db.insertAccount(customer)
            try db.insertOrder(stored)
        }
        #expect(try await store.read { db in try db.orders(customerID: customer.id, limit: 20, offset: 0) } == [stored])
        let names = SQLAccess.orderColumnNames
        for columns in [names.reversed(), Array(names.dropLast()), [names[1], names[0]] + names.dropFirst(2)] {
            let sql = "SELECT \(columns.joined(separator: ", ")) FROM orders WHERE id = ?"
            await #expect(throws: StorageError.self) {
                try await store.read { db in try (db as! SQLAccess).orders(from: (db as! SQLAccess).conn.query(sql, [.uuid(stored.id)])) }
            }
        }
    }
}
