@testable import App
import Foundation
import Domain
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Storage
import Testing

@Suite("Bad input gets a clear, generic error and changes nothing")
struct InputTests {
    @Test("malformed JSON answers 400 problem+json")
    func malformedJSON() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            for body in [#"{"email": "a@b.co", "password": "#, "[1,2,3]", "null", "\u{0}"] {
                let response = try await client.call(.post, "/api/v1/auth/signup", json: body)
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(try response.object()["type"] as? String == "/problems/malformed-request")
            }
        }
    }

    @Test("a duplicate key at any depth answers the generic 400 and changes nothing")
    func duplicateKeys() async throws {
        let harness = try await TestHarness.make()
        let installer = try await harness.account(.installer)
        try await harness.app.test(.router) { client in
            let token = try await client.customer()
            let order = TestBodies.order()
            let orders = [
                // The case of the issue: an extra field in one copy, a clean copy next to it.
                order.replacingOccurrences(of: #""address":"#, with: #""address":{"line1":"x","city":"y","region":"z","postalCode":"1","country":"ES","hack":1},"address":"#),
                order.replacingOccurrences(of: #""address":{"#, with: #""address":{"line1":"x","city":"y","region":"z","postalCode":"1","country":"ES"},"address":{"hack":1,"#),
                order.replacingOccurrences(of: #""panelCount":16"#, with: #""panelCount":16,"panelCount":16"#),
                // Nested.
                order.replacingOccurrences(of: #""city":"Madrid""#, with: #""city":"Madrid","city":"Toledo""#),
                order.replacingOccurrences(of: #""latitude":"#, with: #""latitude":1,"latitude":"#),
                // The same key spelled with escapes.
                order.replacingOccurrences(of: #""roofType":"tile""#, with: #""ro\u006ffType":"flat","roofType":"tile""#),
                order.replacingOccurrences(of: #""city":"Madrid""#, with: #""city":"Madrid","\u0063\u0069\u0074\u0079":"Toledo""#),
                // Inside an array of objects (the duplicate is found before the shape check).
                order.replacingOccurrences(of: #""notes":"Gate code at reception""#, with: #""notes":[{"a":1},{"a":1,"a":2}]"#),
            ]
            for body in orders {
                let response = try await client.call(.post, "/api/v1/orders", token: token, json: body)
                #expect(response.status == .badRequest, "\(body)")
                let problem = try response.object()
                #expect(problem["type"] as? String == "/problems/malformed-request")
                #expect(problem["title"] as? String == ApiError.malformedBody.title)
                #expect(problem["detail"] == nil && problem["errors"] == nil)
                for name in ["hack", "address", "city", "roofType", "latitude", "panelCount", "notes", "duplicate"] {
                    #expect(!response.text.contains(name), "\(name) in \(response.text)")
                }
            }
            #expect((try await client.call(.get, "/api/v1/orders", token: token).object()["items"] as? [Any])?.isEmpty == true)

            let installerToken = try await client.login(installer.email)
            let profile = #"{"serviceArea":{"latitude":40.45,"longitude":-3.69,"radiusKm":50},"available":true,"certifications":[{"k":1,"k":2}],"available":false}"#
            #expect(try await client.call(.put, "/api/v1/installer/profile", token: installerToken, json: profile).status == .badRequest)
            let nestedInArray = #"{"serviceArea":{"latitude":40.45,"longitude":-3.69,"radiusKm":50},"available":true,"certifications":[{"k":1,"k":2}]}"#
            #expect(try await client.call(.put, "/api/v1/installer/profile", token: installerToken, json: nestedInArray).status == .badRequest)
            let signup = #"{"email":"twice@example.com","password":"correct horse battery","name":"A","phone":"+34600123456","\u0065mail":"other@example.com"}"#
            #expect(try await client.call(.post, "/api/v1/auth/signup", json: signup).status == .badRequest)
            #expect(try await harness.services.store.read { db in try db.account(email: "twice@example.com") } == nil)
            #expect(try await harness.services.store.read { db in try db.account(email: "other@example.com") } == nil)

            // Bodies without duplicates still work, escapes included.
            let escaped = order.replacingOccurrences(of: #""roofType":"tile""#, with: #""ro\u006ffType":"fl\u0061t""#)
            let created = try await client.call(.post, "/api/v1/orders", token: token, json: escaped)
            #expect(created.status == .created, "\(created.text)")
            #expect(try created.object()["roofType"] as? String == "flat")
            #expect(try await client.call(.post, "/api/v1/orders", token: token, json: order).status == .created)
            #expect(try await client.call(.put, "/api/v1/installer/profile", token: installerToken, json: TestBodies.installerProfile).status == .ok)
        }
    }

    @Test("a 100 KiB body answers 413, declared or streamed")
    func oversizedBody() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let token = try await client.customer()
            let big = #"{"notes":""# + String(repeating: "x", count: 100 * 1024) + #""}"#
            let response = try await client.call(.post, "/api/v1/orders", token: token, json: big)
            #expect(response.status == .contentTooLarge)
            #expect(try response.object()["type"] as? String == "/problems/payload-too-large")
            let page = try await client.call(.get, "/api/v1/orders", token: token).object()
            #expect((page["items"] as? [Any])?.isEmpty == true)
        }
        try await harness.app.test(.live) { client in
            let big = #"{"email":""# + String(repeating: "x", count: 100 * 1024) + #""}"#
            let response = try await client.call(.post, "/api/v1/auth/login", json: big)
            #expect(response.status == .contentTooLarge)
        }
    }

    @Test("extreme numbers and control characters answer 422 and the server keeps serving")
    func hostileValues() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.live) { client in
            let token = try await client.customer()
            for size in ["1e308", "-1e308", "1e18", "9223372036854775807"] {
                let body = TestBodies.order().replacingOccurrences(of: "\"systemSizeKw\":6.4", with: "\"systemSizeKw\":\(size)")
                let response = try await client.call(.post, "/api/v1/orders", token: token, json: body)
                #expect(response.status == .unprocessableContent, "\(size)")
            }
            let nul = #"{"email":"a\u0000b@example.com","password":"pw-long-enough","name":"N","phone":"+34600000000"}"#
            #expect(try await client.call(.post, "/api/v1/auth/signup", json: nul).status == .unprocessableContent)
            let name = #"{"email":"ctl@example.com","password":"pw-long-enough","name":"N\u0000","phone":"+34600000000"}"#
            #expect(try await client.call(.post, "/api/v1/auth/signup", json: name).status == .unprocessableContent)
            #expect(try await client.call(.get, "/health/live").status == .ok)
        }
    }

    @Test("a non-JSON content type answers 415")
    func contentType() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let response = try await client.call(.post, "/api/v1/auth/login", json: #"{"email":"a@b.co","password":"x"}"#,
                                                 headers: [.contentType: "text/plain"])
            #expect(response.status == .unsupportedMediaType)
        }
    }

    @Test("out-of-range and mistyped fields answer 422 naming the field, and create nothing")
    func validation() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let token = try await client.customer()
            let cases: [(String, String)] = [
                (TestBodies.order(latitude: 91), "location"),
                (TestBodies.order(longitude: -181), "location"),
                (TestBodies.order(size: 80), "systemSizeKw"),
                (TestBodies.order(size: 6.4, panels: 2), "panelCount"),
                (TestBodies.order().replacingOccurrences(of: "\"tile\"", with: "\"thatch\""), "roofType"),
                (TestBodies.order().replacingOccurrences(of: "\"ES\"", with: "\"Spain\""), "address.country"),
                (TestBodies.order().replacingOccurrences(of: "\"panelCount\":16", with: "\"panelCount\":\"16\""), "panelCount"),
                (TestBodies.order().replacingOccurrences(of: "\"line1\":\"Calle Mayor 1\",", with: ""), "address.line1"),
                (TestBodies.order().replacingOccurrences(of: "Gate code", with: String(repeating: "n", count: 1001)), "notes"),
            ]
            for (body, field) in cases {
                let response = try await client.call(.post, "/api/v1/orders", token: token, json: body)
                #expect(response.status == .unprocessableContent, "\(field)")
                let errors = try response.object()["errors"] as? [[String: String]]
                #expect(errors?.contains { $0["field"] == field } == true, "\(field): \(response.text)")
            }
            let page = try await client.call(.get, "/api/v1/orders", token: token).object()
            #expect((page["items"] as? [Any])?.isEmpty == true)

            let signups = [
                #"{"email":"not-an-email","password":"correct horse battery","name":"A","phone":"+34600123456"}"#,
                #"{"email":"a@example.com","password":"short","name":"A","phone":"+34600123456"}"#,
                #"{"email":"a@example.com","password":"correct horse battery","name":"A","phone":"600123456"}"#,
                #"{"email":"a@example.com","password":"\#(String(repeating: "p", count: 129))","name":"A","phone":"+34600123456"}"#,
            ]
            for body in signups {
                #expect(try await client.call(.post, "/api/v1/auth/signup", json: body).status == .unprocessableContent)
            }
        }
    }

    @Test("a bad id in the path answers 400; unknown routes 404; wrong methods 405; all problem+json")
    func routing() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let token = try await client.customer()
            #expect(try await client.call(.get, "/api/v1/orders/1%20OR%201=1", token: token).status == .badRequest)
            let missing = try await client.call(.get, "/api/v1/nothing-here", token: token)
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "application/problem+json")
            // A known path with another method is 405 naming the methods it has (RFC 9110).
            let wrongMethod = try await client.call(.delete, "/api/v1/orders", token: token)
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.headers[.allow] == "GET, POST")
            #expect(wrongMethod.headers[.contentType] == "application/problem+json")
            let withID = try await client.call(.put, "/api/v1/orders/\(UUID().uuidString)", token: token)
            #expect(withID.status == .methodNotAllowed && withID.headers[.allow] == "GET")
            #expect(try await client.call(.delete, "/api/v1/nothing-here", token: token).status == .notFound)
        }
    }

    @Test("a reset request with a malformed email is 422, whether or not accounts exist")
    func malformedResetEmail() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            for email in [String(repeating: "0", count: 254), "no-at-sign", "a@b"] {
                let response = try await client.call(.post, "/api/v1/auth/password-reset", json: #"{"email":"\#(email)"}"#)
                #expect(response.status == .unprocessableContent, "\(email)")
            }
            #expect(try await client.call(.post, "/api/v1/auth/password-reset", json: #"{"email":"nobody@example.com"}"#).status == .accepted)
        }
    }

    @Test("error bodies never leak SQL, stack traces or type names")
    func noInternals() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let token = try await client.customer("dup@example.com")
            var bodies: [String] = []
            bodies.append(try await client.call(.post, "/api/v1/auth/signup",
                                                json: #"{"email":"dup@example.com","password":"correct horse battery","name":"A","phone":"+34600123456"}"#).text)
            bodies.append(try await client.call(.post, "/api/v1/orders", token: token, json: #"{"address": 5}"#).text)
            bodies.append(try await client.call(.post, "/api/v1/staff/customer-search", token: token, json: #"{"query":"x"}"#).text)
            bodies.append(try await client.call(.post, "/api/v1/orders", token: token, json: "{").text)
            for body in bodies {
                for leak in ["SELECT", "INSERT", "sqlite", "constraint", "Swift.", "DecodingError", "StorageError", "App.", "CodingKeys", "file:", ".swift"] {
                    #expect(!body.contains(leak), "\(leak) in \(body)")
                }
            }
        }
    }

    @Test("search text is bound as a parameter: SQL metacharacters match nothing and break nothing")
    func injection() async throws {
        let harness = try await TestHarness.make()
        let support = try await harness.account(.support)
        try await harness.app.test(.router) { client in
            _ = try await client.customer("victim@example.com")
            let token = try await client.login(support.email)
            for query in ["' OR '1'='1", "%' --", "%", "_%", "\\"] {
                let body = String(decoding: try JSONSerialization.data(withJSONObject: ["query": query]), as: UTF8.self)
                let response = try await client.call(.post, "/api/v1/staff/customer-search", token: token, json: body)
                #expect(response.status == .ok || response.status == .unprocessableContent, "\(query)")
                if response.status == .ok {
                    #expect((try response.object()["items"] as? [Any])?.isEmpty == true, "\(query)")
                }
            }
            let found = try await client.call(.post, "/api/v1/staff/customer-search", token: token, json: #"{"query":"victim@example.com"}"#).object()["items"] as? [Any]
            #expect(found?.count == 1)
        }
    }
}
