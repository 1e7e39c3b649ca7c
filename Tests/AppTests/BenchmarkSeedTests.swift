@testable import App
import Domain
import Foundation
import HTTPTypes
import SolarSecurity
import HummingbirdTesting
import Storage
import Testing

/// `solar bench seed` writes data the server accepts as its own: the harness of `make bench`
/// depends on it (the measurements themselves run only there, never in the tests).
@Suite("Benchmark data")
struct BenchmarkSeedTests {
    @Test("seeded accounts log in, the first customer lists its orders, support finds a customer, and the audit chain verifies")
    func seed() async throws {
        let harness = try await TestHarness.make()
        var plan = BenchmarkSeed.Plan()
        (plan.customers, plan.orders, plan.installers, plan.auditEvents, plan.ordersOfFirstCustomer) = (30, 120, 4, 60, 25)
        let result = try await BenchmarkSeed(services: harness.services).run(plan, password: "bench long sunny rooftop passphrase", batch: 50)
        #expect(result.accounts == 36 && result.orders == 120 && result.auditEvents == 60)
        try await harness.app.test(.router) { client in
            let token = try await client.login(result.customerEmail, "bench long sunny rooftop passphrase")
            let page = try await client.call(.get, "/api/v1/orders?limit=20", token: token).object()
            #expect((page["items"] as? [Any])?.count == 20)
            let totp = TOTP(secret: try #require(Base32.decode(result.totpSecret)))
            let body = #"{"email":"\#(result.supportEmail)","password":"bench long sunny rooftop passphrase","totpCode":"\#(totp.code(step: totp.step(at: Date())))"}"#
            let support = try #require(try await client.call(.post, "/api/v1/auth/login", json: body).object()["accessToken"] as? String)
            let found = try await client.call(.post, "/api/v1/staff/customer-search", token: support, json: #"{"query":"\#(result.searchEmail)"}"#)
            #expect((try found.object()["items"] as? [Any])?.count == 1)
        }
        #expect(try await harness.services.store.verifyAuditChain().isIntact)
    }
}
