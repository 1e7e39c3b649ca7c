@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing

@Suite("Web interface: cookie sessions, CSRF, escaping")
struct WebTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    func webLogin(_ client: some TestClientProtocol, _ email: String, cookie: String? = nil) async throws -> (TestResponse, String?) {
        var headers = Self.form
        if let cookie { headers[.cookie] = "\(AuthMiddleware.cookieName)=\(cookie)" }
        let body = "email=\(email.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&password=correct+horse+battery"
        let response = try await client.call(.post, "/login", json: body, headers: headers)
        let value = response.headers[.setCookie]?.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last.map(String.init)
        return (response, value)
    }

    @Test("login sets a __Host- cookie that is Secure, HttpOnly and SameSite=Strict, with a new id every time")
    func cookie() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            _ = try await client.customer("web@example.com")
            let (response, first) = try await webLogin(client, "web@example.com")
            #expect(response.status == .seeOther)
            let header = try #require(response.headers[.setCookie])
            #expect(header.hasPrefix("__Host-sd_session="))
            for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] { #expect(header.contains(attribute), "\(attribute)") }
            #expect(!header.lowercased().contains("domain="))
            // Logging in again while presenting the old cookie issues a new id and revokes the old one.
            let (_, second) = try await webLogin(client, "web@example.com", cookie: first)
            #expect(first != nil && second != nil && first != second)
            let old = try await client.call(.get, "/dashboard", headers: [.cookie: "\(AuthMiddleware.cookieName)=\(first!)"])
            #expect(old.status == .seeOther)
            let fresh = try await client.call(.get, "/dashboard", headers: [.cookie: "\(AuthMiddleware.cookieName)=\(second!)"])
            #expect(fresh.status == .ok)
            #expect(fresh.headers[.contentType]?.hasPrefix("text/html") == true)
            HeadersTests.expectSecurityHeaders(fresh, html: true)
            #expect(fresh.headers[.contentSecurityPolicy]?.contains("script-src 'none'") == true)
            // The CSP allows no inline code, so pages carry none; the stylesheet comes from this origin.
            #expect(!fresh.text.contains("<style") && !fresh.text.contains("<script") && !fresh.text.contains("style="))
            #expect(try await client.call(.get, "/app.css").headers[.contentType] == "text/css; charset=utf-8")
        }
    }

    @Test("wrong credentials show the same generic page for known and unknown emails")
    func failedLogin() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            _ = try await client.customer("known@example.com")
            let known = try await client.call(.post, "/login", json: "email=known%40example.com&password=nope-nope", headers: Self.form)
            let unknown = try await client.call(.post, "/login", json: "email=ghost%40example.com&password=nope-nope", headers: Self.form)
            #expect(known.status == .unauthorized && unknown.status == .unauthorized)
            #expect(known.text == unknown.text)
            #expect(known.headers[.setCookie] == nil)
        }
    }

    @Test("form posts need the session's CSRF token and a same-origin request")
    func csrfProtection() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            _ = try await client.customer("forms@example.com")
            let (_, session) = try await webLogin(client, "forms@example.com")
            let cookie: HTTPFields = [.cookie: "\(AuthMiddleware.cookieName)=\(session!)", .contentType: "application/x-www-form-urlencoded"]
            let page = try await client.call(.get, "/orders/new", headers: cookie)
            let token = try #require(page.csrfToken)
            let body = "line1=Calle+Mayor+1&city=Madrid&region=Madrid&postalCode=28013&country=ES&latitude=40.41&longitude=-3.70&systemSizeKw=6.4&panelCount=16&roofType=tile"
            #expect(try await client.call(.post, "/orders", json: body, headers: cookie).status == .forbidden)
            #expect(try await client.call(.post, "/orders", json: body + "&_csrf=\(String(repeating: "0", count: 64))", headers: cookie).status == .forbidden)
            var crossSite = cookie
            crossSite[.origin] = "https://evil.example"
            #expect(try await client.call(.post, "/orders", json: body + "&_csrf=\(token)", headers: crossSite).status == .forbidden)
            crossSite[.origin] = nil
            crossSite[HTTPField.Name("Sec-Fetch-Site")!] = "cross-site"
            #expect(try await client.call(.post, "/orders", json: body + "&_csrf=\(token)", headers: crossSite).status == .forbidden)
            let orders = try await harness.services.store.read { db in try db.account(email: "forms@example.com") }
            #expect(try await harness.services.store.read { db in try db.orders(customerID: orders!.id, limit: 10, offset: 0) }.isEmpty)

            var sameSite = cookie
            sameSite[.origin] = harness.services.config.publicOrigin
            let created = try await client.call(.post, "/orders", json: body + "&_csrf=\(token)", headers: sameSite)
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            let detail = try await client.call(.get, location, headers: cookie)
            #expect(detail.text.contains("EUR 7580.00"))
        }
    }

    @Test("stored text is HTML-escaped on pages")
    func escaping() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let token = try await client.customer("xss@example.com")
            let hostile = TestBodies.order().replacingOccurrences(of: "Calle Mayor 1", with: "<script>alert(1)</script>")
            let created = try await client.call(.post, "/api/v1/orders", token: token, json: hostile)
            let id = try #require(try created.object()["id"] as? String)
            let (_, session) = try await webLogin(client, "xss@example.com")
            let page = try await client.call(.get, "/orders/\(id.lowercased())", headers: [.cookie: "\(AuthMiddleware.cookieName)=\(session!)"])
            #expect(page.status == .ok)
            #expect(!page.text.contains("<script>alert(1)</script>"))
            #expect(page.text.contains("&lt;script&gt;"))
        }
    }

    @Test("another customer's order page is a 404 page; logged-out users are sent to login; logout revokes")
    func webAccess() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let owner = try await client.customer()
            let id = try await client.order(owner)
            _ = try await client.customer("other@example.com")
            let (_, session) = try await webLogin(client, "other@example.com")
            let cookie: HTTPFields = [.cookie: "\(AuthMiddleware.cookieName)=\(session!)"]
            let page = try await client.call(.get, "/orders/\(id.lowercased())", headers: cookie)
            #expect(page.status == .notFound)
            #expect(!page.text.contains("Calle Mayor"))
            #expect(try await client.call(.get, "/dashboard").status == .seeOther)
            let dashboard = try await client.call(.get, "/dashboard", headers: cookie)
            let token = try #require(dashboard.csrfToken)
            var post = cookie
            post[.contentType] = "application/x-www-form-urlencoded"
            let out = try await client.call(.post, "/logout", json: "_csrf=\(token)", headers: post)
            #expect(out.status == .seeOther)
            #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await client.call(.get, "/dashboard", headers: cookie).status == .seeOther)
        }
    }
}
