import Domain
import Foundation
import Testing

@Suite("Access policy: deny by default")
struct AccessPolicyTests {
    let me = UUID()

    @Test("each action is open to exactly its roles", arguments: Action.allCases)
    func roles(_ action: Action) {
        let allowed = AccessPolicy.allowedRoles(for: action)
        for role in Role.allCases {
            let decision = AccessPolicy.decide(Principal(accountID: me, role: role, secondFactor: true), action, .account(me))
            #expect((decision == .allow) == allowed.contains(role), "\(role) \(action)")
            if !allowed.contains(role) { #expect(decision == .forbidden) }
        }
    }

    @Test("staff data is closed to customers and installers; audit to support and sales; PII to engineers and sales")
    func separation() {
        for action in [Action.searchCustomers, .readCustomer, .readAnyOrder, .updateAnyOrder, .readSalesSummary, .readAuditEvents, .createAccount] {
            #expect(!AccessPolicy.allowedRoles(for: action).contains(.customer))
            #expect(!AccessPolicy.allowedRoles(for: action).contains(.installer))
        }
        #expect(AccessPolicy.allowedRoles(for: .readAuditEvents) == [.engineer, .admin])
        #expect(!AccessPolicy.allowedRoles(for: .searchCustomers).contains(.engineer))
        #expect(!AccessPolicy.allowedRoles(for: .searchCustomers).contains(.sales))
        #expect(AccessPolicy.allowedRoles(for: .createAccount) == [.admin])
        #expect(AccessPolicy.allowedRoles(for: .approveRoleGrant) == [.admin])
    }

    @Test("customer data is support's: admins and engineers reach it only with an approved break-glass grant")
    func noStandingAdminAccess() {
        for action in AccessPolicy.breakGlassActions {
            #expect(AccessPolicy.allowedRoles(for: action) == [.support], "\(action)")
            for role in [Role.admin, .engineer] {
                #expect(AccessPolicy.decide(Principal(accountID: me, role: role, secondFactor: true), action) == .forbidden, "\(role) \(action)")
                let granted = Principal(accountID: me, role: role, secondFactor: true, breakGlass: true)
                #expect(AccessPolicy.decide(granted, action) == .allow, "\(role) \(action) under a grant")
            }
            #expect(AccessPolicy.decide(Principal(accountID: me, role: .sales, secondFactor: true, breakGlass: true), action) == .forbidden)
        }
        #expect(AccessPolicy.allowedRoles(for: .requestBreakGlass) == [.engineer, .admin])
    }

    @Test("staff and installers without a verified second factor may only look at themselves and enrol")
    func staffNeedMFA() {
        #expect(Role.allCases.filter(\.requiresMFA) == [.installer, .support, .sales, .engineer, .admin])
        for role in Role.allCases where role.requiresMFA {
            let withoutMFA = Principal(accountID: me, role: role, secondFactor: false)
            for action in Action.allCases where AccessPolicy.allowedRoles(for: action).contains(role) {
                let expected: Decision = AccessPolicy.allowedWithoutSecondFactor.contains(action) ? .allow : .mfaEnrollmentRequired
                #expect(AccessPolicy.decide(withoutMFA, action, .account(me)) == expected, "\(role) \(action)")
            }
        }
        // Customers may choose MFA; without it they keep their normal rights.
        #expect(AccessPolicy.decide(Principal(accountID: me, role: .customer), .createOrder) == .allow)
        #expect(AccessPolicy.allowedWithoutSecondFactor == [.readOwnAccount, .enrollMFA])
    }

    @Test("owned targets: someone else's answers notFound, hiding that it exists")
    func ownership() {
        let customer = Principal(accountID: me, role: .customer)
        #expect(AccessPolicy.decide(customer, .readOwnOrder, .account(me)) == .allow)
        #expect(AccessPolicy.decide(customer, .readOwnOrder, .account(UUID())) == .notFound)
        #expect(AccessPolicy.decide(customer, .readOwnOrder, .account(nil)) == .notFound)
        #expect(AccessPolicy.decide(customer, .readOwnOrder, .none) == .notFound)
        let installer = Principal(accountID: me, role: .installer, secondFactor: true)
        #expect(AccessPolicy.decide(installer, .updateJobStatus, .account(nil)) == .notFound)
        #expect(AccessPolicy.decide(installer, .acceptOffer, .account(UUID())) == .notFound)
        #expect(AccessPolicy.decide(installer, .acceptOffer, .account(me)) == .allow)
    }
}
