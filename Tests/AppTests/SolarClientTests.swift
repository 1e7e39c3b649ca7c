@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OpenAPIRuntime
import OpenAPIURLSession
import SolarClient
import Storage
import Synchronization
import Testing

/// The generated SDK (what the iOS app uses) against the real server: the contract and the
/// implementation agree on the main flow.
@Suite("SolarClient SDK against a live server")
struct SolarClientTests {
    final class TokenBox: Sendable {
        let value = Mutex<String?>(nil)
    }

    @Test("signup, login, order, quote, accept, and typed errors through the generated client")
    func flow() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.live) { testClient in
            let port = try #require(testClient.port)
            let tokens = TokenBox()
            let client = Client(
                serverURL: URL(string: "http://127.0.0.1:\(port)")!,
                transport: URLSessionTransport(),
                middlewares: [BearerTokenMiddleware { tokens.value.withLock { $0 } }]
            )
            let signup = try await client.signup(body: .json(.init(email: "sdk@example.com", password: "correct horse battery", name: "Sam", phone: "+34600111222")))
            // 202 and a generic body, the same for a known email: nothing tells who has an account.
            #expect(try signup.accepted.body.json.status == .accepted)
            let known = try await client.signup(body: .json(.init(email: "SDK@example.com", password: "another fine passphrase", name: "Eve", phone: "+34600111333")))
            #expect(try known.accepted.body.json.status == .accepted)

            let login = try await client.login(body: .json(.init(email: "sdk@example.com", password: "correct horse battery")))
            let token = try login.ok.body.json.accessToken
            tokens.value.withLock { $0 = token }

            let me = try await client.getMe()
            #expect(try me.ok.body.json.email == "sdk@example.com")
            #expect(try me.ok.body.json.role == .customer && me.ok.body.json.name == "Sam")

            let request = Components.Schemas.CreateOrderRequest(
                address: .init(line1: "Calle Mayor 1", city: "Madrid", region: "Madrid", postalCode: "28013", country: "ES"),
                location: .init(latitude: 40.4168, longitude: -3.7038),
                systemSizeKw: 6.4, panelCount: 16, roofType: .tile
            )
            let created = try await client.createOrder(body: .json(request)).created.body.json
            #expect(created.status == .quoted)
            #expect(created.quote.totalCents == 758_000)

            let accepted = try await client.acceptQuote(path: .init(orderId: created.id)).ok.body.json
            #expect(accepted.status == .dispatching)

            let again = try await client.acceptQuote(path: .init(orderId: created.id))
            guard case .conflict(let conflict) = again else {
                Issue.record("expected 409, got \(again)")
                return
            }
            #expect(try conflict.body.applicationProblemJson.status == 409)

            let forbidden = try await client.salesSummary()
            guard case .forbidden = forbidden else {
                Issue.record("expected 403, got \(forbidden)")
                return
            }
            tokens.value.withLock { $0 = nil }
            guard case .unauthorized = try await client.getMe() else {
                Issue.record("expected 401")
                return
            }
        }
    }
}
