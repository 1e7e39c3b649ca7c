@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SolarSecurity
import Storage
import Testing

@Suite("Identity: MFA, throttling, password policy, refresh tokens, recovery")
struct IdentityTests {
    func loginBody(_ email: String, _ password: String = "correct horse battery", totp: String? = nil) -> String {
        #"{"email":"\#(email)","password":"\#(password)""# + (totp.map { #","totpCode":"\#($0)""# } ?? "") + "}"
    }

    @Test("a staff login without a TOTP code is not granted access")
    func staffNeedsSecondFactor() async throws {
        let harness = try await TestHarness.make()
        let support = try await harness.account(.support)
        try await harness.app.test(.router) { client in
            let response = try await client.call(.post, "/api/v1/auth/login", json: loginBody(support.email))
            #expect(response.status == .unauthorized)
            #expect(try response.object()["type"] as? String == "/problems/mfa-required")
            #expect(try response.object()["accessToken"] == nil)
            let wrong = try await client.call(.post, "/api/v1/auth/login", json: loginBody(support.email, totp: "000000"))
            #expect(wrong.status == .unauthorized)
            let token = try await client.login(support.email)
            #expect(try await client.call(.post, "/api/v1/staff/customer-search", token: token, json: #"{"query":"ab"}"#).status == .ok)
        }
    }

    @Test("a staff account without MFA can only enrol; after enrolling and logging in with a code it works")
    func staffEnrolment() async throws {
        let harness = try await TestHarness.make()
        let sales = try await harness.account(.sales, mfa: false)
        try await harness.app.test(.router) { client in
            let login = try await client.call(.post, "/api/v1/auth/login", json: loginBody(sales.email)).object()
            #expect(login["mfaEnrollmentRequired"] as? Bool == true)
            let limited = try #require(login["accessToken"] as? String)
            let denied = try await client.call(.get, "/api/v1/staff/sales/summary", token: limited)
            #expect(denied.status == .forbidden)
            #expect(try denied.object()["type"] as? String == "/problems/mfa-enrollment-required")
            #expect(try await client.call(.get, "/api/v1/me/sessions", token: limited).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/me", token: limited).status == .ok)

            let enrollment = try await client.call(.post, "/api/v1/me/mfa/totp", token: limited)
            #expect(enrollment.status == .created)
            let encodedSecret = try #require(try enrollment.object()["secret"] as? String)
            let secret = try #require(Base32.decode(encodedSecret))
            #expect((try enrollment.object()["otpauthUri"] as? String)?.hasPrefix("otpauth://totp/") == true)
            let totp = TOTP(secret: secret)
            #expect(try await client.call(.post, "/api/v1/me/mfa/totp/confirm", token: limited, json: #"{"code":"000000"}"#).status == .unprocessableContent)
            let confirmed = try await client.call(.post, "/api/v1/me/mfa/totp/confirm", token: limited,
                                                  json: #"{"code":"\#(totp.code(step: totp.step(at: Date())))"}"#)
            #expect(confirmed.status == .ok)
            let codes = try #require(try confirmed.object()["recoveryCodes"] as? [String])
            #expect(codes.count == 10 && Set(codes).count == 10)
            // 25 symbols of a 32-symbol alphabet each: 125 bits, over ASVS V6.5.2's 112.
            let alphabet = Set("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
            #expect(codes.allSatisfy { code in
                code.split(separator: "-").map(\.count) == [5, 5, 5, 5, 5] && code.filter { $0 != "-" }.allSatisfy(alphabet.contains)
            })
            #expect(Double(25) * log2(Double(alphabet.count)) >= 112)
            // The limited session stays limited: a new login with the second factor is needed.
            #expect(try await client.call(.get, "/api/v1/staff/sales/summary", token: limited).status == .forbidden)
            let full = try await client.call(.post, "/api/v1/auth/login",
                                             json: loginBody(sales.email, totp: totp.code(step: totp.step(at: Date()) + 1))).object()
            #expect(full["mfaEnrollmentRequired"] as? Bool == false)
            #expect(try await client.call(.get, "/api/v1/staff/sales/summary", token: full["accessToken"] as? String).status == .ok)
            // A recovery code works once instead of a TOTP code.
            let recovery = #"{"email":"\#(sales.email)","password":"correct horse battery","recoveryCode":"\#(codes[0].lowercased())"}"#
            #expect(try await client.call(.post, "/api/v1/auth/login", json: recovery).status == .ok)
            #expect(try await client.call(.post, "/api/v1/auth/login", json: recovery).status == .unauthorized)
        }
        let stored = try #require(try await harness.services.store.read { db in try db.totp(accountID: sales.id) })
        #expect(stored.secretCiphertext.hasPrefix("v1:"))
    }

    @Test("a TOTP code works once: a replay is rejected")
    func replay() async throws {
        let harness = try await TestHarness.make()
        let engineer = try await harness.account(.engineer)
        try await harness.app.test(.router) { client in
            let current = TestHarness.totpCode(engineer.email)
            #expect(try await client.call(.post, "/api/v1/auth/login", json: loginBody(engineer.email, totp: current)).status == .ok)
            let replayed = try await client.call(.post, "/api/v1/auth/login", json: loginBody(engineer.email, totp: current))
            #expect(replayed.status == .unauthorized)
            #expect(try replayed.object()["type"] as? String == "/problems/invalid-second-factor")
            // An older code than the last accepted one is a replay too.
            #expect(try await client.call(.post, "/api/v1/auth/login", json: loginBody(engineer.email, totp: TestHarness.totpCode(engineer.email, offset: -1))).status == .unauthorized)
        }
    }

    @Test("the 6th wrong password is throttled with 429; the right one is refused until the delay passes; another account is unaffected")
    func throttling() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(now: { clock.now })
        try await harness.app.test(.live) { client in
            _ = try await client.customer("victim@example.com")
            _ = try await client.customer("bystander@example.com")
            for attempt in 1...5 {
                let response = try await client.call(.post, "/api/v1/auth/login", json: loginBody("victim@example.com", "wrong password \(attempt)"))
                #expect(response.status == .unauthorized, "attempt \(attempt)")
            }
            let sixth = try await client.call(.post, "/api/v1/auth/login", json: loginBody("victim@example.com", "wrong password 6"))
            #expect(sixth.status == .tooManyRequests)
            #expect(Int(sixth.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(try sixth.object()["type"] as? String == "/problems/too-many-attempts")
            #expect(try await client.call(.post, "/api/v1/auth/login", json: loginBody("victim@example.com")).status == .tooManyRequests)
            #expect(try await client.call(.post, "/api/v1/auth/login", json: loginBody("bystander@example.com")).status == .ok)
            clock.advance(by: 61)
            #expect(try await client.call(.post, "/api/v1/auth/login", json: loginBody("victim@example.com")).status == .ok)
            // Unknown emails are throttled exactly like known ones.
            for _ in 1...5 { _ = try await client.call(.post, "/api/v1/auth/login", json: loginBody("ghost@example.com", "whatever pass")) }
            #expect(try await client.call(.post, "/api/v1/auth/login", json: loginBody("ghost@example.com", "whatever pass")).status == .tooManyRequests)
        }
        let events = try await harness.services.store.read { db in try db.auditEvents(limit: 200, offset: 0) }
        #expect(events.contains { $0.action == "auth.lockout" })
    }

    @Test("common passwords and passwords containing the email name are rejected")
    func passwordPolicy() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            for password in ["password123456", "carla.gomez.home", "Gomez-2026-solar", "short pass"] {
                let body = #"{"email":"carla.gomez@example.com","password":"\#(password)","name":"Carla","phone":"+34600123456"}"#
                let response = try await client.call(.post, "/api/v1/auth/signup", json: body)
                #expect(response.status == .unprocessableContent, "\(password)")
                #expect(response.text.contains("password"))
            }
        }
    }

    @Test("a refresh token rotates; using one twice revokes the whole family and is recorded")
    func refreshReuse() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            _ = try await client.customer("mobile@example.com")
            let login = try await client.call(.post, "/api/v1/auth/login", json: loginBody("mobile@example.com")).object()
            let firstRefresh = try #require(login["refreshToken"] as? String)
            let renewed = try await client.call(.post, "/api/v1/auth/refresh", json: #"{"refreshToken":"\#(firstRefresh)"}"#)
            #expect(renewed.status == .ok)
            let access = try #require(try renewed.object()["accessToken"] as? String)
            let secondRefresh = try #require(try renewed.object()["refreshToken"] as? String)
            #expect(secondRefresh != firstRefresh && access != login["accessToken"] as? String)
            #expect(try await client.call(.get, "/api/v1/me", token: access).status == .ok)
            // The old access token stopped working when it was rotated.
            #expect(try await client.call(.get, "/api/v1/me", token: login["accessToken"] as? String).status == .unauthorized)

            let reused = try await client.call(.post, "/api/v1/auth/refresh", json: #"{"refreshToken":"\#(firstRefresh)"}"#)
            #expect(reused.status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/me", token: access).status == .unauthorized)
            #expect(try await client.call(.post, "/api/v1/auth/refresh", json: #"{"refreshToken":"\#(secondRefresh)"}"#).status == .unauthorized)
        }
        let events = try await harness.services.store.read { db in try db.auditEvents(limit: 100, offset: 0) }
        #expect(events.contains { $0.action == "security.refresh_token_reuse" && $0.outcome == .denied })
    }

    @Test("each login is a new session id; sessions can be listed and revoked; others' answer 404")
    func sessions() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            _ = try await client.customer("devices@example.com")
            let phone = try await client.login("devices@example.com")
            let tablet = try await client.login("devices@example.com")
            let list = try #require(try await client.call(.get, "/api/v1/me/sessions", token: phone).object()["items"] as? [[String: Any]])
            #expect(list.count == 3)
            #expect(Set(list.compactMap { $0["id"] as? String }).count == 3)
            #expect(list.filter { $0["current"] as? Bool == true }.count == 1)
            let tabletID = try #require(try await client.call(.get, "/api/v1/me/sessions", token: tablet).object()["items"] as? [[String: Any]])
                .first { $0["current"] as? Bool == true }?["id"] as? String
            let other = try await client.customer()
            #expect(try await client.call(.delete, "/api/v1/me/sessions/\(tabletID!)", token: other).status == .notFound)
            #expect(try await client.call(.delete, "/api/v1/me/sessions/\(tabletID!)", token: phone).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/me", token: tablet).status == .unauthorized)
            #expect(try await client.call(.delete, "/api/v1/me/sessions", token: phone).status == .noContent)
            let left = try await client.call(.get, "/api/v1/me/sessions", token: phone).object()["items"] as? [Any]
            #expect(left?.count == 1)
        }
    }

    @Test("an idle staff web session expires on the server; a customer's survives the same pause")
    func idleTimeout() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(now: { clock.now })
        let support = try await harness.account(.support)
        try await harness.app.test(.router) { client in
            _ = try await client.customer("patient@example.com")
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            func cookie(_ response: TestResponse) -> HTTPFields {
                let value = response.headers[.setCookie]!.split(separator: ";")[0]
                return [.cookie: String(value)]
            }
            let staff = try await client.call(.post, "/login", json: "email=\(support.email)&password=correct+horse+battery&totpCode=\(TestHarness.totpCode(support.email, at: clock.now))", headers: form)
            #expect(staff.status == .seeOther)
            let customer = try await client.call(.post, "/login", json: "email=patient%40example.com&password=correct+horse+battery", headers: form)
            #expect(try await client.call(.get, "/dashboard", headers: cookie(staff)).status == .ok)
            clock.advance(by: 31 * 60)
            #expect(try await client.call(.get, "/dashboard", headers: cookie(staff)).status == .seeOther)
            #expect(try await client.call(.get, "/dashboard", headers: cookie(customer)).status == .ok)
        }
    }

    @Test("a password reset token works once; the request answers byte-identically for unknown emails")
    func passwordReset() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let oldSession = try await client.customer("forgetful@example.com")
            let known = try await client.call(.post, "/api/v1/auth/password-reset", json: #"{"email":"forgetful@example.com"}"#)
            let unknown = try await client.call(.post, "/api/v1/auth/password-reset", json: #"{"email":"nobody-here@example.com"}"#)
            #expect(known.status == .accepted && unknown.status == .accepted)
            #expect(known.text == unknown.text)
            var a = known.headers, b = unknown.headers
            for field in [HTTPField.Name("X-Request-ID")!, .date] { a[field] = nil; b[field] = nil }
            #expect(a == b)

            let mail = try await harness.mail()
            let reset = try #require(mail.last { $0.subject.contains("Reset") })
            #expect(reset.to == "forgetful@example.com")
            #expect(!mail.contains { $0.to == "nobody-here@example.com" })
            let token = try #require(reset.body.split(separator: "\n").first { $0.contains("reset code is:") }?.split(separator: " ").last.map(String.init))
            let weak = try await client.call(.post, "/api/v1/auth/password-reset/confirm", json: #"{"token":"\#(token)","newPassword":"password123456"}"#)
            #expect(weak.status == .unprocessableContent)
            let confirm = #"{"token":"\#(token)","newPassword":"a brand new sunny passphrase"}"#
            #expect(try await client.call(.post, "/api/v1/auth/password-reset/confirm", json: confirm).status == .noContent)
            #expect(try await client.call(.post, "/api/v1/auth/password-reset/confirm", json: confirm).status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/me", token: oldSession).status == .unauthorized)
            #expect(try await client.call(.post, "/api/v1/auth/login", json: loginBody("forgetful@example.com", "a brand new sunny passphrase")).status == .ok)
            #expect(try await client.call(.post, "/api/v1/auth/login", json: loginBody("forgetful@example.com")).status == .unauthorized)
        }
    }

    @Test("a reset, or a password change, spends every older reset code of the account")
    func olderResetCodesDie() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let session = try await client.customer("twice@example.com")
            func code() async throws -> String {
                #expect(try await client.call(.post, "/api/v1/auth/password-reset", json: #"{"email":"twice@example.com"}"#).status == .accepted)
                let body = try #require(try await harness.mail().last { $0.to == "twice@example.com" && $0.subject.contains("Reset") }?.body)
                return try #require(body.split(separator: "\n").first { $0.contains("reset code is:") }?.split(separator: " ").last.map(String.init))
            }
            func confirm(_ token: String, _ password: String) async throws -> HTTPResponse.Status {
                try await client.call(.post, "/api/v1/auth/password-reset/confirm", json: #"{"token":"\#(token)","newPassword":"\#(password)"}"#).status
            }
            let first = try await code(), second = try await code()
            #expect(first != second)
            #expect(try await confirm(second, "the second sunny passphrase") == .noContent)
            #expect(try await confirm(first, "the first sunny passphrase") == .badRequest, "the older code died with the reset")

            // A code mailed before a password change cannot undo the change.
            let third = try await code()
            let fresh = try await client.login("twice@example.com", "the second sunny passphrase")
            _ = session
            let change = #"{"currentPassword":"the second sunny passphrase","newPassword":"the third sunny passphrase"}"#
            #expect(try await client.call(.post, "/api/v1/me/password", token: fresh, json: change).status == .noContent)
            #expect(try await confirm(third, "an attacker's sunny passphrase") == .badRequest)
            #expect(try await client.call(.post, "/api/v1/auth/login", json: loginBody("twice@example.com", "the third sunny passphrase")).status == .ok)
        }
    }

    @Test("a reset does not bypass MFA")
    func resetKeepsMFA() async throws {
        let harness = try await TestHarness.make()
        let installer = try await harness.account(.installer, mfa: true)
        try await harness.app.test(.router) { client in
            _ = try await client.call(.post, "/api/v1/auth/password-reset", json: #"{"email":"\#(installer.email)"}"#)
            let body = try #require(try await harness.mail().last?.body)
            let token = try #require(body.split(separator: "\n").first { $0.contains("reset code is:") }?.split(separator: " ").last.map(String.init))
            #expect(try await client.call(.post, "/api/v1/auth/password-reset/confirm", json: #"{"token":"\#(token)","newPassword":"another fine passphrase"}"#).status == .noContent)
            let login = try await client.call(.post, "/api/v1/auth/login", json: loginBody(installer.email, "another fine passphrase"))
            #expect(try login.object()["type"] as? String == "/problems/mfa-required")
        }
    }

    @Test("signup sends a verification code that works once; the outbox stores address and code encrypted")
    func emailVerification() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            _ = try await client.customer("new.customer@example.com")
            let queued = try await harness.services.store.read { db in try db.pendingEmails(limit: 10) }
            #expect(queued.count == 1)
            #expect(queued.allSatisfy { !$0.recipientCiphertext.contains("new.customer") && $0.recipientCiphertext.hasPrefix("v1:") })
            let message = try #require(try await harness.mail().first { $0.to == "new.customer@example.com" })
            let token = try #require(message.body.split(separator: "\n").first { $0.contains("code is:") }?.split(separator: " ").last.map(String.init))
            #expect(try await client.call(.post, "/api/v1/auth/verify-email", json: #"{"token":"\#(token)"}"#).status == .noContent)
            #expect(try await client.call(.post, "/api/v1/auth/verify-email", json: #"{"token":"\#(token)"}"#).status == .badRequest)
        }
        let account = try await harness.services.store.read { db in try db.account(email: "new.customer@example.com") }
        #expect(account?.emailVerifiedAt != nil)
        // Outbox rows hold neither the address nor the code in clear.
        #expect(try await harness.services.store.read { db in try db.pendingEmails(limit: 10) }.isEmpty)
    }

    @Test("changing the password needs a recent login, revokes other sessions; support can force a logout")
    func stepUpAndForceLogout() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(now: { clock.now })
        let support = try await harness.account(.support)
        try await harness.app.test(.router) { client in
            _ = try await client.customer("stepup@example.com")
            var main = try await client.login("stepup@example.com")
            let other = try await client.login("stepup@example.com")
            clock.advance(by: 6 * 60)
            let change = #"{"currentPassword":"correct horse battery","newPassword":"a longer fresher passphrase"}"#
            let stale = try await client.call(.post, "/api/v1/me/password", token: main, json: change)
            #expect(stale.status == .forbidden)
            #expect(try stale.object()["type"] as? String == "/problems/reauthentication-required")
            #expect(try await client.call(.post, "/api/v1/me/reauth", token: main, json: #"{"password":"nope nope nope"}"#).status == .unauthorized)
            let renewed = try await client.reauth(main)
            // The step-up replaced the session token: the presented one ended, the same session goes on.
            #expect(try await client.call(.get, "/api/v1/me", token: main).status == .unauthorized)
            main = renewed
            #expect(try await client.call(.post, "/api/v1/me/password", token: main, json: change).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/me", token: other).status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/me", token: main).status == .ok)

            let me = try await client.call(.get, "/api/v1/me", token: main).object()["id"] as? String
            let staff = try await client.login(support.email, at: clock.now)
            #expect(try await client.call(.post, "/api/v1/staff/accounts/\(me!)/logout", token: staff).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/me", token: main).status == .unauthorized)
            #expect(try await client.call(.post, "/api/v1/staff/accounts/\(me!)/logout", token: main).status == .unauthorized)
        }
    }

    @Test("no credential or token appears in the logs of the identity flows")
    func noSecretsLogged() async throws {
        let harness = try await TestHarness.make()
        let engineer = try await harness.account(.engineer)
        let (token, refresh) = try await harness.app.test(.router) { client in
            let login = try await client.call(.post, "/api/v1/auth/login", json: loginBody(engineer.email, totp: TestHarness.totpCode(engineer.email))).object()
            _ = try await client.call(.post, "/api/v1/auth/refresh", json: #"{"refreshToken":"\#(login["refreshToken"] as! String)"}"#)
            _ = try await client.call(.post, "/api/v1/auth/password-reset", json: #"{"email":"\#(engineer.email)"}"#)
            return (login["accessToken"] as! String, login["refreshToken"] as! String)
        }
        let logs = harness.logs.lines.joined()
        for secret in [token, refresh, "correct horse battery", engineer.email, TestHarness.totpCode(engineer.email)] {
            #expect(!logs.contains(secret))
        }
    }
}

@Suite("Identity: per-address throttling")
struct AddressThrottleTests {
    @Test("failures from one address across many accounts lock that address, not the accounts")
    func perAddress() async throws {
        let harness = try await TestHarness.make(config: { $0.loginThrottle.addressThreshold = 6 })
        try await harness.app.test(.live) { client in
            _ = try await client.customer("real.user@example.com")
            for i in 1...6 {
                let body = #"{"email":"sprayed\#(i)@example.com","password":"guess guess guess"}"#
                #expect(try await client.call(.post, "/api/v1/auth/login", json: body).status == .unauthorized, "attempt \(i)")
            }
            let locked = try await client.call(.post, "/api/v1/auth/login", json: #"{"email":"real.user@example.com","password":"correct horse battery"}"#)
            #expect(locked.status == .tooManyRequests)
        }
        // The account itself was never attacked: from another address it logs in.
        let records = try await harness.services.store.read { db in try db.throttle(key: LoginThrottle.accountKey("real.user@example.com", index: harness.services.blindIndex)) }
        #expect(records == nil)
    }
}

@Suite("Identity: email and role changes need a recent re-authentication")
struct SensitiveChangeTests {
    @Test("an email change needs step-up and the code sent to the new address; a taken address answers the same")
    func emailChange() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(now: { clock.now })
        try await harness.app.test(.router) { client in
            _ = try await client.customer("taken@example.com")
            let staleToken = try await client.customer("before@example.com")
            let other = try await client.login("before@example.com")
            clock.advance(by: 6 * 60)
            let stale = try await client.call(.post, "/api/v1/me/email", token: staleToken, json: #"{"email":"after@example.com"}"#)
            #expect(try stale.object()["type"] as? String == "/problems/reauthentication-required")
            let token = try await client.reauth(staleToken)
            let taken = try await client.call(.post, "/api/v1/me/email", token: token, json: #"{"email":"taken@example.com"}"#)
            let fresh = try await client.call(.post, "/api/v1/me/email", token: token, json: #"{"email":"after@example.com"}"#)
            #expect(taken.status == .accepted && fresh.status == .accepted && taken.text == fresh.text)
            let mail = try await harness.mail()
            #expect(!mail.contains { $0.to == "taken@example.com" && $0.subject.contains("Confirm") && $0.createdAt > clock.now.addingTimeInterval(-1) })
            let message = try #require(mail.last { $0.to == "after@example.com" })
            let code = try #require(message.body.split(separator: "\n").first { $0.contains("code is:") }?.split(separator: " ").last.map(String.init))
            // Nothing changed yet.
            #expect(try await client.call(.get, "/api/v1/me", token: token).object()["email"] as? String == "before@example.com")
            #expect(try await client.call(.post, "/api/v1/me/email/confirm", token: other, json: #"{"token":"\#(code)"}"#).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/me", token: other).object()["email"] as? String == "after@example.com")
            #expect(try await client.call(.get, "/api/v1/me", token: token).status == .unauthorized)
            #expect(try await client.call(.post, "/api/v1/me/email/confirm", token: other, json: #"{"token":"\#(code)"}"#).status == .badRequest)
        }
    }

    @Test("an admin changes a role only after step-up, never their own; a change to installer applies at once and the sessions end")
    func roleChange() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(now: { clock.now })
        let admin = try await harness.account(.admin)
        let support = try await harness.account(.support)
        try await harness.app.test(.router) { client in
            let adminToken = try await client.login(admin.email, at: clock.now)
            let supportToken = try await client.login(support.email, at: clock.now)
            let body = #"{"role":"installer"}"#
            #expect(try await client.call(.put, "/api/v1/admin/accounts/\(support.id.uuidString)/role", token: supportToken, json: body).status == .forbidden)
            #expect(try await client.call(.put, "/api/v1/admin/accounts/\(admin.id.uuidString)/role", token: adminToken, json: body).status == .forbidden)
            clock.advance(by: 6 * 60)
            let stale = try await client.call(.put, "/api/v1/admin/accounts/\(support.id.uuidString)/role", token: adminToken, json: body)
            #expect(try stale.object()["type"] as? String == "/problems/reauthentication-required")
            let totp = TOTP(secret: TestHarness.totpSecret(admin.email))
            let reauth = #"{"password":"correct horse battery","totpCode":"\#(totp.code(step: totp.step(at: clock.now) + 1))"}"#
            let reauthed = try #require(try await client.call(.post, "/api/v1/me/reauth", token: adminToken, json: reauth).object()["accessToken"] as? String)
            #expect(try await client.call(.put, "/api/v1/admin/accounts/\(support.id.uuidString)/role", token: reauthed, json: body).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/me", token: supportToken).status == .unauthorized)
        }
        #expect(try await harness.services.store.read { db in try db.account(id: support.id) }?.role == .installer)
        let events = try await harness.services.store.read { db in try db.auditEvents(limit: 100, offset: 0) }
        #expect(events.contains { $0.action == "admin.role_change" && $0.detail == "support->installer" })
    }
}

@Suite("Login throttle keys")
struct ThrottleKeyTests {
    @Test("the account key is a keyed HMAC of the email: another key gives another name, and no bare hash of the email appears")
    func keyed() throws {
        let one = try #require(BlindIndex(base64: BlindIndex.generateKey())), two = try #require(BlindIndex(base64: BlindIndex.generateKey()))
        let email = "someone@example.com"
        #expect(LoginThrottle.accountKey(email, index: one) == LoginThrottle.accountKey(email, index: one))
        #expect(LoginThrottle.accountKey(email, index: one) != LoginThrottle.accountKey(email, index: two))
        #expect(!LoginThrottle.accountKey(email, index: one).contains(OpaqueToken.storageHash(of: "login:" + email).prefix(40)))
        #expect(LoginThrottle.accountKey(email, index: one).hasPrefix("a:"))
    }
}

@Suite("Trusted devices against targeted lockout")
struct TrustedDeviceTests {
    static func login(_ client: some TestClientProtocol, _ email: String, _ password: String, device: String? = nil) async throws -> TestResponse {
        let extra = device.map { #","deviceToken":"\#($0)""# } ?? ""
        return try await client.call(.post, "/api/v1/auth/login", json: #"{"email":"\#(email)","password":"\#(password)"\#(extra)}"#)
    }

    @Test("an attacker locks the account; the owner's trusted device still logs in, a fresh device or a foreign token does not")
    func ownerStillLogsIn() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            _ = try await client.customer("targeted@example.com")
            _ = try await client.customer("attacker@example.com")
            let first = try await Self.login(client, "targeted@example.com", "correct horse battery").object()
            let device = try #require(first["deviceToken"] as? String)
            let attackersOwn = try #require(try await Self.login(client, "attacker@example.com", "correct horse battery").object()["deviceToken"] as? String)
            for _ in 0..<5 { #expect(try await Self.login(client, "targeted@example.com", "a wrong guess").status == .unauthorized) }
            #expect(try await Self.login(client, "targeted@example.com", "correct horse battery").status == .tooManyRequests, "a fresh device is throttled")
            #expect(try await Self.login(client, "targeted@example.com", "correct horse battery", device: attackersOwn).status == .tooManyRequests,
                    "another account's device token does not help")
            var forged = device
            forged.removeLast()
            forged += device.hasSuffix("0") ? "1" : "0"
            #expect(try await Self.login(client, "targeted@example.com", "correct horse battery", device: forged).status == .tooManyRequests,
                    "a tampered token does not help")
            let owner = try await Self.login(client, "targeted@example.com", "correct horse battery", device: device)
            #expect(owner.status == .ok, "the owner's trusted device logs in during the attack")
            #expect(try owner.object()["deviceToken"] as? String != nil)
        }
    }

    @Test("the web login sets a __Host- device cookie, and it lets the owner in while the account is locked")
    func webDeviceCookie() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            _ = try await client.customer("web.owner@example.com")
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let body = "email=web.owner%40example.com&password=correct+horse+battery"
            let first = try await client.call(.post, "/login", json: body, headers: form)
            let cookies = first.headers[values: .setCookie]
            let device = try #require(cookies.first { $0.hasPrefix("__Host-sd_device=") })
            for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] { #expect(device.contains(attribute), "\(attribute)") }
            let value = String(device.split(separator: ";")[0])
            for _ in 0..<5 { _ = try await client.call(.post, "/login", json: "email=web.owner%40example.com&password=wrong+guess+here", headers: form) }
            #expect(try await client.call(.post, "/login", json: body, headers: form).status == .tooManyRequests)
            var trusted = form
            trusted[.cookie] = value
            #expect(try await client.call(.post, "/login", json: body, headers: trusted).status == .seeOther)
        }
    }
}
