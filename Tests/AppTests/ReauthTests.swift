@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SolarSecurity
import Storage
import Testing

/// ASVS V7.5.1, V7.5.2 and V7.2.4: changes to how an account authenticates, and ending other
/// sessions, need a login or step-up within five minutes; a step-up replaces the session token.
@Suite("Re-authentication before sensitive changes, and session rotation")
struct ReauthTests {
    @Test("MFA enrolment, new recovery codes and ending sessions need a recent authentication; the step-up replaces the token")
    func api() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(now: { clock.now })
        try await harness.app.test(.router) { client in
            var token = try await client.customer("reauth@example.com")
            let other = try await client.login("reauth@example.com", at: clock.now)
            let items = try #require(try await client.call(.get, "/api/v1/me/sessions", token: other).object()["items"] as? [[String: Any]])
            let otherID = try #require(items.first { $0["current"] as? Bool == true }?["id"] as? String)
            clock.advance(by: 6 * 60)
            for (method, path) in [(HTTPRequest.Method.post, "/api/v1/me/mfa/totp"), (.delete, "/api/v1/me/sessions"), (.delete, "/api/v1/me/sessions/\(otherID)")] {
                let stale = try await client.call(method, path, token: token)
                #expect(try stale.status == .forbidden && stale.object()["type"] as? String == "/problems/reauthentication-required", "\(path)")
            }
            #expect(try await client.call(.get, "/api/v1/me", token: other).status == .ok, "nothing was revoked")

            let renewed = try await client.reauth(token)
            #expect(renewed != token)
            #expect(try await client.call(.get, "/api/v1/me", token: token).status == .unauthorized, "the presented token ended")
            token = renewed
            let enrollment = try await client.call(.post, "/api/v1/me/mfa/totp", token: token)
            #expect(enrollment.status == .created)
            let totp = TOTP(secret: Base32.decode(try #require(try enrollment.object()["secret"] as? String))!)
            let confirm = try await client.call(.post, "/api/v1/me/mfa/totp/confirm", token: token, json: #"{"code":"\#(totp.code(step: totp.step(at: clock.now)))"}"#)
            let oldCodes = try #require(try confirm.object()["recoveryCodes"] as? [String])

            clock.advance(by: 6 * 60)
            let stale = try await client.call(.post, "/api/v1/me/mfa/recovery-codes", token: token)
            #expect(try stale.status == .forbidden && stale.object()["type"] as? String == "/problems/reauthentication-required")
            // With MFA on, the password alone is not a step-up.
            #expect(try await client.call(.post, "/api/v1/me/reauth", token: token, json: #"{"password":"correct horse battery"}"#).status == .unauthorized)
            token = try await client.reauth(token, totp: totp.code(step: totp.step(at: clock.now) + 1))
            let fresh = try await client.call(.post, "/api/v1/me/mfa/recovery-codes", token: token)
            let newCodes = try #require(try fresh.object()["recoveryCodes"] as? [String])
            #expect(fresh.status == .ok && newCodes.count == 10 && Set(newCodes).isDisjoint(with: oldCodes))
            let login = { (code: String) in
                try await client.call(.post, "/api/v1/auth/login", json: #"{"email":"reauth@example.com","password":"correct horse battery","recoveryCode":"\#(code)"}"#)
            }
            #expect(try await login(oldCodes[0]).status == .unauthorized, "the old codes ended")
            #expect(try await login(newCodes[0]).status == .ok)

            #expect(try await client.call(.delete, "/api/v1/me/sessions/\(otherID)", token: token).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/me", token: other).status == .unauthorized)
            #expect(try await client.call(.delete, "/api/v1/me/sessions", token: token).status == .noContent)
        }
        let events = try await harness.services.store.read { db in try db.auditEvents(limit: 100, offset: 0) }
        #expect(events.filter { $0.action == "auth.reauth" && $0.detail == "session token replaced" }.count == 2)
        #expect(events.contains { $0.action == "mfa.recovery_codes.regenerate" })
    }

    @Test("on the web a stale session confirms the password first; the confirmation replaces the cookie and the form token")
    func web() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(now: { clock.now })
        try await harness.app.test(.router) { client in
            _ = try await client.customer("reauth.web@example.com")
            _ = try await client.login("reauth.web@example.com", at: clock.now)
            let first = try await WebStaffTests.session(client, "reauth.web@example.com")
            let recent = try await client.call(.get, "/account/sessions", headers: first)
            #expect(recent.text.contains(#"action="/account/sessions/revoke-others""#) && !recent.text.contains(#"action="/account/reauth""#))

            clock.advance(by: 6 * 60)
            let stale = try await client.call(.get, "/account/sessions", headers: first)
            #expect(stale.text.contains(#"action="/account/reauth""#) && !stale.text.contains(#"action="/account/sessions/revoke-others""#))
            let csrf = try #require(stale.csrfToken)
            let refused = try await client.call(.post, "/account/sessions/revoke-others", json: "_csrf=\(csrf)", headers: first)
            #expect(refused.status == .forbidden)

            let wrong = try await client.call(.post, "/account/reauth", json: "_csrf=\(csrf)&next=%2Faccount%2Fsessions&password=wrong+horse+battery", headers: first)
            #expect(wrong.status == .seeOther && wrong.headers[.location] == "/account/sessions?reauth=failed" && wrong.headers[.setCookie] == nil)
            let failed = try await client.call(.get, "/account/sessions?reauth=failed", headers: first)
            #expect(failed.text.contains("Your password or code was not accepted."))

            let confirmed = try await client.call(.post, "/account/reauth", json: "_csrf=\(csrf)&next=%2Faccount%2Fsessions&password=correct+horse+battery", headers: first)
            #expect(confirmed.status == .seeOther && confirmed.headers[.location] == "/account/sessions")
            let cookie = try #require(confirmed.headers[.setCookie])
            #expect(cookie.hasPrefix(AuthMiddleware.cookieName + "=") && cookie.contains("HttpOnly") && cookie.contains("Secure"))
            let second: HTTPFields = [.cookie: String(cookie.split(separator: ";")[0]), .contentType: "application/x-www-form-urlencoded"]
            #expect(second[.cookie] != first[.cookie])
            #expect(try await client.call(.get, "/account/sessions", headers: first).status == .seeOther, "the old cookie ended")
            let page = try await client.call(.get, "/account/sessions", headers: second)
            #expect(page.text.contains(#"action="/account/sessions/revoke-others""#))
            let newCSRF = try #require(page.csrfToken)
            #expect(newCSRF != csrf)
            #expect(try await client.call(.post, "/account/sessions/revoke-others", json: "_csrf=\(csrf)", headers: second).status == .forbidden,
                    "the old form token ended with the old session token")
            #expect(try await client.call(.post, "/account/sessions/revoke-others", json: "_csrf=\(newCSRF)", headers: second).status == .seeOther)
            // A confirmation never sends the browser off the site.
            let away = try await client.call(.post, "/account/reauth", json: "_csrf=\(newCSRF)&next=https%3A%2F%2Fevil.example&password=correct+horse+battery", headers: second)
            #expect(away.headers[.location] == "/account")
        }
    }
}
