@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing

@Suite("Web portals: installer service area by city, decline, staff pages by role")
struct WebPortalTests {
    @Test("an installer sets the service area by city on the web, declines one offer and cannot touch another's")
    func installerPortal() async throws {
        let harness = try await TestHarness.make()
        let installer = try await harness.account(.installer)
        let other = try await harness.account(.installer)
        try await harness.app.test(.router) { client in
            let cookie = try await WebStaffTests.session(client, installer.email)
            let page = try await client.call(.get, "/installer/profile", headers: cookie)
            #expect(page.status == .ok && !page.text.contains("latitude"))
            let csrf = try #require(page.csrfToken)
            let body = "_csrf=\(csrf)&city=Madrid&postalCode=&country=ES&radiusKm=50&available=true&certifications%5B%5D=Working+at+height"
            #expect(try await client.call(.post, "/installer/profile", json: body, headers: cookie).status == .seeOther)
            let profile = try #require(try await harness.services.store.read { db in try db.installerProfile(installerID: installer.id) })
            #expect(abs(profile.serviceArea.centre.latitude - 40.42) < 0.1 && abs(profile.serviceArea.centre.longitude + 3.70) < 0.1)
            #expect(profile.available && profile.certifications == ["Working at height"] && profile.serviceArea.radiusKm == 50)

            let bad = try await client.call(.post, "/installer/profile", json: "_csrf=\(csrf)&city=Atlantis&country=ES&radiusKm=50", headers: cookie)
            #expect(bad.status == .unprocessableContent && bad.text.contains("id=\"city-error\"") && bad.text.contains("value=\"Atlantis\""))

            let customer = try await client.customer()
            let order = try await client.order(customer)
            _ = try await client.call(.post, "/api/v1/orders/\(order)/accept-quote", token: customer)
            let dashboard = try await client.call(.get, "/dashboard", headers: cookie)
            let offer = try #require(try await harness.services.store.read { db in try db.openOffers(installerID: installer.id, now: Date()) }.first?.0)
            #expect(dashboard.text.contains("/installer/offers/\(offer.id.uuidString.lowercased())/decline"))
            #expect(!dashboard.text.contains("Calle Mayor"), "an offer shows the coarse area only")

            let intruder = try await WebStaffTests.session(client, other.email)
            let otherCSRF = try #require(try await client.call(.get, "/dashboard", headers: intruder).csrfToken)
            let path = "/installer/offers/\(offer.id.uuidString.lowercased())/decline"
            #expect(try await client.call(.post, path, json: "_csrf=\(otherCSRF)", headers: intruder).status == .notFound)
            #expect(try await client.call(.post, path, json: "_csrf=\(try #require(dashboard.csrfToken))", headers: cookie).status == .seeOther)
            #expect(try await harness.services.store.read { db in try db.offer(id: offer.id) }?.status == .withdrawn)
            #expect(try await client.call(.post, path, json: "_csrf=\(try #require(dashboard.csrfToken))", headers: cookie).status == .conflict)
            let audit = try await harness.services.store.read { db in try db.auditEvents(limit: 50, offset: 0, actionPrefix: "dispatch.offer.", outcome: nil) }
            #expect(audit.map(\.action) == ["dispatch.offer.decline"])
        }
    }

    @Test("each staff role opens only its own pages; the policy decides, not the links")
    func staffPagesByRole() async throws {
        let harness = try await TestHarness.make()
        let pages = ["/staff/customers", "/staff/sales", "/staff/break-glass", "/staff/audit", "/admin/accounts", "/admin/review"]
        let allowed: [Role: Set<String>] = [
            .support: ["/staff/customers"], .sales: ["/staff/sales"], .engineer: ["/staff/break-glass", "/staff/audit"],
            .admin: Set(pages).subtracting(["/staff/customers"]), .customer: [], .installer: [],
        ]
        try await harness.app.test(.router) { client in
            for (role, open) in allowed {
                let account = try await harness.account(role)
                let code = role.isStaff ? TestHarness.totpCode(account.email) : nil
                let cookie = try await WebStaffTests.session(client, account.email, code: code)
                for page in pages {
                    let status = try await client.call(.get, page, headers: cookie).status
                    #expect(status == (open.contains(page) ? .ok : .forbidden), "\(role) \(page): \(status)")
                }
            }
            #expect(try await client.call(.get, "/staff/audit").status == .seeOther, "no session: to the login page")
        }
    }

    @Test("sales sees SVG charts with aggregates only")
    func salesCharts() async throws {
        let harness = try await TestHarness.make()
        let sales = try await harness.account(.sales)
        try await harness.app.test(.router) { client in
            let customer = try await client.customer("chart.person@example.com")
            _ = try await client.order(customer)
            let cookie = try await WebStaffTests.session(client, sales.email, code: TestHarness.totpCode(sales.email))
            let page = try await client.call(.get, "/staff/sales", headers: cookie)
            #expect(page.status == .ok)
            #expect(page.text.components(separatedBy: "<svg").count - 1 == 3)
            #expect(page.text.contains("class=\"chart\""))
            for secret in ["chart.person", "Carla", "Calle Mayor", "+34600123456"] { #expect(!page.text.contains(secret), "\(secret)") }
        }
    }

    @Test("the audit viewer filters by action and masks emails and numbers in details")
    func auditViewer() async throws {
        let harness = try await TestHarness.make()
        let engineer = try await harness.account(.engineer)
        try await harness.app.test(.router) { client in
            _ = try await client.customer("someone.private@example.com")
            let event = AuditContext(actor: nil, clientIP: nil, requestID: nil)
                .event("test.detail", at: Date(), detail: "reason: call someone.private@example.com on +34 600 123 456")
            try await harness.services.store.write { db in try db.appendAudit(event) }
            let cookie = try await WebStaffTests.session(client, engineer.email, code: TestHarness.totpCode(engineer.email))
            let all = try await client.call(.get, "/staff/audit", headers: cookie)
            #expect(all.status == .ok && all.text.contains("test.detail") && all.text.contains("auth.signup"))
            #expect(!all.text.contains("someone.private@example.com") && !all.text.contains("600 123 456"))
            let filtered = try await client.call(.get, "/staff/audit?action=test.&outcome=success", headers: cookie)
            #expect(filtered.text.contains("test.detail") && !filtered.text.contains("auth.signup"))
            #expect(try await client.call(.get, "/staff/audit?page=0", headers: cookie).status == .badRequest)
        }
    }

    @Test("changing the email on the web needs the password again and the code sent to the new address")
    func emailChange() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            _ = try await client.customer("before.web@example.com")
            let cookie = try await WebStaffTests.session(client, "before.web@example.com")
            let csrf = try #require(try await client.call(.get, "/account/email", headers: cookie).csrfToken)
            let wrong = try await client.call(.post, "/account/email", json: "_csrf=\(csrf)&email=after.web%40example.com&password=not+my+password", headers: cookie)
            #expect(wrong.status == .unauthorized && wrong.text.contains("id=\"password-error\""))
            #expect(try await harness.mail().contains { $0.to == "after.web@example.com" } == false)
            let asked = try await client.call(.post, "/account/email", json: "_csrf=\(csrf)&email=after.web%40example.com&password=correct+horse+battery", headers: cookie)
            #expect(asked.status == .accepted)
            // The step-up replaced the session cookie, and the page's form carries the new form token.
            let renewed: HTTPFields = [.cookie: String(try #require(asked.headers[.setCookie]?.split(separator: ";").first)), .contentType: WebStaffTests.form]
            #expect(try await client.call(.get, "/account/email", headers: cookie).status == .seeOther, "the old cookie ended")
            let message = try #require(try await harness.mail().last { $0.to == "after.web@example.com" })
            let code = try #require(message.body.split(separator: "\n").first { $0.contains("code is:") }?.split(separator: " ").last.map(String.init))
            let confirm = "_csrf=\(try #require(asked.csrfToken))&token=\(code)"
            #expect(try await client.call(.post, "/account/email/confirm", json: confirm, headers: renewed).status == .seeOther)
            #expect(try await harness.services.store.read { db in try db.account(email: "after.web@example.com") } != nil)
        }
    }
}
