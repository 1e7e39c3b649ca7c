import Domain
import Foundation
@testable import Storage
import StorageTesting
import Testing

/// The queries that must stay O(page) as the data grows read through an index on both
/// databases: the plan never scans the table.
@Suite("Hot queries use indexes")
struct QueryPlanTests {
    static let queries: [(name: String, sql: String, binds: [SQLValue])] = [
        ("support search", SQLAccess.customerSearchSQL(emails: 2, phones: 2), [.text("a"), .text("b"), .text("c"), .text("d"), .int(20)]),
        ("audit viewer page", SQLAccess.auditPageSQL, [.int(1_000), .int(20)]),
        ("customer's orders", "SELECT \(SQLAccess.orderColumns) FROM orders WHERE customer_id = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
         [.text(UUID().uuidString.lowercased()), .int(20), .int(0)]),
    ]

    @Test("no full table scan", arguments: TestDriver.available)
    func indexed(_ driver: TestDriver) async throws {
        let (store, database) = try await driver.make()
        // Enough rows that a cost-based planner (MySQL's) would rather use an index than read
        // a near-empty table whole.
        try await store.write { db in
            for n in 0..<300 {
                var account = Fixtures.account(email: "plan-\(n)@example.com")
                account.phone = "+3460000\(String(format: "%04d", n))"
                try db.insertAccount(account)
            }
        }
        if driver == .mysql { _ = try await database.withConnection { conn in try conn.query("ANALYZE TABLE accounts", []) } }
        for query in Self.queries {
            let plan = try await database.withConnection { conn in
                try conn.query((driver == .sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + query.sql, query.binds)
            }
            let text = plan.map { row in row.values.map { "\($0)" }.joined(separator: " ") }.joined(separator: "\n")
            if driver == .sqlite {
                #expect(!text.contains("SCAN accounts") && !text.contains("SCAN audit_events") && !text.contains("SCAN orders"), "\(query.name): \(text)")
            } else {
                // MySQL's access type ALL is a full scan.
                let types = try plan.map { try $0.optionalString("type") }
                #expect(!types.contains("ALL"), "\(query.name): \(text)")
            }
        }
    }
}
