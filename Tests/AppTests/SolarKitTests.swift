@testable import App
import Crypto
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import OpenAPIRuntime
import OpenAPIURLSession
import SolarClient
import SolarKit
import Storage
import Synchronization
import Testing

/// Loses the answer to the first order creation after the server handled it, like a phone
/// whose network drops mid-request.
final class LosesFirstOrderAnswer: ClientTransport {
    let inner = URLSessionTransport()
    let keys = Mutex<[String?]>([])

    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
        let result = try await inner.send(request, body: body, baseURL: baseURL, operationID: operationID)
        guard operationID == "createOrder" else { return result }
        let first = keys.withLock { keys in
            keys.append(request.headerFields[HTTPField.Name("Idempotency-Key")!])
            return keys.count == 1
        }
        if first { throw URLError(.networkConnectionLost) }
        return result
    }
}

@Suite("SolarKit: sessions and token storage against a live server")
struct SolarKitTests {
    static let key = SymmetricKey(size: .bits256)

    static func store(_ folder: URL) throws -> (EncryptedFileTokenStore, String) {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("tokens.sealed").path
        return (try EncryptedFileTokenStore(path: path, key: key), path)
    }

    @Test("20 concurrent calls with an expired access token cause exactly one refresh and no reuse-detection logout")
    func singleFlightRefresh() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(now: { clock.now })
        try await harness.app.test(.live) { testClient in
            _ = try await testClient.customer("kit@example.com")
            let url = URL(string: "http://127.0.0.1:\(try #require(testClient.port))")!
            let (store, _) = try Self.store(harness.folder)
            let session = SolarSession(serverURL: url, transport: URLSessionTransport(), store: store)
            #expect(try await session.login(email: "kit@example.com", password: "correct horse battery") == .signedIn)
            let client = session.client(serverURL: url, transport: URLSessionTransport())
            #expect(try await client.getMe().ok.body.json.email == "kit@example.com")

            clock.advance(by: 20 * 60)  // the access token (15 minutes) has expired; the refresh token has not
            let emails = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 { group.addTask { try await client.getMe().ok.body.json.email } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(emails.count == 20 && Set(emails) == ["kit@example.com"])
            #expect(await session.refreshCount == 1)
            // Still signed in afterwards: no refresh token was presented twice.
            #expect(try await client.getMe().ok.body.json.email == "kit@example.com")
        }
        let reuse = try await harness.database.withConnection { conn in
            try conn.query("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'security.refresh_token_reuse'", [])
        }
        let count = try reuse.first?.int("n")
        #expect(count == 0)
    }

    @Test("a retried order creation (answer lost) creates one order; API errors arrive as typed problems")
    func retriedCreation() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.live) { testClient in
            _ = try await testClient.customer("retry@example.com")
            let url = URL(string: "http://127.0.0.1:\(try #require(testClient.port))")!
            let (store, _) = try Self.store(harness.folder)
            let session = SolarSession(serverURL: url, transport: URLSessionTransport(), store: store)
            _ = try await session.login(email: "retry@example.com", password: "correct horse battery")
            let flaky = LosesFirstOrderAnswer()
            let client = session.client(serverURL: url, transport: flaky, retry: RetryMiddleware(baseDelay: .milliseconds(10)))
            let request = Components.Schemas.CreateOrderRequest(
                address: .init(line1: "Calle Mayor 1", city: "Madrid", region: "Madrid", postalCode: "28013", country: "ES"),
                location: .init(latitude: 40.4168, longitude: -3.7038), systemSizeKw: 6.4, panelCount: 16, roofType: .tile
            )
            let created = try await client.createOrder(body: .json(request)).created.body.json
            let keys = flaky.keys.withLock { $0 }
            #expect(keys.count == 2 && keys[0] != nil && keys[0] == keys[1])
            let orders = try await client.listOrders().ok.body.json.items
            #expect(orders.map(\.id) == [created.id])

            _ = try await client.acceptQuote(path: .init(orderId: created.id)).ok.body.json
            let again = try await client.acceptQuote(path: .init(orderId: created.id))
            guard case .conflict(let conflict) = again else {
                Issue.record("expected 409, got \(again)")
                return
            }
            let problem = SolarProblem(try conflict.body.applicationProblemJson)
            #expect(problem.status == 409 && problem.kind == "invalid-transition" && problem.requestID != nil)
            #expect(problem.userMessage.contains("can no longer be changed"))
        }
    }

    @Test("sessions can be listed, step-up checks the password, and logout revokes the session on the server")
    func sessionLifecycle() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.live) { testClient in
            _ = try await testClient.customer("life@example.com")
            let url = URL(string: "http://127.0.0.1:\(try #require(testClient.port))")!
            let (store, path) = try Self.store(harness.folder)
            let session = SolarSession(serverURL: url, transport: URLSessionTransport(), store: store)
            #expect(try await session.login(email: "life@example.com", password: "correct horse battery") == .signedIn)
            await #expect(throws: SolarSession.Failure.loginRefused(401)) {
                try await session.login(email: "life@example.com", password: "wrong horse battery")
            }
            let listed = try await session.sessions()
            #expect(!listed.isEmpty)
            let beforeStepUp = try #require(try await store.load()).accessToken
            #expect(try await session.stepUp(password: "correct horse battery"))
            // The step-up replaced the token: the old one is dead, the kit stored and uses the new one.
            #expect(try #require(try await store.load()).accessToken != beforeStepUp)
            #expect(try await testClient.call(.get, "/api/v1/me", token: beforeStepUp).status == .unauthorized)
            #expect(!(try await session.sessions()).isEmpty)
            #expect(try await !session.stepUp(password: "not the password"))
            let token = try #require(try await store.load()).accessToken
            try await session.logout()
            #expect(!FileManager.default.fileExists(atPath: path))
            let after = try await testClient.call(.get, "/api/v1/me", token: token)
            #expect(after.status == .unauthorized)
        }
    }

    @Test("the token file holds no token in the clear, is 0600, and opens only with its key at its path")
    func fileStore() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kit-\(UUID().uuidString)")
        let (store, path) = try Self.store(folder)
        let tokens = SessionTokens(accessToken: "access-\(UUID().uuidString)", refreshToken: "refresh-\(UUID().uuidString)")
        try await store.save(tokens)
        let bytes = try #require(FileManager.default.contents(atPath: path))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.contains(tokens.accessToken) && !text.contains(tokens.refreshToken) && !text.contains("access-"))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(try await store.load() == tokens)

        let otherKey = try EncryptedFileTokenStore(path: path, key: SymmetricKey(size: .bits256))
        await #expect(throws: EncryptedFileTokenStore.Failure.unreadable) { try await otherKey.load() }
        let moved = folder.appendingPathComponent("moved.sealed").path
        try FileManager.default.copyItem(atPath: path, toPath: moved)
        let sameKeyElsewhere = try EncryptedFileTokenStore(path: moved, key: Self.key)
        await #expect(throws: EncryptedFileTokenStore.Failure.unreadable) { try await sameKeyElsewhere.load() }
        try await store.clear()
        #expect(try await store.load() == nil)
    }
}

@Suite("SolarKit retries")
struct RetryMiddlewareTests {
    /// Runs one call through the middleware with a `next` that fails `failures` times; returns
    /// how often `next` ran and the Idempotency-Key of each attempt.
    static func attempts(_ method: HTTPRequest.Method, operation: String, failures: Int) async -> (Int, [String?]) {
        let seen = Mutex<[String?]>([])
        let retry = RetryMiddleware(attempts: 4, baseDelay: .milliseconds(1))
        _ = try? await retry.intercept(HTTPRequest(method: method, scheme: nil, authority: nil, path: "/x"), body: nil,
                                       baseURL: URL(string: "http://127.0.0.1")!, operationID: operation) { request, _, _ in
            let count = seen.withLock { seen in
                seen.append(request.headerFields[HTTPField.Name("Idempotency-Key")!])
                return seen.count
            }
            if count <= failures { throw URLError(.networkConnectionLost) }
            return (HTTPResponse(status: .ok), nil)
        }
        let keys = seen.withLock { $0 }
        return (keys.count, keys)
    }

    @Test("a write without an Idempotency-Key is never repeated; reads and keyed writes are, with one key throughout")
    func onlySafeCallsRetry() async {
        let (signups, _) = await Self.attempts(.post, operation: "signup", failures: 1)
        #expect(signups == 1)
        let (reads, _) = await Self.attempts(.get, operation: "getMe", failures: 2)
        #expect(reads == 3)
        let (orders, keys) = await Self.attempts(.post, operation: "createOrder", failures: 2)
        #expect(orders == 3 && keys[0] != nil && Set(keys).count == 1)
        let (capped, _) = await Self.attempts(.get, operation: "getMe", failures: 10)
        #expect(capped == 4)
    }
}
