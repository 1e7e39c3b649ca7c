@testable import App
import Domain
import Foundation
import HTTPTypes
import HummingbirdTesting
import Storage
import Testing

@Suite("Audit viewer pages by position in the trail")
struct AuditViewerTests {
    @Test("before pages walk the whole trail without gaps or repeats; offset still works; both at once is a 400")
    func keysetPaging() async throws {
        let harness = try await TestHarness.make()
        let engineer = try await harness.account(.engineer)
        for n in 0..<23 {
            try await harness.services.store.write { db in
                try db.appendAudit(AuditEvent(occurredAt: Date(), actorID: nil, actorRole: nil, action: "test.page", targetType: nil, targetID: nil,
                                              outcome: .success, clientIP: nil, requestID: "r\(n)", detail: nil))
            }
        }
        try await harness.app.test(.router) { client in
            let token = try await client.login(engineer.email)
            let total = try await harness.services.store.read { db in try db.auditEvents(limit: 10_000, offset: 0) }.count
            var seen: [String] = [], before: Int64?
            repeat {
                let page = try await client.call(.get, "/api/v1/staff/audit-events?limit=5" + (before.map { "&before=\($0)" } ?? ""), token: token)
                #expect(page.status == .ok)
                let object = try page.object()
                seen += (object["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                before = (object["nextBefore"] as? NSNumber)?.int64Value
                // An offset means nothing below a `before`: only the first page offers one.
                #expect(seen.count <= 5 || object["nextOffset"] == nil)
            } while before != nil && seen.count < 1_000
            // Reading the viewer is itself audited, after each page: every event that existed
            // before the first page is seen once, newest first.
            #expect(seen.count >= total && Set(seen).count == seen.count)
            let offset = try await client.call(.get, "/api/v1/staff/audit-events?limit=5&offset=5", token: token)
            let next = try offset.object()["nextOffset"] as? Int
            #expect(offset.status == .ok && next == 10)
            for bad in ["before=5&offset=5", "before=0", "before=-1", "before=x", "before=99999999999999999999"] {
                #expect(try await client.call(.get, "/api/v1/staff/audit-events?\(bad)", token: token).status == .badRequest, "\(bad)")
            }
        }
    }
}
