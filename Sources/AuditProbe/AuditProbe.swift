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
    let mailbox: Mailbox?
    let devices = Devices()

    /// `mailbox`: where to read the login codes a target emails to new devices (a local server's
    /// mail directory); without it, such a target stops the probe with an explanation.
    public init(target: URL, accounts: [Account] = [], mailbox: Mailbox? = nil) {
        self.target = target
        self.http = ProbeHTTP(base: target)
        self.given = accounts
        self.mailbox = mailbox
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

    /// An API login as this probe's device; a first login on a target that emails a code to new
    /// devices reads the code from the mailbox.
    func login(_ account: Account) async throws -> String {
        var body = ["email": account.email, "password": account.password]
        if let device = devices.token(account.email) { body["deviceToken"] = device }
        let asked = Date()
        var r = try await http.json(.POST, "/api/v1/auth/login", body)
        if r.status == 401, r.json?["type"] as? String == "/problems/email-code-required" {
            guard let mailbox else {
                throw ProbeError("the target emails a login code to new devices: give --mail-dir (a local server's MAIL_DIRECTORY) or --login-code-command")
            }
            guard let code = try await mailbox.loginCode(to: account.email, since: asked) else {
                throw ProbeError("no login code for \(account.email) arrived in \(mailbox.description)")
            }
            body["emailCode"] = code
            r = try await http.json(.POST, "/api/v1/auth/login", body)
        }
        guard r.status == 200, let token = r.json?["accessToken"] as? String else { throw ProbeError("login of \(account.email) answered \(r.status)") }
        if let device = r.json?["deviceToken"] as? String { devices.keep(account.email, device) }
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
