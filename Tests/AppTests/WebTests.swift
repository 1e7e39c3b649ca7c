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
            // The stylesheet has a content-hashed name and may be cached for a year; pages may not.
            let css = try #require(fresh.text.firstMatch(of: /href="(\/static\/app\.[0-9a-f]{12}\.css)"/)?.1)
            let sheet = try await client.call(.get, String(css))
            #expect(sheet.status == .ok && sheet.headers[.contentType] == "text/css; charset=utf-8")
            #expect(sheet.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(fresh.headers[.cacheControl] == "no-store")
            #expect(try await client.call(.get, "/static/app.000000000000.css").status == .notFound)
            // Every text and XML answer names its charset (ASVS V4.1.1): the drawn SVG icon too.
            let svgPath = try #require(fresh.text.firstMatch(of: /href="(\/static\/favicon\.[0-9a-f]{12}\.svg)"/)?.1)
            let svg = try await client.call(.get, String(svgPath))
            #expect(svg.status == .ok && svg.headers[.contentType] == "image/svg+xml; charset=utf-8")
            let icon = try await client.call(.get, "/favicon.ico")
            #expect(icon.status == .ok && icon.headers[.contentType] == "image/x-icon")
        }
    }

    @Test("web signup shows one check-your-email page for new and known emails and signs nobody in")
    func signup() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let form = { (email: String, password: String) in "name=Bea&email=\(email)&phone=%2B34600123456&password=\(password)" }
            let new = try await client.call(.post, "/signup", json: form("webnew%40example.com", "correct+horse+battery"), headers: Self.form)
            let known = try await client.call(.post, "/signup", json: form("WebNew%40example.com", "another+fine+passphrase"), headers: Self.form)
            #expect(new.status == .accepted && known.status == .accepted)
            #expect(new.text == known.text)
            #expect(new.text.contains("Check your email") && new.text.contains(#"href="/verify-email""#) && new.text.contains(#"href="/login""#))
            #expect(!new.text.contains("webnew") && !new.text.contains(#"action="/signup""#))
            var a = new.headers, b = known.headers
            a[.init("X-Request-ID")!] = nil
            b[.init("X-Request-ID")!] = nil
            #expect(a == b && a[.setCookie] == nil)

            // A field error shows the form again, input kept.
            let invalid = try await client.call(.post, "/signup", json: form("bad", "correct+horse+battery"), headers: Self.form)
            #expect(invalid.status == .unprocessableContent && invalid.text.contains(#"action="/signup""#) && invalid.text.contains(#"value="bad""#))

            // The new customer may log in before confirming the address, and confirms it with the code.
            let (login, cookie) = try await webLogin(client, "webnew@example.com")
            #expect(login.status == .seeOther && cookie != nil)
            let mail = try await harness.mail().filter { $0.to == "webnew@example.com" }
            #expect(mail.count == 2 && mail.contains { $0.subject.contains("tried to sign up") },
                    "mail: \(mail.map(\.subject)); log: \(harness.logs.lines.filter { $0.contains("outbox") })")
            let confirm = try #require(mail.first { $0.subject.contains("Confirm") })
            #expect(confirm.body.contains("/verify-email"))
            let code = try #require(confirm.body.split(separator: "\n").first { $0.contains("code is:") }?.split(separator: " ").last.map(String.init))
            let verified = try await client.call(.post, "/verify-email", json: "token=\(code)", headers: Self.form)
            #expect(verified.status == .ok && verified.text.contains("confirmed"))
        }
        #expect(try await harness.services.store.read { db in try db.account(email: "webnew@example.com") }?.emailVerifiedAt != nil)
    }

    @Test("wrong credentials show the same generic page for known and unknown emails")
    func failedLogin() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            _ = try await client.customer("known@example.com")
            let known = try await client.call(.post, "/login", json: "email=known%40example.com&password=nope-nope", headers: Self.form)
            let unknown = try await client.call(.post, "/login", json: "email=ghost%40example.com&password=nope-nope", headers: Self.form)
            #expect(known.status == .unauthorized && unknown.status == .unauthorized)
            // The same page, apart from the address the user typed, which the form keeps.
            #expect(known.text.replacingOccurrences(of: "known@example.com", with: "X") == unknown.text.replacingOccurrences(of: "ghost@example.com", with: "X"))
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
            #expect(!page.text.contains("latitude") && !page.text.contains("longitude"))
            let body = "line1=Calle+Mayor+1&city=Madrid&region=Madrid&postalCode=28013&country=ES&systemSizeKw=6.4&panelCount=16&roofType=tile"
            #expect(try await client.call(.post, "/orders", json: body, headers: cookie).status == .forbidden)
            #expect(try await client.call(.post, "/orders", json: body + "&_csrf=\(String(repeating: "0", count: 64))", headers: cookie).status == .forbidden)
            var crossSite = cookie
            crossSite[.origin] = "https://evil.example"
            #expect(try await client.call(.post, "/orders", json: body + "&_csrf=\(token)", headers: crossSite).status == .forbidden)
            crossSite[.origin] = nil
            crossSite[HTTPField.Name("Sec-Fetch-Site")!] = "cross-site"
            #expect(try await client.call(.post, "/orders", json: body + "&_csrf=\(token)", headers: crossSite).status == .forbidden)
            crossSite[HTTPField.Name("Sec-Fetch-Site")!] = "same-site"
            #expect(try await client.call(.post, "/orders", json: body + "&_csrf=\(token)", headers: crossSite).status == .forbidden)
            // Without a session the cross-site post is still refused, not sent to the login page.
            let anonymous: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .origin: "https://evil.example"]
            #expect(try await client.call(.post, "/orders", json: body, headers: anonymous).status == .forbidden)
            #expect(try await client.call(.post, "/logout", json: "", headers: anonymous).status == .forbidden)
            // `Origin: null` without the browser's own same-origin word is refused.
            crossSite[HTTPField.Name("Sec-Fetch-Site")!] = nil
            crossSite[.origin] = "null"
            #expect(try await client.call(.post, "/orders", json: body + "&_csrf=\(token)", headers: crossSite).status == .forbidden)
            let orders = try await harness.services.store.read { db in try db.account(email: "forms@example.com") }
            #expect(try await harness.services.store.read { db in try db.orders(customerID: orders!.id, limit: 10, offset: 0) }.isEmpty)

            var sameSite = cookie
            // A browser on http://localhost:PORT is the same site as on 127.0.0.1 in development.
            sameSite[.origin] = "http://localhost:\(harness.services.config.port)"
            sameSite[HTTPField.Name("Sec-Fetch-Site")!] = "same-origin"
            let created = try await client.call(.post, "/orders", json: body + "&_csrf=\(token)", headers: sameSite)
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            let detail = try await client.call(.get, location, headers: cookie)
            #expect(detail.text.contains("EUR 7580.00"))
            #expect(!detail.text.contains(">nil<") && !detail.text.contains("Optional("), "absent values are left out, not printed")
        }
    }

    @Test("same-origin rule: fetch metadata first, then Origin; Origin null only with Sec-Fetch-Site same-origin")
    func sameOriginRule() {
        let ours: Set<String> = ["http://127.0.0.1:8080", "http://localhost:8080"]
        let cases: [(String?, String?, Bool)] = [
            ("same-origin", "http://127.0.0.1:8080", true), ("same-origin", "http://localhost:8080", true), ("same-origin", nil, true),
            ("same-origin", "null", true), ("same-origin", "https://evil.example", false),
            ("same-site", "http://127.0.0.1:8080", false), ("cross-site", nil, false), ("none", nil, false),
            (nil, "http://127.0.0.1:8080", true), (nil, nil, true), (nil, "null", false), (nil, "https://evil.example", false),
            (nil, "http://127.0.0.1:9999", false),
        ]
        for (site, origin, expected) in cases {
            #expect(WebSupport.isSameOrigin(fetchSite: site, origin: origin, allowed: ours) == expected, "\(site ?? "-") \(origin ?? "-")")
        }
        var config = AppConfig()
        config.port = 9123
        #expect(config.webOrigins.contains("http://localhost:9123") && config.webOrigins.contains("http://127.0.0.1:9123"))
        config.publicOrigin = "https://app.example.com"
        #expect(config.webOrigins == ["https://app.example.com"])
    }

    @Test("an address the geocoder cannot place is a field error and creates nothing")
    func unknownAddress() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            _ = try await client.customer("where@example.com")
            let (_, session) = try await webLogin(client, "where@example.com")
            let cookie: HTTPFields = [.cookie: "\(AuthMiddleware.cookieName)=\(session!)", .contentType: "application/x-www-form-urlencoded"]
            let token = try #require(try await client.call(.get, "/orders/new", headers: cookie).csrfToken)
            let body = "_csrf=\(token)&line1=Calle+Mayor+1&city=Nowhereville&region=X&postalCode=ZZ-1&country=ES&systemSizeKw=6.4&panelCount=16&roofType=tile"
            let answer = try await client.call(.post, "/orders", json: body, headers: cookie)
            #expect(answer.status == .unprocessableContent)
            #expect(answer.text.contains("id=\"city-error\""))
            #expect(answer.text.contains("value=\"Nowhereville\""), "the form keeps what was typed")
            let me = try await harness.services.store.read { db in try db.account(email: "where@example.com") }
            #expect(try await harness.services.store.read { db in try db.orders(customerID: me!.id, limit: 10, offset: 0) }.isEmpty)
        }
    }

    @Test("a missing template is an error (a 500 page), never an empty 200")
    func missingTemplate() throws {
        let web = try WebSupport(config: AppConfig())
        #expect(throws: WebPageError.self) { try web.page("no/such/page", [:]) }
        #expect(try web.page("home", ["title": "t"]).status == .ok)
    }

    @Test("templates print every value escaped, except the server-drawn SVGs")
    func templatesEscape() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/App/Resources/templates")
        let files = try #require(FileManager.default.enumerator(atPath: folder.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".mustache") }
        #expect(files.count > 20)
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: /\{\{\{\s*([A-Za-z.]+)\s*\}\}\}|\{\{&\s*([A-Za-z.]+)/) {
                let name = String(match.1 ?? match.2 ?? "")
                #expect(name == "qr" || name.hasPrefix("chart"), "\(file) prints {{{\(name)}}} unescaped")
            }
            #expect(!text.contains("<script") && !text.contains("style=") && !text.contains("<style"), "\(file)")
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
