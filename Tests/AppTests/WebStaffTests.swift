@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SolarSecurity
import Storage
import Testing

@Suite("Web staff console and two-factor enrolment")
struct WebStaffTests {
    static let form = "application/x-www-form-urlencoded"

    /// Logs in on the web (with the account's test TOTP code when given); returns the cookie header.
    /// A web login; an account with MFA (staff, installers) answers with its test TOTP code when
    /// none is given (the next step's if the current one was used).
    static func session(_ client: some TestClientProtocol, _ email: String, code: String? = nil, at date: Date = Date()) async throws -> HTTPFields {
        let body = "email=\(email.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&password=correct+horse+battery"
        var response = try await client.call(.post, "/login", json: body + (code.map { "&totpCode=\($0)" } ?? ""), headers: [.contentType: form])
        if code == nil, response.status == .unauthorized {
            for offset: Int64 in [0, 1] where response.status != .seeOther {
                response = try await client.call(.post, "/login", json: body + "&totpCode=\(TestHarness.totpCode(email, at: date, offset: offset))", headers: [.contentType: form])
            }
        }
        #expect(response.status == .seeOther)
        let value = try #require(response.headers[.setCookie]?.split(separator: ";").first)
        return [.cookie: String(value), .contentType: form]
    }

    @Test("support searches masked, reveals only with a reason, and each reveal is audited")
    func supportConsole() async throws {
        let harness = try await TestHarness.make()
        let support = try await harness.account(.support)
        try await harness.app.test(.router) { client in
            let token = try await client.customer("lucia.web@example.com")
            _ = try await client.order(token)
            let customer = try #require(try await harness.services.store.read { db in try db.account(email: "lucia.web@example.com") })
            let cookie = try await Self.session(client, support.email, code: TestHarness.totpCode(support.email))

            let dashboard = try await client.call(.get, "/dashboard", headers: cookie)
            #expect(dashboard.text.contains("/staff/customers") && !dashboard.text.contains("/staff/sales"))
            let search = try await client.call(.get, "/staff/customers", headers: cookie)
            let results = try await client.call(.post, "/staff/customers", json: "_csrf=\(try #require(search.csrfToken))&query=lucia.web%40example.com", headers: cookie)
            #expect(results.status == .ok)
            #expect(results.text.contains("/staff/customers/\(customer.id.uuidString.lowercased())"))
            for secret in ["lucia.web@example.com", "+34600123456", "Carla Customer", "Calle Mayor"] { #expect(!results.text.contains(secret), "\(secret)") }
            #expect(results.headers[.cacheControl]?.contains("no-store") == true)

            let detailPath = "/staff/customers/\(customer.id.uuidString.lowercased())"
            let detail = try await client.call(.get, detailPath, headers: cookie)
            #expect(detail.status == .ok && detail.text.contains("Madrid") && !detail.text.contains("Calle Mayor") && !detail.text.contains("+34600123456"))
            let csrf = try #require(detail.csrfToken)
            func reveals() async throws -> Int {
                try await harness.services.store.read { db in try db.auditEvents(limit: 200, offset: 0) }.filter { $0.action == "pii.reveal" }.count
            }
            let refused = try await client.call(.post, detailPath + "/reveal", json: "_csrf=\(csrf)&reason=short", headers: cookie)
            #expect(refused.status == .unprocessableContent && !refused.text.contains("Calle Mayor"))
            #expect(try await client.call(.post, detailPath + "/reveal", json: "reason=Customer+asked+about+the+date", headers: cookie).status == .forbidden)
            #expect(try await reveals() == 0)
            let shown = try await client.call(.post, detailPath + "/reveal", json: "_csrf=\(csrf)&reason=Customer+asked+about+the+date&ticket=SUP-7", headers: cookie)
            #expect(shown.status == .ok)
            #expect(shown.text.contains("Calle Mayor") && shown.text.contains("+34600123456") && shown.text.contains("Carla Customer"))
            #expect(shown.headers[.cacheControl]?.contains("no-store") == true)
            #expect(try await reveals() == 1)

            // Sales has no business here; a customer even less.
            let sales = try await harness.account(.sales)
            let salesCookie = try await Self.session(client, sales.email, code: TestHarness.totpCode(sales.email))
            #expect(try await client.call(.get, detailPath, headers: salesCookie).status == .forbidden)
            let customerCookie = try await Self.session(client, "lucia.web@example.com")
            #expect(try await client.call(.get, "/staff/customers", headers: customerCookie).status == .forbidden)
            #expect(try await client.call(.get, "/staff/customers").status == .seeOther)
        }
    }

    @Test("the sales page shows aggregates and no personal data; support cannot open it")
    func salesPage() async throws {
        let harness = try await TestHarness.make()
        let sales = try await harness.account(.sales), support = try await harness.account(.support)
        try await harness.app.test(.router) { client in
            let token = try await client.customer("sold@example.com")
            _ = try await client.order(token)
            let cookie = try await Self.session(client, sales.email, code: TestHarness.totpCode(sales.email))
            let page = try await client.call(.get, "/staff/sales", headers: cookie)
            #expect(page.status == .ok && page.text.contains("Madrid") && page.text.contains("quoted"))
            for secret in ["sold@example.com", "+34600123456", "Carla", "Calle Mayor"] { #expect(!page.text.contains(secret), "\(secret)") }
            let supportCookie = try await Self.session(client, support.email, code: TestHarness.totpCode(support.email))
            #expect(try await client.call(.get, "/staff/sales", headers: supportCookie).status == .forbidden)
        }
    }

    @Test("a staff member without two-factor can only enrol on the web, then works after logging in with a code")
    func staffEnrolment() async throws {
        let harness = try await TestHarness.make()
        let support = try await harness.account(.support, mfa: false)
        try await harness.app.test(.router) { client in
            let cookie = try await Self.session(client, support.email)
            // Until enrolled, every staff page leads to the enrolment page and shows nothing else.
            for page in ["/dashboard", "/staff/customers"] {
                let answer = try await client.call(.get, page, headers: cookie)
                #expect(answer.status == .seeOther && answer.headers[.location] == "/account/security", "\(page)")
            }

            let security = try await client.call(.get, "/account/security", headers: cookie)
            #expect(security.status == .ok)
            let started = try await client.call(.post, "/account/mfa/start", json: "_csrf=\(try #require(security.csrfToken))", headers: cookie)
            #expect(started.status == .ok && started.text.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\""))
            let stored = try #require(try await harness.services.store.read { db in try db.totp(accountID: support.id) })
            let secret = try MFAService(services: harness.services).secret(of: stored)
            #expect(!started.text.contains(stored.secretCiphertext))
            #expect(started.text.contains(Base32.encode(secret).prefix(4)), "the key is also shown as text, for typing in")
            let totp = TOTP(secret: secret)
            let csrf = try #require(started.csrfToken)
            // A code the app would not show now (none of the steps the server accepts).
            let step = totp.step(at: Date())
            let accepted = Set((step - 2...step + 2).map { totp.code(step: $0) })
            let wrongCode = (0...9).map { String(repeating: String($0), count: 6) }.first { !accepted.contains($0) }!
            let wrong = try await client.call(.post, "/account/mfa/confirm", json: "_csrf=\(csrf)&code=\(wrongCode)", headers: cookie)
            #expect(wrong.status == .unprocessableContent)
            let confirmed = try await client.call(.post, "/account/mfa/confirm", json: "_csrf=\(csrf)&code=\(totp.code(step: totp.step(at: Date())))", headers: cookie)
            #expect(confirmed.status == .ok)
            #expect(confirmed.text.components(separatedBy: "<li><code class=\"mono\">").count == 11)

            let full = try await Self.session(client, support.email, code: totp.code(step: totp.step(at: Date()) + 1))
            #expect(try await client.call(.get, "/staff/customers", headers: full).status == .ok)
        }
    }

    @Test("an engineer reaches the web customer pages only under an approved grant, and every such page is audited")
    func breakGlassOnTheWeb() async throws {
        let harness = try await TestHarness.make()
        let engineer = try await harness.account(.engineer), admin = try await harness.account(.admin)
        try await harness.app.test(.router) { client in
            let customer = try await client.customer("incident.web@example.com")
            let customerID = try #require(try await client.call(.get, "/api/v1/me", token: customer).object()["id"] as? String)
            let page = "/staff/customers/\(customerID.lowercased())"
            let cookie = try await Self.session(client, engineer.email, code: TestHarness.totpCode(engineer.email))
            #expect(try await client.call(.get, page, headers: cookie).status == .forbidden)

            let token = try await client.login(engineer.email)
            let asked = try await client.call(.post, "/api/v1/staff/break-glass", token: token, json: #"{"reason":"INC-90 customer cannot log in","durationMinutes":15}"#)
            let grant = try #require(try asked.object()["id"] as? String)
            #expect(try await client.call(.post, "/api/v1/staff/break-glass/\(grant)/approve", token: try await client.login(admin.email)).status == .ok)

            #expect(try await client.call(.get, page, headers: cookie).status == .ok)
            let events = try await harness.services.store.read { db in try db.auditEvents(limit: 200, offset: 0) }
            let actions = events.filter { $0.action == "security.break_glass.action" && $0.actorID == engineer.id }
            #expect(actions.count == 1)  // before the grant the page was an ordinary denial
            #expect(actions.contains { $0.detail?.contains("GET \(page) -> 200") == true })
        }
    }
}
