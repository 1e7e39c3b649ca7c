@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing

/// GDPR Art. 15, 17 and 20 (ASVS V14.2.4 and V14.3): a copy of one's data, and erasure.
@Suite("The data subject's rights: a copy of the data and account deletion")
struct PrivacyTests {
    @Test("the copy holds the decrypted profile, orders, sessions and activity, after a recent authentication, and is audited")
    func export() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(now: { clock.now })
        try await harness.app.test(.router) { client in
            let token = try await client.customer("copy@example.com")
            let id = try await client.order(token)
            clock.advance(by: 6 * 60)
            let stale = try await client.call(.get, "/api/v1/me/export", token: token)
            #expect(try stale.status == .forbidden && stale.object()["type"] as? String == "/problems/reauthentication-required")
            let fresh = try await client.reauth(token)
            let copy = try await client.call(.get, "/api/v1/me/export", token: fresh)
            #expect(copy.status == .ok)
            let body = try copy.object()
            let account = try #require(body["account"] as? [String: Any])
            #expect(account["email"] as? String == "copy@example.com" && account["phone"] as? String == "+34600123456")
            let orders = try #require(body["orders"] as? [[String: Any]])
            #expect(orders.count == 1 && (orders.first?["id"] as? String)?.lowercased() == id.lowercased())
            #expect(copy.text.contains("Calle Mayor 1") && copy.text.contains("Gate code at reception"), "site details decrypted")
            #expect((body["sessions"] as? [Any])?.isEmpty == false)
            #expect((body["activity"] as? [[String: Any]])?.contains { $0["action"] as? String == "auth.login" } == true)
        }
        let events = try await harness.services.store.read { db in try db.auditEvents(limit: 100, offset: 0) }
        #expect(events.contains { $0.action == "account.export" })
    }

    @Test("the copy names no staff member's address, and an installer's copy holds no customer's site")
    func exportBoundaries() async throws {
        let harness = try await TestHarness.make()
        let support = try await harness.account(.support)
        let installer = try await harness.account(.installer)
        try await harness.app.test(.live) { client in
            let installerToken = try await client.login(installer.email)
            let (customer, _, offer) = try await client.dispatchedOrder(installerToken: installerToken)
            #expect(try await client.call(.post, "/api/v1/installer/offers/\(offer)/accept", token: installerToken).status == .ok)
            let me = try #require(try await client.call(.get, "/api/v1/me", token: customer).object()["id"] as? String)
            let staff = try await client.login(support.email)
            _ = try await client.call(.post, "/api/v1/staff/accounts/\(me)/logout", token: staff)
            let customerToken = try await client.login(try #require(try await harness.services.store.read { db in try db.account(id: UUID(uuidString: me)!) }).email)
            let copy = try await client.call(.get, "/api/v1/me/export", token: customerToken)
            #expect(copy.status == .ok && copy.text.contains("staff.account.force_logout"))
            let activity = try #require(try copy.object()["activity"] as? [[String: Any]])
            // Live HTTP: the customer's own requests carry their address, the support agent's action does not.
            #expect(activity.contains { $0["action"] as? String == "auth.login" && $0["clientIp"] as? String != nil })
            #expect(activity.filter { $0["action"] as? String == "staff.account.force_logout" }.allSatisfy { $0["clientIp"] == nil })
            let installerCopy = try await client.call(.get, "/api/v1/me/export", token: try await client.login(installer.email, at: Date().addingTimeInterval(30)))
            #expect(installerCopy.status == .ok && !installerCopy.text.contains("Calle Mayor") && !installerCopy.text.contains("Gate code"))
        }
    }

    @Test("deleting the account erases its personal data and site details, ends its sessions, keeps finished orders anonymised")
    func delete() async throws {
        let harness = try await TestHarness.make()
        let installer = try await harness.account(.installer)
        try await harness.app.test(.router) { client in
            let token = try await client.customer("leaving@example.com")
            let other = try await client.login("leaving@example.com")
            let id = try await client.order(token)
            let open = try await client.call(.delete, "/api/v1/me", token: token)
            #expect(try open.status == .conflict && open.object()["type"] as? String == "/problems/open-orders")
            #expect(try await client.call(.post, "/api/v1/orders/\(id)/cancel", token: token).status == .ok)
            #expect(try await client.call(.delete, "/api/v1/me", token: token).status == .noContent)
            for t in [token, other] { #expect(try await client.call(.get, "/api/v1/me", token: t).status == .unauthorized) }
            let login = #"{"email":"leaving@example.com","password":"correct horse battery"}"#
            #expect(try await client.call(.post, "/api/v1/auth/login", json: login).status == .unauthorized)
            // The address is free again: a new signup is a new account.
            let again = #"{"email":"leaving@example.com","password":"another long passphrase","name":"New","phone":"+34600999888"}"#
            #expect(try await client.call(.post, "/api/v1/auth/signup", json: again).status == .accepted)
            // Only customers delete themselves.
            let installerToken = try await client.login(installer.email)
            #expect(try await client.call(.delete, "/api/v1/me", token: installerToken).status == .forbidden)

            let order = try #require(try await harness.services.store.read { db in try db.order(id: UUID(uuidString: id)!) })
            #expect(order.address.line1 == "*" && order.notes == nil && order.address.city == "Madrid" && order.quote.totalCents > 0)
            let erased = try #require(try await harness.services.store.read { db in try db.account(id: order.customerID) })
            #expect(erased.email.hasPrefix("erased-") && erased.name == "*" && erased.phone == "erased--" && erased.lockedAt != nil)
            #expect(try await harness.services.store.read { db in try db.activeSessions(accountID: order.customerID, now: Date()) }.isEmpty)
        }
        let events = try await harness.services.store.read { db in try db.auditEvents(limit: 100, offset: 0) }
        #expect(events.contains { $0.action == "account.erase" && $0.detail == "orders kept anonymised: 1" })
        #expect(try await harness.services.store.verifyAuditChain().isIntact)
    }

    @Test("on the web: the page offers the download and the deletion; the download is a JSON attachment; deleting signs out")
    func web() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            _ = try await client.customer("web.leaving@example.com")
            let cookie = try await WebStaffTests.session(client, "web.leaving@example.com")
            let page = try await client.call(.get, "/account/privacy", headers: cookie)
            #expect(page.status == .ok && page.text.contains(#"href="/account/export""#) && page.text.contains(#"action="/account/delete""#))
            let download = try await client.call(.get, "/account/export", headers: cookie)
            #expect(download.status == .ok && download.headers[.contentDisposition]?.hasPrefix("attachment") == true)
            #expect(download.headers[.contentType] == "application/json; charset=utf-8" && download.text.contains("web.leaving@example.com"))
            let csrf = try #require(page.csrfToken)
            #expect(try await client.call(.post, "/account/delete", json: "_csrf=\(csrf)&confirm=nope", headers: cookie).status == .unprocessableContent)
            let deleted = try await client.call(.post, "/account/delete", json: "_csrf=\(csrf)&confirm=DELETE", headers: cookie)
            #expect(deleted.status == .ok && deleted.text.contains("Your account is deleted"))
            #expect(deleted.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await client.call(.get, "/account", headers: cookie).status == .seeOther)
        }
    }
}
