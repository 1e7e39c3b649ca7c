public import Foundation
import NIOHTTP1

/// An OWASP Top 10 (2021) conformance suite run from outside against any deployment, with
/// customer accounts it signs up itself (or is given). It checks what can be seen from the
/// network: headers, cookies, TLS, errors, access control on every operation of the served
/// contract, object ownership, throttling, CSRF and `Origin` checks, CORS.
public struct AuditProbe: Sendable {
    /// A customer account the probe uses; `nil` password means the probe signs one up.
    public struct Account: Sendable {
        public var email: String
        public var password: String
        public init(email: String, password: String) { self.email = email; self.password = password }
    }

    let http: ProbeHTTP
    let target: URL
    let given: [Account]

    public init(target: URL, accounts: [Account] = []) {
        self.target = target
        self.http = ProbeHTTP(base: target)
        self.given = accounts
    }

    /// A signed-in customer: API token, web session cookie, the CSRF token of its pages.
    struct Customer {
        var account: Account
        var token: String
    }

    public func run() async throws -> ProbeReport {
        var report = ProbeReport(target: target.absoluteString, startedAt: Date())
        do {
            try await surface(&report)
            try await errors(&report)
            let contract = try await Contract.load(http)
            try await unauthenticated(contract, &report)
            let a = try await customer(0), b = try await customer(1)
            try await wrongRole(contract, a, &report)
            try await ownership(a, b, &report)
            try await web(a, &report)
            try await identity(a, &report)
            try await integrity(contract, &report)
        } catch {
            report.record("A05", "the probe ran to the end", false, "stopped: \(error)")
        }
        try await http.shutdown()
        return report
    }

    /// The i-th given account, or a new customer signed up with a random address.
    func customer(_ index: Int) async throws -> Customer {
        let account: Account
        if index < given.count {
            account = given[index]
        } else {
            let tag = UUID().uuidString.prefix(12).lowercased()
            account = Account(email: "probe-\(tag)@example.com", password: "Sd-\(UUID().uuidString)-\(UUID().uuidString.prefix(8))")
            let phone = "+3469" + String(UInt32.random(in: 1_000_000...9_999_999))
            let r = try await http.json(.POST, "/api/v1/auth/signup", ["email": account.email, "password": account.password,
                                                                    "name": "OWASP probe", "phone": phone])
            guard r.status == 202 else { throw ProbeError("signup answered \(r.status): \(r.body.prefix(300))") }
        }
        return Customer(account: account, token: try await login(account))
    }

    func login(_ account: Account) async throws -> String {
        let r = try await http.json(.POST, "/api/v1/auth/login", ["email": account.email, "password": account.password])
        guard r.status == 200, let token = r.json?["accessToken"] as? String else { throw ProbeError("login of \(account.email) answered \(r.status)") }
        return token
    }
}

struct ProbeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Strings an error answer must never contain: SQL, stack traces, internal names.
enum Leak {
    static let caseSensitive = ["SELECT ", "INSERT ", "Error(", "Fatal error", "Traceback", "stack trace"]
    static let caseInsensitive = ["sqlite", "mysql", "mariadb", ".swift", "hummingbird", "constraint failed", "syntax error"]

    static func find(_ text: String) -> String? {
        if let hit = caseSensitive.first(where: { text.contains($0) }) { return hit }
        let lower = text.lowercased()
        return caseInsensitive.first(where: { lower.contains($0) })
    }
}
