@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import SolarSecurity
import Testing

@Suite("Staff roles need a second administrator")
struct RoleGrantTests {
    static func rolePath(_ account: Account) -> String { "/api/v1/admin/accounts/\(account.id.uuidString)/role" }
    static func approvePath(_ id: String) -> String { "/api/v1/admin/role-grants/\(id)/approve" }

    @Test("raising a role is a request: the requester cannot approve it, a second admin can; then the sessions end")
    func twoAdmins() async throws {
        let harness = try await TestHarness.make()
        let (first, second) = (try await harness.account(.admin), try await harness.account(.admin))
        let support = try await harness.account(.support)
        try await harness.app.test(.router) { client in
            let firstToken = try await client.login(first.email)
            let supportToken = try await client.login(support.email)
            let asked = try await client.call(.put, Self.rolePath(support), token: firstToken, json: #"{"role":"engineer"}"#)
            #expect(asked.status == .accepted)
            let grant = try asked.object()
            #expect(grant["fromRole"] as? String == "support" && grant["toRole"] as? String == "engineer" && grant["createsAccount"] as? Bool == false)
            let id = try #require(grant["id"] as? String)
            // Nothing changed yet, and a second request for the same account waits for the first.
            #expect(try await client.call(.get, "/api/v1/me", token: supportToken).object()["role"] as? String == "support")
            let again = try await client.call(.put, Self.rolePath(support), token: firstToken, json: #"{"role":"admin"}"#)
            #expect(try again.status == .conflict && (again.object()["type"] as? String) == "/problems/grant-pending")
            // The requester cannot approve; nor can anyone but an admin.
            let own = try await client.call(.post, Self.approvePath(id), token: firstToken)
            #expect(try own.status == .forbidden && (own.object()["type"] as? String) == "/problems/role-grant-refused")
            #expect(try await client.call(.post, Self.approvePath(id), token: supportToken).status == .forbidden)
            #expect(try await client.call(.post, Self.approvePath(UUID().uuidString), token: firstToken).status == .notFound)

            let secondToken = try await client.login(second.email)
            let open = try await client.call(.get, "/api/v1/admin/role-grants", token: secondToken).object()["items"] as? [[String: Any]]
            #expect(open?.map { $0["id"] as? String } == [id])
            let approved = try await client.call(.post, Self.approvePath(id), token: secondToken)
            #expect(try approved.status == .ok && (approved.object()["approvedBy"] as? String) == second.id.uuidString)
            #expect(try await client.call(.get, "/api/v1/me", token: supportToken).status == .unauthorized)
            #expect(try await client.call(.post, Self.approvePath(id), token: secondToken).status == .conflict)
            #expect((try await client.call(.get, "/api/v1/admin/role-grants", token: secondToken).object()["items"] as? [Any])?.isEmpty == true)
        }
        #expect(try await harness.services.store.read { db in try db.account(id: support.id) }?.role == .engineer)
        let events = try await harness.services.store.read { db in try db.auditEvents(limit: 100, offset: 0) }
        #expect(events.contains { $0.action == "admin.role_grant.request" && $0.actorID == first.id && $0.detail == "support->engineer" })
        #expect(events.contains { $0.action == "admin.role_grant.approve" && $0.actorID == first.id && $0.outcome == .denied })
        #expect(events.contains { $0.action == "admin.role_grant.approve" && $0.actorID == second.id && $0.outcome == .success })
    }

    @Test("a request lapses after 24 hours or when the role changed meanwhile: approving is 409 and changes nothing")
    func lapsedAndStale() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(now: { clock.now })
        let (first, second) = (try await harness.account(.admin), try await harness.account(.admin))
        let support = try await harness.account(.support), sales = try await harness.account(.sales)
        try await harness.app.test(.router) { client in
            var token = try await client.login(first.email, at: clock.now)
            let lapsing = try #require(try await client.call(.put, Self.rolePath(support), token: token, json: #"{"role":"admin"}"#).object()["id"] as? String)
            let stale = try #require(try await client.call(.put, Self.rolePath(sales), token: token, json: #"{"role":"engineer"}"#).object()["id"] as? String)
            // Lowering to a non-staff role applies at once; the request made for the old role is now outdated.
            #expect(try await client.call(.put, Self.rolePath(sales), token: token, json: #"{"role":"installer"}"#).status == .noContent)
            let secondToken = try await client.login(second.email, at: clock.now)
            let outdated = try await client.call(.post, Self.approvePath(stale), token: secondToken)
            #expect(try outdated.status == .conflict && (outdated.object()["title"] as? String)?.contains("changed") == true)

            clock.advance(by: RoleGrant.approvalWindow + 1)
            let late = try await client.login(second.email, at: clock.now)
            #expect(try await client.call(.post, Self.approvePath(lapsing), token: late).status == .conflict)
            // The lapsed request no longer blocks a new one.
            token = try await client.login(first.email, at: clock.now)
            #expect(try await client.call(.put, Self.rolePath(support), token: token, json: #"{"role":"admin"}"#).status == .accepted)
        }
        let roles = try await harness.services.store.read { db in (try db.account(id: support.id)?.role, try db.account(id: sales.id)?.role) }
        #expect(roles.0 == .support && roles.1 == .installer)
    }

    @Test("a staff account an admin creates stays locked until a second admin approves; an installer is created at once")
    func creation() async throws {
        let harness = try await TestHarness.make()
        let (first, second) = (try await harness.account(.admin), try await harness.account(.admin))
        try await harness.app.test(.router) { client in
            let token = try await client.login(first.email)
            let body = #"{"email":"new.engineer@example.com","name":"Nora","phone":"+34600999777","role":"engineer"}"#
            let created = try await client.call(.post, "/api/v1/admin/accounts", token: token, json: body)
            #expect(created.status == .accepted)
            // The owner chooses the password with the emailed invitation, even while the account waits.
            let code = try await InvitationTests.code(harness, to: "new.engineer@example.com")
            let accept = #"{"token":"\#(code)","password":"a long initial password"}"#
            #expect(try await client.call(.post, "/api/v1/auth/invitation", json: accept).status == .noContent)
            let grant = try created.object()
            #expect(grant["createsAccount"] as? Bool == true && grant["toRole"] as? String == "engineer")
            let id = try #require(grant["id"] as? String), accountID = try #require(grant["accountId"] as? String)
            let login = #"{"email":"new.engineer@example.com","password":"a long initial password"}"#
            #expect(try await client.call(.post, "/api/v1/auth/login", json: login).status == .unauthorized)
            // Unlocking it is not a way around the second admin.
            let unlock = try await client.call(.post, "/api/v1/staff/accounts/\(accountID)/unlock", token: token)
            #expect(try unlock.status == .conflict && (unlock.object()["type"] as? String) == "/problems/pending-approval")
            #expect(try await client.call(.post, "/api/v1/auth/login", json: login).status == .unauthorized)

            let secondToken = try await client.login(second.email)
            #expect(try await client.call(.post, Self.approvePath(id), token: secondToken).status == .ok)
            let first = try await client.call(.post, "/api/v1/auth/login", json: login)
            #expect(try first.status == .ok && (first.object()["mfaEnrollmentRequired"] as? Bool) == true)

            let installer = #"{"email":"new.fitter@example.com","name":"Ines","phone":"+34600999888","role":"installer"}"#
            #expect(try await client.call(.post, "/api/v1/admin/accounts", token: token, json: installer).status == .created)
        }
    }

    @Test("the database refuses an approval by the requester or the account itself")
    func schema() async throws {
        let harness = try await TestHarness.make()
        let admin = try await harness.account(.admin), support = try await harness.account(.support)
        let now = Date()
        for approver in [admin.id, support.id] {
            let grant = RoleGrant(id: UUID(), accountID: support.id, fromRole: .support, toRole: .admin, createsAccount: false,
                                  requestedBy: admin.id, requestedAt: now, approvedBy: approver, approvedAt: now)
            await #expect(throws: (any Error).self) { try await harness.services.store.write { db in try db.insertRoleGrant(grant) } }
        }
        let late = RoleGrant(id: UUID(), accountID: support.id, fromRole: .support, toRole: .admin, createsAccount: false,
                             requestedBy: admin.id, requestedAt: now, approvedBy: try await harness.account(.admin).id,
                             approvedAt: now.addingTimeInterval(RoleGrant.approvalWindow + 60))
        await #expect(throws: (any Error).self) { try await harness.services.store.write { db in try db.insertRoleGrant(late) } }
    }

    @Test("in production the CLI creates only the first two administrators (and installers); elsewhere anything")
    func bootstrap() async throws {
        #expect(CLIBootstrap.refusal(role: .admin, production: true, administrators: 0) == nil)
        #expect(CLIBootstrap.refusal(role: .admin, production: true, administrators: 1) == nil)
        #expect(CLIBootstrap.refusal(role: .admin, production: true, administrators: 2) != nil)
        #expect(CLIBootstrap.refusal(role: .support, production: true, administrators: 0) != nil)
        #expect(CLIBootstrap.refusal(role: .installer, production: true, administrators: 5) == nil)
        #expect(CLIBootstrap.refusal(role: .admin, production: false, administrators: 5) == nil)

        let harness = try await TestHarness.make()
        func create(_ role: Role, password: String? = "correct horse battery") async throws -> (account: Account, invitation: String?) {
            try await createAccountFromCLI(services: harness.services, email: "\(role.rawValue)-\(UUID().uuidString.prefix(6))@example.com".lowercased(),
                                           name: "CLI", phone: "+34600000002", role: role, password: password, production: true)
        }
        _ = try await create(.admin)
        _ = try await create(.admin)
        await #expect(throws: CLIBootstrap.self) { try await create(.admin) }
        await #expect(throws: CLIBootstrap.self) { try await create(.engineer, password: nil) }
        // In production an installer is invited, never given a password by the CLI.
        await #expect(throws: CLIBootstrap.self) { try await create(.installer) }
        let invited = try await create(.installer, password: nil)
        #expect(invited.invitation.map(OpaqueToken.isWellFormed) == true)
        let admins = try await harness.services.store.read { db in try db.staffAccounts() }
        #expect(admins.count == 2 && admins.allSatisfy { $0.role == .admin })
    }
}
