@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Outbound
import NIOCore
import SolarSecurity
import Storage
import StorageTesting
import Synchronization

/// Collects log lines so tests can check what the server logged.
final class LogCapture: Sendable {
    private let storage = Mutex<[String]>([])
    var lines: [String] { storage.withLock { $0 } }
    func append(_ line: String) { storage.withLock { $0.append(line) } }
}

/// A fresh application on its own temporary SQLite database.
struct TestHarness {
    let services: AppServices
    let logs: LogCapture
    let folder: URL
    /// The database under the store, for tests that tamper with rows directly.
    let database: any SQLDatabase

    /// Cheap Argon2id parameters for speed; `SecurityTests` and `ConfigTests` check the production ones.
    static let fastHashing = PasswordHasher.Parameters(memoryKiB: 1024, iterations: 1, parallelism: 1)

    static func make(
        config configure: (inout AppConfig) -> Void = { _ in },
        now: @escaping @Sendable () -> Date = { Date() },
        breached: BreachedPasswords? = .off,
        outbound: OutboundClient? = nil,
        hashing: PasswordHasher.Parameters = fastHashing
    ) async throws -> TestHarness {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("solar-test-\(UUID().uuidString)")
        var config = AppConfig()
        config.environment = .test
        config.metricsPort = 0
        // Customers' new-device email codes are tested on their own (`LoginCodeTests`); the
        // other tests log customers in with the password as a trusted device would.
        config.newDeviceEmailCode = false
        config.databaseURL = "sqlite:" + folder.appendingPathComponent("test.sqlite").path
        configure(&config)
        let logs = LogCapture()
        let logger = Logger(label: "test") { label in JSONLogHandler(label: label, level: .debug, sink: { logs.append($0) }) }
        // SQLite by default; `SOLAR_TEST_DATABASE=mysql` runs the same HTTP tests on MariaDB.
        let auditLog = Logger(label: "audit") { label in JSONLogHandler(label: label, level: .info, sink: { logs.append($0) }) }
        // The same audit stream lines as production (`openStore`), so tests can export them.
        let (store, database) = try await TestDatabase.store(TestDatabase.selected, onAudit: { entry in
            AuditStream.write(entry, to: auditLog)
        })
        let hasher = try PasswordHasher(parameters: hashing, threads: 2)
        let cipher = FieldCipher(keyRing: FieldCipher.generateKeyEntry(id: "test1"))!
        let services = AppServices(config: config, store: store, hasher: hasher, cipher: cipher,
                                   mailer: FileMailSink(directory: folder.appendingPathComponent("mail").path),
                                   breached: breached, outbound: outbound, now: now, logger: logger, auditLog: auditLog)
        return TestHarness(services: services, logs: logs, folder: folder, database: database)
    }

    var app: some ApplicationProtocol { get throws { try buildApplication(services: services) } }

    /// The emails delivered so far (the outbox is flushed first).
    func mail() async throws -> [EmailMessage] {
        await OutboxDispatcher(services: services).deliverPending()
        // The app's own dispatcher may hold a claimed email mid-send: wait (briefly) until it is sent.
        for _ in 0..<100 where try await !services.store.read({ db in try db.pendingEmails(limit: 1) }).isEmpty {
            try await Task.sleep(for: .milliseconds(20))
        }
        return try FileMailSink(directory: folder.appendingPathComponent("mail").path).messages()
    }

    /// Creates an account directly (as the CLI or an admin would) and returns it. Staff
    /// accounts get a confirmed TOTP enrolment with `TestHarness.totpSecret(email)`, since MFA
    /// is mandatory for them; `client.login` answers the second-factor challenge with it.
    @discardableResult
    func account(_ role: Role, email: String? = nil, password: String = "correct horse battery", mfa: Bool? = nil) async throws -> Account {
        let account = try await createAccountFromCLI(
            services: services, email: email ?? "\(role.rawValue)-\(UUID().uuidString.prefix(8).lowercased())@example.com",
            name: "Test \(role.rawValue)", phone: "+34600000001", role: role, password: password
        ).account
        if mfa ?? role.requiresMFA { try await enrollTOTP(account) }
        return account
    }

    /// A confirmed TOTP enrolment with the deterministic test secret of the account's email.
    func enrollTOTP(_ account: Account) async throws {
        let ciphertext = try services.cipher.encrypt(Base32.encode(Self.totpSecret(account.email)), context: MFAService(services: services).context(account.id))
        let record = TOTPRecord(accountID: account.id, secretCiphertext: ciphertext, confirmedAt: Date(), lastUsedStep: 0, createdAt: Date())
        try await services.store.write { db in try db.saveTOTP(record) }
    }

    /// Test accounts' TOTP secret: derived from the email so the client side can compute codes.
    static func totpSecret(_ email: String) -> [UInt8] {
        Array(OpaqueToken.storageHash(of: "totp:" + email).utf8.prefix(20))
    }

    /// The authenticator code of a test account at `date`, `offset` steps later.
    static func totpCode(_ email: String, at date: Date = Date(), offset: Int64 = 0) -> String {
        let totp = TOTP(secret: totpSecret(email))
        return totp.code(step: totp.step(at: date) + offset)
    }
}

/// Convenience calls against the JSON API.
extension TestClientProtocol {
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// Logs in; when the account has MFA, answers with the test TOTP code (the next step's code
    /// if the current one was already used, like an authenticator a few seconds later).
    func login(_ email: String, _ password: String = "correct horse battery", at date: Date = Date()) async throws -> String {
        var response = try await call(.post, "/api/v1/auth/login", json: #"{"email":"\#(email)","password":"\#(password)"}"#)
        if response.status == .unauthorized, try response.object()["type"] as? String == "/problems/mfa-required" {
            for offset: Int64 in [0, 1] {
                let code = TestHarness.totpCode(email, at: date, offset: offset)
                let body = #"{"email":"\#(email)","password":"\#(password)","totpCode":"\#(code)"}"#
                response = try await call(.post, "/api/v1/auth/login", json: body)
                if response.status == .ok { break }
            }
        }
        guard response.status == .ok else { throw HarnessError.unexpected(response.status.code) }
        return try response.object()["accessToken"] as! String
    }

    /// Step-up re-authentication; returns the session's new access token (the old one ends).
    func reauth(_ token: String, _ password: String = "correct horse battery", totp: String? = nil) async throws -> String {
        let code = totp.map { #","totpCode":"\#($0)""# } ?? ""
        let response = try await call(.post, "/api/v1/me/reauth", token: token, json: #"{"password":"\#(password)"\#(code)}"#)
        guard response.status == .ok else { throw HarnessError.unexpected(response.status.code) }
        return try response.object()["accessToken"] as! String
    }

    /// Signs up a new customer through the API (202) and logs in (no need to confirm the email
    /// first); returns the access token.
    func customer(_ email: String = "c-\(UUID().uuidString.prefix(8).lowercased())@example.com") async throws -> String {
        let body = #"{"email":"\#(email)","password":"correct horse battery","name":"Carla Customer","phone":"+34600123456"}"#
        let response = try await call(.post, "/api/v1/auth/signup", json: body)
        guard response.status == .accepted else { throw HarnessError.unexpected(response.status.code) }
        return try await login(email)
    }

    /// An installer near Madrid sets their profile; a new customer orders near Madrid and accepts
    /// the quote. Returns the customer's token, the order id and the installer's offer id.
    func dispatchedOrder(installerToken: String) async throws -> (customer: String, order: String, offer: String) {
        _ = try await call(.put, "/api/v1/installer/profile", token: installerToken, json: TestBodies.installerProfile)
        let customer = try await customer()
        let id = try await order(customer)
        _ = try await call(.post, "/api/v1/orders/\(id)/accept-quote", token: customer)
        let offers = try await call(.get, "/api/v1/installer/offers", token: installerToken).object()["items"] as? [[String: Any]]
        guard let offer = offers?.first?["id"] as? String else { throw HarnessError.unexpected(0) }
        return (customer, id, offer)
    }

    /// Creates an order near Madrid and returns its id.
    func order(_ token: String, latitude: Double = 40.4168, longitude: Double = -3.7038) async throws -> String {
        let response = try await call(.post, "/api/v1/orders", token: token, json: TestBodies.order(latitude: latitude, longitude: longitude))
        guard response.status == .created else { throw HarnessError.unexpected(response.status.code) }
        return try response.object()["id"] as! String
    }
}

enum HarnessError: Error {
    case unexpected(Int)
}

enum TestBodies {
    static func order(latitude: Double = 40.4168, longitude: Double = -3.7038, size: Double = 6.4, panels: Int = 16) -> String {
        """
        {"address":{"line1":"Calle Mayor 1","city":"Madrid","region":"Madrid","postalCode":"28013","country":"ES"},
         "location":{"latitude":\(latitude),"longitude":\(longitude)},
         "systemSizeKw":\(size),"panelCount":\(panels),"roofType":"tile","notes":"Gate code at reception"}
        """
    }

    static let installerProfile = #"{"serviceArea":{"latitude":40.45,"longitude":-3.69,"radiusKm":50},"available":true,"certifications":["NABCEP PV"]}"#
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The CSRF token of the first form on a page.
    var csrfToken: String? {
        guard let range = text.range(of: #"name="_csrf" value=""#) else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }

    func object() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }
}
