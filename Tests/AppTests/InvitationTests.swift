@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SolarSecurity
import Storage
import Testing

/// ASVS V6.4.1 and V6.4.2: nobody sets another person's password; invitations are single use
/// and expire after 72 hours.
@Suite("Invitations: the owner chooses the first password")
struct InvitationTests {
    static func code(_ harness: TestHarness, to email: String) async throws -> String {
        let message = try #require(try await harness.mail().last { $0.to == email && $0.subject.contains("invited") })
        return try #require(message.body.split(separator: "\n").first { $0.contains("code is:") }?.split(separator: " ").last.map(String.init))
    }

    @Test("an invited account has no usable password until its owner accepts; the code works once and expires after 72 hours")
    func api() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(now: { clock.now })
        let admin = try await harness.account(.admin)
        try await harness.app.test(.router) { client in
            let token = try await client.login(admin.email, at: clock.now)
            for email in ["invited.a@example.com", "invited.b@example.com"] {
                let body = #"{"email":"\#(email)","name":"Ina","phone":"+34600999111","role":"installer"}"#
                #expect(try await client.call(.post, "/api/v1/admin/accounts", token: token, json: body).status == .created)
            }
            let first = try await Self.code(harness, to: "invited.a@example.com")
            let weak = try await client.call(.post, "/api/v1/auth/invitation", json: #"{"token":"\#(first)","password":"short"}"#)
            #expect(weak.status == .unprocessableContent, "the password rules apply")
            let accept = #"{"token":"\#(first)","password":"my own long passphrase"}"#
            #expect(try await client.call(.post, "/api/v1/auth/invitation", json: accept).status == .noContent)
            #expect(try await client.call(.post, "/api/v1/auth/invitation", json: accept).status == .badRequest, "once")
            let login = try await client.call(.post, "/api/v1/auth/login", json: #"{"email":"invited.a@example.com","password":"my own long passphrase"}"#)
            #expect(try login.status == .ok && login.object()["mfaEnrollmentRequired"] as? Bool == true)

            // The other invitation expires unused.
            let second = try await Self.code(harness, to: "invited.b@example.com")
            clock.advance(by: 72 * 3600 + 60)
            let late = #"{"token":"\#(second)","password":"my own long passphrase"}"#
            #expect(try await client.call(.post, "/api/v1/auth/invitation", json: late).status == .badRequest)
        }
        let accounts = try await harness.services.store.read { db in try db.account(email: "invited.a@example.com") }
        #expect(accounts?.emailVerifiedAt != nil, "the code came to the address")
        let events = try await harness.services.store.read { db in try db.auditEvents(limit: 50, offset: 0) }
        #expect(events.contains { $0.action == "auth.invitation.accept" })
        #expect(events.contains { $0.action == "admin.account.create" && $0.detail == "role=installer invited" })
    }

    @Test("on the web: the admin form has no password field; the invitation page sets the password")
    func web() async throws {
        let harness = try await TestHarness.make()
        let admin = try await harness.account(.admin)
        try await harness.app.test(.router) { client in
            let cookie = try await WebStaffTests.session(client, admin.email)
            let page = try await client.call(.get, "/admin/accounts", headers: cookie)
            #expect(page.status == .ok && !page.text.contains(#"name="password" required minlength"#))
            let form = "_csrf=\(try #require(page.csrfToken))&name=Ines&email=web.invited%40example.com&phone=%2B34600999222&role=installer"
            let created = try await client.call(.post, "/admin/accounts", json: form, headers: cookie)
            #expect(created.status == .created && created.text.contains("emailed the invitation"))
            let code = try await Self.code(harness, to: "web.invited@example.com")
            let invitation = try await client.call(.get, "/invitation")
            #expect(invitation.status == .ok && invitation.text.contains(#"action="/invitation""#))
            let plain: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let wrong = try await client.call(.post, "/invitation", json: "token=\(String(repeating: "x", count: 43))&password=my+own+long+passphrase", headers: plain)
            #expect(wrong.status == .badRequest)
            let done = try await client.call(.post, "/invitation", json: "token=\(code)&password=my+own+long+passphrase", headers: plain)
            #expect(done.status == .ok && done.text.contains("Your password is set"))
        }
    }
}
