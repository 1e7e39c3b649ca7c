@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing

@Suite("Staff: support, sales, engineers and admins")
struct StaffTests {
    @Test("support finds a customer, views them, cancels an order with a reason; all audited")
    func support() async throws {
        let harness = try await TestHarness.make()
        let support = try await harness.account(.support)
        try await harness.app.test(.router) { client in
            let customer = try await client.customer("maria@example.com")
            let id = try await client.order(customer)
            let token = try await client.login(support.email)
            let found = try #require(try await client.call(.post, "/api/v1/staff/customer-search", token: token, json: #"{"query":"maria@example.com"}"#).object()["items"] as? [[String: Any]])
            // The query never travels in the URL any more (ASVS V14.2.1).
            #expect(try await client.call(.get, "/api/v1/staff/customers?query=maria%40example.com", token: token).status == .notFound)
            #expect(found.count == 1)
            let customerID = try #require(found.first?["id"] as? String)
            let detail = try await client.call(.get, "/api/v1/staff/customers/\(customerID)", token: token).object()
            #expect((detail["orders"] as? [Any])?.count == 1)
            // Staff accounts are not customers: looking one up answers 404.
            #expect(try await client.call(.get, "/api/v1/staff/customers/\(support.id.uuidString)", token: token).status == .notFound)

            let noReason = try await client.call(.patch, "/api/v1/staff/orders/\(id)", token: token, json: #"{"action":"cancel","reason":""}"#)
            #expect(noReason.status == .unprocessableContent)
            let early = try await client.call(.patch, "/api/v1/staff/orders/\(id)", token: token, json: #"{"action":"reschedule","scheduledDate":"2099-01-01","reason":"ticket 42"}"#)
            #expect(early.status == .conflict)
            let cancelled = try await client.call(.patch, "/api/v1/staff/orders/\(id)", token: token, json: #"{"action":"cancel","reason":"ticket 42"}"#)
            #expect(cancelled.status == .ok)
            #expect(try await client.call(.get, "/api/v1/orders/\(id)", token: customer).object()["status"] as? String == "cancelled")
        }
        let events = try await harness.services.store.read { db in try db.auditEvents(limit: 100, offset: 0) }
        let staffEvents = events.filter { $0.actorRole == .support }
        #expect(Set(staffEvents.map(\.action)).isSuperset(of: ["staff.customer.search", "staff.customer.view", "order.transition"]))
        #expect(staffEvents.contains { $0.detail?.contains("ticket 42") == true })
    }

    @Test("support reschedules a scheduled job")
    func reschedule() async throws {
        let harness = try await TestHarness.make()
        let support = try await harness.account(.support)
        let installer = try await harness.account(.installer)
        try await harness.app.test(.router) { client in
            let installerToken = try await client.login(installer.email)
            let (_, id, offer) = try await client.dispatchedOrder(installerToken: installerToken)
            _ = try await client.call(.post, "/api/v1/installer/offers/\(offer)/accept", token: installerToken)
            let token = try await client.login(support.email)
            let moved = try await client.call(.patch, "/api/v1/staff/orders/\(id)", token: token, json: #"{"action":"reschedule","scheduledDate":"2099-03-01","reason":"customer called"}"#)
            #expect(moved.status == .ok)
            #expect(try moved.object()["scheduledDate"] as? String == "2099-03-01")
            let past = try await client.call(.patch, "/api/v1/staff/orders/\(id)", token: token, json: #"{"action":"reschedule","scheduledDate":"2001-03-01","reason":"x"}"#)
            #expect(past.status == .unprocessableContent)
        }
    }

    @Test("the sales summary holds aggregates only, no personal data")
    func salesHasNoPII() async throws {
        let harness = try await TestHarness.make()
        let sales = try await harness.account(.sales)
        try await harness.app.test(.router) { client in
            let customer = try await client.customer("pii-check@example.com")
            _ = try await client.order(customer)
            _ = try await client.order(customer)
            let token = try await client.login(sales.email)
            let response = try await client.call(.get, "/api/v1/staff/sales/summary", token: token)
            #expect(response.status == .ok)
            let summary = try response.object()
            let byStatus = try #require(summary["byStatus"] as? [[String: Any]])
            #expect(byStatus.first { $0["status"] as? String == "quoted" }?["count"] as? Int == 2)
            #expect(summary["quoteConversionRate"] as? Double == 0)
            for pii in ["pii-check", "Carla", "+34600123456", "Calle Mayor", "28013", "Gate code"] {
                #expect(!response.text.contains(pii), "sales summary leaks \(pii)")
            }
            #expect(!response.text.lowercased().contains("\"id\""))
        }
    }

    @Test("engineers read the audit trail; admins create staff accounts")
    func engineerAndAdmin() async throws {
        let harness = try await TestHarness.make()
        let engineer = try await harness.account(.engineer)
        let admin = try await harness.account(.admin)
        try await harness.app.test(.router) { client in
            let token = try await client.login(engineer.email)
            let page = try await client.call(.get, "/api/v1/staff/audit-events?limit=5", token: token).object()
            #expect((page["items"] as? [Any])?.isEmpty == false)
            let adminToken = try await client.login(admin.email)
            let body = #"{"email":"new.installer@example.com","name":"Ines","phone":"+34600999888","role":"installer"}"#
            let created = try await client.call(.post, "/api/v1/admin/accounts", token: adminToken, json: body)
            #expect(created.status == .created)
            #expect(try created.object()["role"] as? String == "installer")
            #expect(!created.text.contains("password") && !created.text.contains("token"))
            // An admin cannot set the password: the field is refused.
            let withPassword = #"{"email":"other.installer@example.com","name":"Ines","phone":"+34600999887","role":"installer","password":"a long initial password"}"#
            #expect(try await client.call(.post, "/api/v1/admin/accounts", token: adminToken, json: withPassword).status == .unprocessableContent)
            let code = try await InvitationTests.code(harness, to: "new.installer@example.com")
            let accept = #"{"token":"\#(code)","password":"a long initial password"}"#
            #expect(try await client.call(.post, "/api/v1/auth/invitation", json: accept).status == .noContent)
            #expect(try await client.login("new.installer@example.com", "a long initial password").isEmpty == false)
        }
    }
}
