@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SolarSecurity
import Storage
import Testing

/// ASVS V6.3.3 and V6.3.4: customers on a new device prove it with a code sent by email;
/// installers, like staff, must use TOTP.
@Suite("Second factor beyond staff: emailed codes for new devices, mandatory TOTP for installers")
struct LoginCodeTests {
    static func login(_ client: some TestClientProtocol, _ email: String, code: String? = nil, device: String? = nil) async throws -> TestResponse {
        var body = #"{"email":"\#(email)","password":"correct horse battery""#
        if let code { body += #","emailCode":"\#(code)""# }
        if let device { body += #","deviceToken":"\#(device)""# }
        return try await client.call(.post, "/api/v1/auth/login", json: body + "}")
    }

    static func code(_ harness: TestHarness, to email: String) async throws -> String {
        let message = try #require(try await harness.mail().last { $0.to == email && $0.subject.contains("login code") })
        return try #require(message.body.split(separator: "\n").first { $0.contains("code is:") }?.split(separator: " ").last.map(String.init))
    }

    @Test("a customer's login from a new device needs the emailed code: once, within 10 minutes, the newest only; a known device does not")
    func api() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(config: { $0.newDeviceEmailCode = true }, now: { clock.now })
        try await harness.app.test(.router) { client in
            let signup = #"{"email":"newdevice@example.com","password":"correct horse battery","name":"Nora","phone":"+34600123456"}"#
            #expect(try await client.call(.post, "/api/v1/auth/signup", json: signup).status == .accepted)
            let asked = try await Self.login(client, "newdevice@example.com")
            #expect(try asked.status == .unauthorized && asked.object()["type"] as? String == "/problems/email-code-required")
            let first = try await Self.code(harness, to: "newdevice@example.com")
            #expect(first.count == 6 && first.allSatisfy(\.isNumber))
            // A wrong code is a failed login; asking again sends a new code and ends the first.
            let wrong = String(first.reversed()) == first ? "000001" : String(first.reversed())
            let refused = try await Self.login(client, "newdevice@example.com", code: wrong)
            #expect(try refused.status == .unauthorized && refused.object()["type"] as? String == "/problems/invalid-second-factor")
            _ = try await Self.login(client, "newdevice@example.com")
            let second = try await Self.code(harness, to: "newdevice@example.com")
            if second != first { #expect(try await Self.login(client, "newdevice@example.com", code: first).status == .unauthorized, "the first code ended") }
            // Ten minutes later the code has expired.
            clock.advance(by: 11 * 60)
            #expect(try await Self.login(client, "newdevice@example.com", code: second).status == .unauthorized)
            _ = try await Self.login(client, "newdevice@example.com")
            let third = try await Self.code(harness, to: "newdevice@example.com")
            let ok = try await Self.login(client, "newdevice@example.com", code: third)
            #expect(ok.status == .ok)
            let device = try #require(try ok.object()["deviceToken"] as? String)
            #expect(try await Self.login(client, "newdevice@example.com", code: third).status == .unauthorized, "a code works once")
            // The device is known now: the password is enough; another device still needs a code.
            #expect(try await Self.login(client, "newdevice@example.com", device: device).status == .ok)
            #expect(try await Self.login(client, "newdevice@example.com").status == .unauthorized)
        }
        let events = try await harness.services.store.read { db in try db.auditEvents(limit: 200, offset: 0) }
        #expect(events.filter { $0.action == "auth.login_code.sent" }.count == 4)
        #expect(events.contains { $0.action == "auth.login" && $0.outcome == .failure && $0.detail == "email code" })
        #expect(events.contains { $0.action == "auth.login" && $0.outcome == .success && $0.detail?.contains("email_code=true") == true })
    }

    @Test("sending login codes is limited per account; customers with TOTP, installers and staff are asked for TOTP instead")
    func limitsAndRoles() async throws {
        let harness = try await TestHarness.make(config: { $0.newDeviceEmailCode = true; $0.rateLimits[.loginCode] = .init(perAccount: 2, perAddress: nil) })
        let installer = try await harness.account(.installer)
        let customerWithTOTP = try await harness.account(.customer, mfa: true)
        try await harness.app.test(.router) { client in
            _ = try await harness.account(.customer, email: "limited@example.com", mfa: false)
            for _ in 0..<2 { #expect(try await Self.login(client, "limited@example.com").status == .unauthorized) }
            let limited = try await Self.login(client, "limited@example.com")
            #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] != nil)
            for account in [installer, customerWithTOTP] {
                let answer = try await Self.login(client, account.email)
                #expect((try answer.object()["type"] as? String) == "/problems/mfa-required", "\(account.role)")
            }
        }
        #expect(try await harness.mail().filter { $0.to == "limited@example.com" }.count == 2)
    }

    @Test("an installer without TOTP may only enrol; an installer cannot turn TOTP off")
    func installersNeedMFA() async throws {
        let harness = try await TestHarness.make()
        let fresh = try await harness.account(.installer, mfa: false)
        let enrolled = try await harness.account(.installer)
        try await harness.app.test(.router) { client in
            let login = try await Self.login(client, fresh.email)
            #expect(try login.status == .ok && login.object()["mfaEnrollmentRequired"] as? Bool == true)
            let limited = try #require(try login.object()["accessToken"] as? String)
            let offers = try await client.call(.get, "/api/v1/installer/offers", token: limited)
            #expect(try offers.status == .forbidden && offers.object()["type"] as? String == "/problems/mfa-enrollment-required")
            // The web sends such an installer to enrol before it shows offers or jobs.
            let cookie = try await WebStaffTests.session(client, fresh.email)
            for page in ["/dashboard", "/installer/profile"] {
                let answer = try await client.call(.get, page, headers: cookie)
                #expect(answer.status == .seeOther && answer.headers[.location] == "/account/security", "\(page)")
            }
            #expect(try await client.call(.get, "/account/security", headers: cookie).text.contains("Installer accounts must use two-factor authentication"))
            #expect(try await client.call(.post, "/api/v1/me/mfa/totp", token: limited).status == .created)
            let token = try await client.login(enrolled.email)
            #expect(try await client.call(.get, "/api/v1/installer/offers", token: token).status == .ok)
            let off = try await client.call(.delete, "/api/v1/me/mfa/totp", token: token)
            #expect(try off.status == .forbidden && off.object()["type"] as? String == "/problems/mfa-mandatory")
        }
    }

    @Test("on the web the login page asks a new browser for the emailed code; the browser is known afterwards")
    func web() async throws {
        let harness = try await TestHarness.make(config: { $0.newDeviceEmailCode = true })
        try await harness.app.test(.router) { client in
            _ = try await harness.account(.customer, email: "newbrowser@example.com", mfa: false)
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let body = "email=newbrowser%40example.com&password=correct+horse+battery"
            let asked = try await client.call(.post, "/login", json: body, headers: form)
            #expect(asked.status == .unauthorized && asked.text.contains(#"name="emailCode""#) && !asked.text.contains(#"name="totpCode""#))
            let code = try await Self.code(harness, to: "newbrowser@example.com")
            let wrong = try await client.call(.post, "/login", json: body + "&emailCode=99999x", headers: form)
            #expect(wrong.status == .unauthorized && wrong.text.contains(#"name="emailCode""#))
            let ok = try await client.call(.post, "/login", json: body + "&emailCode=\(code)", headers: form)
            #expect(ok.status == .seeOther)
            let device = try #require(ok.headers[values: .setCookie].first { $0.hasPrefix(WebController.deviceCookie + "=") }?.split(separator: ";").first)
            let again = try await client.call(.post, "/login", json: body, headers: [.contentType: "application/x-www-form-urlencoded", .cookie: String(device)])
            #expect(again.status == .seeOther)
        }
    }

    @Test("only the test environment may turn the new-device code off")
    func config() throws {
        #expect(try AppConfig.fromEnvironment([:]).newDeviceEmailCode)
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["NEW_DEVICE_EMAIL_CODE": "false"]) }
        var production = ConfigTests.secureProduction
        production["NEW_DEVICE_EMAIL_CODE"] = "false"
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(production) }
        #expect(try !AppConfig.fromEnvironment(["ENVIRONMENT": "test", "NEW_DEVICE_EMAIL_CODE": "false"]).newDeviceEmailCode)
    }
}
