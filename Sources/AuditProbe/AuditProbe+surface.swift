import Foundation
import NIOHTTP1

extension AuditProbe {
    /// Security headers on a page and on an API error, TLS and HSTS, and no version banners.
    func surface(_ report: inout ProbeReport) async throws {
        let page = try await http.send(.GET, "/login")
        let api = try await http.send(.GET, "/api/v1/me")
        for (label, r) in [("a web page", page), ("an API error", api)] {
            var missing: [String] = []
            let csp = r.header("Content-Security-Policy") ?? ""
            if !csp.contains("frame-ancestors 'none'") || !csp.contains("default-src") { missing.append("Content-Security-Policy") }
            if r.header("X-Content-Type-Options")?.lowercased() != "nosniff" { missing.append("X-Content-Type-Options") }
            if r.header("Referrer-Policy") == nil { missing.append("Referrer-Policy") }
            if r.header("Cache-Control")?.contains("no-store") != true { missing.append("Cache-Control: no-store") }
            if label == "a web page", r.header("X-Frame-Options")?.uppercased() != "DENY" && !csp.contains("frame-ancestors 'none'") {
                missing.append("framing protection")
            }
            report.record("A05", "security headers on \(label)", missing.isEmpty,
                          missing.isEmpty ? "CSP, nosniff, Referrer-Policy, no-store present (\(r.status))" : "missing or weak: \(missing.joined(separator: ", "))")
        }
        let banners = [page, api].compactMap { r in [r.header("Server"), r.header("X-Powered-By")].compactMap { $0 }.first { $0.rangeOfCharacter(from: .decimalDigits) != nil } }
        report.record("A06", "no software versions in Server or X-Powered-By", banners.isEmpty,
                      banners.isEmpty ? "no version banner" : "banner: \(banners.joined(separator: ", "))")
        if target.scheme == "https" {
            let hsts = page.header("Strict-Transport-Security") ?? ""
            let age = hsts.split(separator: ";").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("max-age=") }
                .flatMap { Int($0.trimmingCharacters(in: .whitespaces).dropFirst(8)) } ?? 0
            report.record("A02", "HSTS of at least a year", age >= 31_536_000, hsts.isEmpty ? "no Strict-Transport-Security" : hsts)
            report.record("A02", "TLS with a verified certificate", true, "the probe connected with certificate verification on")
            var plain = URLComponents(url: target, resolvingAgainstBaseURL: false)
            plain?.scheme = "http"
            plain?.port = nil
            if let url = plain?.url {
                let insecure = ProbeHTTP(base: url)
                let r = try? await insecure.send(.GET, "/api/v1/me")
                try await insecure.shutdown()
                let ok = r.map { $0.status == 301 || $0.status == 308 || $0.status == 403 || $0.status == 426 } ?? true
                report.record("A02", "plain HTTP is redirected or refused", ok, r.map { "http:// answered \($0.status)" } ?? "http:// does not connect")
            }
        } else {
            report.notApplicable("A02", "TLS and HSTS", "the target is plain HTTP (a local server); TLS is checked on https targets")
        }
    }

    /// Bad input gets a short, generic problem: never SQL, stack traces or internal names.
    func errors(_ report: inout ProbeReport) async throws {
        let cases: [(String, Int, ProbeResponse)] = [
            ("malformed JSON", 400, try await http.send(.POST, "/api/v1/auth/login", headers: [("Content-Type", "application/json")], body: "{\"email\": ")),
            ("oversized body", 413, try await http.send(.POST, "/api/v1/auth/login", headers: [("Content-Type", "application/json")],
                                                        body: "{\"email\": \"" + String(repeating: "a", count: 2 << 20) + "\"}")),
            ("unknown path", 404, try await http.send(.GET, "/api/v1/\(UUID().uuidString.lowercased())")),
            ("wrong method", 405, try await http.send(.DELETE, "/api/v1/auth/login")),
            ("SQL-shaped id with a bad token", 401, try await http.send(.GET, "/api/v1/orders/not-an-id%27%20OR%201=1--", bearer: "x")),
        ]
        for (label, expected, r) in cases {
            let leak = Leak.find(r.body)
            let ok = r.status == expected && leak == nil && r.isProblem
            report.record("A05", "\(label) answers \(expected) with a generic problem", ok,
                          "\(r.status) \(r.header("Content-Type") ?? "-")" + (leak.map { ", leaks \"\($0)\"" } ?? ""))
        }
        let injected = try await http.json(.POST, "/api/v1/auth/login", ["email": "' OR '1'='1' -- @example.com", "password": "' OR 1=1 --"])
        let leak = Leak.find(injected.body)
        report.record("A03", "SQL-shaped credentials are refused like any wrong input", injected.status < 500 && injected.status != 200 && leak == nil,
                      "\(injected.status)" + (leak.map { ", leaks \"\($0)\"" } ?? ""))
        report.notApplicable("A03", "injection in every parameter", "run sqlmap for this (make test does, checks/test_sqlmap.py)")
    }
}
