import Foundation
import NIOHTTP1

extension AuditProbe {
    static let sessionCookie = "__Host-sd_session"

    /// The web session cookie's attributes, CSRF tokens, `Origin` checks and CORS.
    func web(_ a: Customer, _ report: inout ProbeReport) async throws {
        // As the device that logged in through the API (a browser would have its own device cookie).
        let device = devices.token(a.account.email).map { "\(Self.deviceCookie)=\($0)" }
        let login = try await http.form("/login", [("email", a.account.email), ("password", a.account.password)], cookie: device)
        let setCookie = login.headers[canonicalForm: "Set-Cookie"].map(String.init).first { $0.hasPrefix(Self.sessionCookie + "=") }
        guard login.status == 303, let setCookie else {
            report.record("A07", "web login sets a session cookie", false, "POST /login answered \(login.status)")
            return
        }
        let attributes = setCookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var missing: [String] = []
        if !attributes.contains("secure") { missing.append("Secure") }
        if !attributes.contains("httponly") { missing.append("HttpOnly") }
        if !attributes.contains(where: { $0 == "samesite=lax" || $0 == "samesite=strict" }) { missing.append("SameSite") }
        if !attributes.contains("path=/") || attributes.contains(where: { $0.hasPrefix("domain=") }) { missing.append("Path=/ without Domain") }
        report.record("A05", "session cookie is __Host-, Secure, HttpOnly, SameSite", missing.isEmpty,
                      missing.isEmpty ? "\(Self.sessionCookie): \(attributes.dropFirst().joined(separator: "; "))" : "missing: \(missing.joined(separator: ", "))")
        let cookie = String(setCookie.split(separator: ";")[0])

        let crossSite = try await http.form("/login", [("email", a.account.email), ("password", a.account.password)],
                                            origin: "https://attacker.example", site: "cross-site")
        report.record("A01", "a form posted from another site is refused", crossSite.status == 403, "cross-site POST /login answered \(crossSite.status)")
        let created = try await http.json(.POST, "/api/v1/orders", Self.order, bearer: a.token)
        if let id = created.json?["id"] as? String {
            let forged = try await http.form("/orders/\(id)/cancel", [], cookie: cookie)
            let wrongToken = try await http.form("/orders/\(id)/cancel", [("_csrf", "forged-token")], cookie: cookie)
            let after = try await http.send(.GET, "/api/v1/orders/\(id)", bearer: a.token)
            report.record("A01", "a same-site form without the session's CSRF token is refused",
                          forged.status == 403 && wrongToken.status == 403 && (after.json?["status"] as? String) == "quoted",
                          "no token \(forged.status), wrong token \(wrongToken.status); order \(after.json?["status"] as? String ?? "?")")
            _ = try await http.send(.POST, "/api/v1/orders/\(id)/cancel", bearer: a.token)
        }
        let cookieOnAPI = try await http.send(.GET, "/api/v1/me", cookie: cookie)
        report.record("A01", "the API ignores the web cookie (no ambient credentials)", cookieOnAPI.status == 401, "GET /api/v1/me with the cookie: \(cookieOnAPI.status)")
        let preflight = try await http.send(.OPTIONS, "/api/v1/me", headers: [("Origin", "https://attacker.example"),
                                                                            ("Access-Control-Request-Method", "GET")])
        let simple = try await http.send(.GET, "/api/v1/me", headers: [("Origin", "https://attacker.example")], bearer: a.token)
        let granted = [preflight, simple].compactMap { $0.header("Access-Control-Allow-Origin") }
        report.record("A05", "CORS grants nothing to an unknown origin", granted.isEmpty,
                      granted.isEmpty ? "no Access-Control-Allow-Origin (preflight \(preflight.status))" : "allowed: \(granted.joined(separator: ", "))")
        // End the probe's web session, as its logout button would (with the page's CSRF token).
        let dashboard = try await http.send(.GET, "/dashboard", cookie: cookie)
        if let range = dashboard.body.range(of: #"name="_csrf" value="[^"]+""#, options: .regularExpression) {
            let token = dashboard.body[range].split(separator: "\"").last.map(String.init) ?? ""
            let out = try await http.form("/logout", [("_csrf", token)], cookie: cookie)
            let after = try await http.send(.GET, "/dashboard", cookie: cookie)
            report.record("A07", "web logout ends the session on the server", out.status == 303 && after.status == 303,
                          "logout \(out.status), then /dashboard \(after.status)")
        }
    }

    /// Throttling of wrong passwords, logout ending the token, validation of nonsense input.
    func identity(_ a: Customer, _ report: inout ProbeReport) async throws {
        let victim = try await customer(2)
        var throttled: ProbeResponse?
        var attempts = 0
        for _ in 1...15 {
            attempts += 1
            let r = try await http.json(.POST, "/api/v1/auth/login", ["email": victim.account.email, "password": "not-the-password-\(attempts)"])
            if r.status == 429 { throttled = r; break }
            guard r.status == 401 else { break }
        }
        let retry = throttled?.header("Retry-After").flatMap(Int.init) ?? 0
        report.record("A07", "repeated wrong passwords are throttled with Retry-After", throttled != nil && retry > 0,
                      throttled.map { "429 after \(attempts) attempts, Retry-After \($0.header("Retry-After") ?? "-")" } ?? "no 429 after \(attempts) attempts")
        let right = try await http.json(.POST, "/api/v1/auth/login", ["email": victim.account.email, "password": victim.account.password])
        report.record("A07", "a throttled account refuses even the right password for a while", right.status == 429, "right password answered \(right.status)")

        let session = try await login(a.account)
        let out = try await http.send(.POST, "/api/v1/auth/logout", bearer: session)
        let reuse = try await http.send(.GET, "/api/v1/me", bearer: session)
        report.record("A07", "logout ends the token on the server", out.status == 204 && reuse.status == 401, "logout \(out.status), then /me \(reuse.status)")

        var bad = Self.order
        bad["panelCount"] = -3
        let invalid = try await http.json(.POST, "/api/v1/orders", bad, bearer: a.token)
        report.record("A04", "nonsense input is refused (negative panel count)", invalid.status == 422 || invalid.status == 400, "\(invalid.status)")
        let mass = try await http.json(.POST, "/api/v1/orders", Self.order.merging(["status": "completed", "quote": ["totalCents": 1]]) { $1 }, bearer: a.token)
        report.record("A04", "unknown fields are refused (no mass assignment)", mass.status == 400 || mass.status == 422, "\(mass.status)")
    }

    /// Webhooks must be signed; incidents must be traceable; the contract takes no URLs to fetch.
    func integrity(_ contract: Contract, _ report: inout ProbeReport) async throws {
        let unsigned = try await http.send(.POST, "/api/v1/webhooks/payments", headers: [("Content-Type", "application/json")],
                                           body: #"{"id":"evt_probe","type":"payment.succeeded"}"#)
        report.record("A08", "an unsigned payment webhook is refused", (400..<500).contains(unsigned.status), "\(unsigned.status)")
        let r = try await http.send(.GET, "/health/live")
        report.record("A09", "every answer carries a request id to trace it in the logs", (r.header("X-Request-ID") ?? "").count >= 8,
                      "X-Request-ID: \(r.header("X-Request-ID") ?? "none")")
        if contract.takesURLs.isEmpty {
            report.notApplicable("A10", "SSRF through request URLs", "no operation of the served contract takes a URL (format uri)")
        } else {
            report.record("A10", "SSRF through request URLs", false, "the contract takes URLs at \(contract.takesURLs.joined(separator: ", ")); test them by hand")
        }
        report.notApplicable("A09", "audit and alerting", "not visible from outside: `solar audit verify`, checks/test_audit.py and test_monitoring.py")
    }
}
