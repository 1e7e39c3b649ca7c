@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SolarSecurity
import Storage
import Testing

@Suite("Least privilege for staff: masking, reveal, locks, break-glass, review")
struct StaffOversightTests {
    @Test("support search shows masked data; a reveal needs a reason, answers once and is audited")
    func maskingAndReveal() async throws {
        let harness = try await TestHarness.make()
        let support = try await harness.account(.support)
        try await harness.app.test(.router) { client in
            let customer = try await client.customer("juan.diaz@example.com")
            _ = try await client.order(customer)
            let token = try await client.login(support.email)
            let search = try await client.call(.post, "/api/v1/staff/customer-search", token: token, json: #"{"query":"juan.diaz@example.com"}"#)
            let item = try #require((try search.object()["items"] as? [[String: Any]])?.first)
            #expect(item["name"] as? String == "C*** C***")
            #expect(item["phone"] as? String == "+34 *** *** 456")
            #expect(item["email"] as? String == "j***@example.com")
            #expect(item["city"] as? String == "Madrid")
            for secret in ["Carla", "600123456", "juan.diaz@", "Calle Mayor"] { #expect(!search.text.contains(secret), "\(secret)") }
            let id = try #require(item["id"] as? String)
            let detail = try await client.call(.get, "/api/v1/staff/customers/\(id)", token: token)
            #expect(!detail.text.contains("Calle Mayor") && !detail.text.contains("600123456") && detail.text.contains("Madrid"))

            #expect(try await client.call(.post, "/api/v1/staff/customers/\(id)/reveal", token: token, json: #"{"reason":""}"#).status == .unprocessableContent)
            #expect(try await client.call(.post, "/api/v1/staff/customers/\(id)/reveal", token: token, json: "{}").status == .unprocessableContent)
            let revealed = try await client.call(.post, "/api/v1/staff/customers/\(id)/reveal", token: token,
                                                 json: #"{"reason":"customer called about the visit date","ticket":"SUP-1042"}"#)
            #expect(revealed.status == .ok)
            #expect(revealed.text.contains("Calle Mayor 1") && revealed.text.contains("+34600123456") && revealed.text.contains("juan.diaz@example.com"))
        }
        let reveals = try await harness.services.store.read { db in try db.auditEvents(limit: 100, offset: 0) }.filter { $0.action == "pii.reveal" }
        #expect(reveals.count == 1)
        #expect(reveals.first?.actorID == support.id && reveals.first?.detail?.contains("SUP-1042") == true)
    }

    @Test("support locks a customer (sessions end, login refused) but not staff; unlock restores")
    func locks() async throws {
        let harness = try await TestHarness.make()
        let support = try await harness.account(.support)
        let sales = try await harness.account(.sales)
        try await harness.app.test(.router) { client in
            let customer = try await client.customer("lockme@example.com")
            let id = try #require(try await client.call(.get, "/api/v1/me", token: customer).object()["id"] as? String)
            let token = try await client.login(support.email)
            #expect(try await client.call(.post, "/api/v1/staff/accounts/\(id)/lock", token: token).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/me", token: customer).status == .unauthorized)
            let refused = try await client.call(.post, "/api/v1/auth/login", json: #"{"email":"lockme@example.com","password":"correct horse battery"}"#)
            let refusedType = try refused.object()["type"] as? String
            #expect(refused.status == .unauthorized && refusedType == "/problems/invalid-credentials")
            #expect(try await client.call(.post, "/api/v1/staff/accounts/\(sales.id.uuidString)/lock", token: token).status == .forbidden)
            #expect(try await client.call(.post, "/api/v1/staff/accounts/\(id)/unlock", token: token).status == .noContent)
            #expect(try await client.login("lockme@example.com").isEmpty == false)
        }
    }

    @Test("engineers: no standing access; a grant needs another approver, is audited throughout and expires by itself")
    func breakGlass() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(now: { clock.now })
        let engineer = try await harness.account(.engineer)
        let colleague = try await harness.account(.engineer)
        try await harness.app.test(.router) { client in
            let customer = try await client.customer("incident@example.com")
            let customerID = try #require(try await client.call(.get, "/api/v1/me", token: customer).object()["id"] as? String)
            let token = try await client.login(engineer.email, at: clock.now)
            let other = try await client.login(colleague.email, at: clock.now)
            #expect(try await client.call(.get, "/api/v1/staff/customers/\(customerID)", token: token).status == .forbidden)

            let short = try await client.call(.post, "/api/v1/staff/break-glass", token: token, json: #"{"reason":"x","durationMinutes":30}"#)
            #expect(short.status == .unprocessableContent)
            let long = try await client.call(.post, "/api/v1/staff/break-glass", token: token, json: #"{"reason":"INC-77 orders stuck","durationMinutes":90}"#)
            #expect(long.status == .unprocessableContent)
            let request = try await client.call(.post, "/api/v1/staff/break-glass", token: token, json: #"{"reason":"INC-77 orders stuck in dispatching","durationMinutes":30}"#)
            #expect(request.status == .created)
            let grant = try #require(try request.object()["id"] as? String)
            let own = try await client.call(.post, "/api/v1/staff/break-glass/\(grant)/approve", token: token)
            #expect(own.status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/staff/customers/\(customerID)", token: token).status == .forbidden)

            #expect(try await client.call(.post, "/api/v1/staff/break-glass/\(grant)/approve", token: other).status == .ok)
            // Approving twice is refused, not a second grant.
            #expect(try await client.call(.post, "/api/v1/staff/break-glass/\(grant)/approve", token: other).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/staff/customers/\(customerID)", token: token).status == .ok)
            // The grant covers customer data only, not other roles' work.
            #expect(try await client.call(.get, "/api/v1/staff/sales/summary", token: token).status == .forbidden)
            clock.advance(by: 29 * 60)
            let later = try await client.login(engineer.email, at: clock.now)
            #expect(try await client.call(.get, "/api/v1/staff/customers/\(customerID)", token: later).status == .ok)
            clock.advance(by: 2 * 60)
            #expect(try await client.call(.get, "/api/v1/staff/customers/\(customerID)", token: later).status == .forbidden)
        }
        let events = try await harness.services.store.read { db in try db.auditEvents(limit: 200, offset: 0) }
        #expect(events.filter { $0.action == "security.break_glass.action" && $0.actorID == engineer.id }.count == 3)
        #expect(events.contains { $0.action == "security.break_glass.approve" && $0.outcome == .denied && $0.actorID == engineer.id })
        #expect(events.contains { $0.action == "security.break_glass.approve" && $0.outcome == .success && $0.actorID == colleague.id })
    }

    @Test("admins have no standing access to customer data either: a grant approved by someone else opens it, audited")
    func adminsUseBreakGlass() async throws {
        let harness = try await TestHarness.make()
        let admin = try await harness.account(.admin), engineer = try await harness.account(.engineer)
        try await harness.app.test(.router) { client in
            _ = try await client.customer("guarded@example.com")
            let adminToken = try await client.login(admin.email)
            let search = "/api/v1/staff/customer-search", query = #"{"query":"guarded@example.com"}"#
            #expect(try await client.call(.post, search, token: adminToken, json: query).status == .forbidden)
            let request = try await client.call(.post, "/api/v1/staff/break-glass", token: adminToken,
                                                json: #"{"reason":"customer escalated to management, need the record","durationMinutes":15}"#)
            #expect(request.status == .created)
            let grant = try #require(try request.object()["id"] as? String)
            #expect(try await client.call(.post, "/api/v1/staff/break-glass/\(grant)/approve", token: adminToken).status == .forbidden)
            let engineerToken = try await client.login(engineer.email)
            #expect(try await client.call(.post, "/api/v1/staff/break-glass/\(grant)/approve", token: engineerToken).status == .ok)
            let during = try await client.call(.post, search, token: adminToken, json: query)
            #expect(during.status == .ok && during.text.contains("g***@example.com"))
        }
        let actions = try await harness.services.store.read { db in try db.auditEvents(limit: 100, offset: 0) }
            .filter { $0.action == "security.break_glass.action" && $0.actorID == admin.id }
        #expect(actions.count == 1, "the admin's request under the grant is audited")
    }

    @Test("the staff review lists every staff account with MFA, last login, dormancy and open grants")
    func review() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(now: { clock.now })
        let admin = try await harness.account(.admin)
        let dormant = try await harness.account(.sales, mfa: false)
        _ = dormant
        try await harness.app.test(.router) { client in
            clock.advance(by: 31 * 86_400)
            let token = try await client.login(admin.email, at: clock.now)
            let review = try await client.call(.get, "/api/v1/admin/staff-review", token: token).object()
            let staff = try #require(review["staff"] as? [[String: Any]])
            #expect(staff.count == 2)
            let sales = try #require(staff.first { $0["role"] as? String == "sales" })
            #expect(sales["mfaEnabled"] as? Bool == false && sales["dormant"] as? Bool == true)
            let me = try #require(staff.first { $0["role"] as? String == "admin" })
            #expect(me["mfaEnabled"] as? Bool == true && me["dormant"] as? Bool == false)
            #expect(try await client.call(.get, "/api/v1/admin/staff-review", token: try await client.customer()).status == .forbidden)
        }
    }
}
