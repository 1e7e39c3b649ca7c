import Foundation
import NIOConcurrencyHelpers
@testable import Outbound
import Testing

/// Records every request that gets past the vetting: a refused call must never reach it.
final class RecordingTransport: OutboundTransport {
    let sent = NIOLockedValueBox<[OutboundClient.Target]>([])

    func send(_ request: OutboundRequest, to target: OutboundClient.Target, policy: OutboundPolicy) async throws(OutboundError) -> OutboundResponse {
        sent.withLockedValue { $0.append(target) }
        return OutboundResponse(status: 200)
    }
}

/// Answers from a fixed table, like a DNS server an attacker controls.
struct TableResolver: HostResolver {
    var table: [String: [String]]

    func resolve(_ host: String) async throws -> [[UInt8]] {
        guard let names = table[host] else { throw OutboundError.unresolvable(host) }
        return names.compactMap(IPNetwork.bytes(of:))
    }
}

@Suite("Outbound client: allow-list, public addresses only, pinned, no redirects")
struct OutboundClientTests {
    static let targets = [
        "169.254.169.254", "127.0.0.1", "::ffff:127.0.0.1", "2130706433", "internal.example", "rebind.example",
    ]
    // The attacker-controlled answers: a name for 10.0.0.1, and one that mixes a public address
    // with a private one (how rebinding hides the second).
    static let dns = TableResolver(table: ["internal.example": ["10.0.0.1"], "rebind.example": ["93.184.215.14", "127.0.0.1"],
                                          "api.example": ["93.184.215.14"]])

    func client(allowing hosts: [String], resolver: any HostResolver = dns) -> (OutboundClient, RecordingTransport) {
        let transport = RecordingTransport()
        return (OutboundClient(policy: OutboundPolicy(allowedHosts: hosts), resolver: resolver, transport: transport), transport)
    }

    @Test("the issue's SSRF targets are refused before any connection is opened", arguments: [
        ("http://169.254.169.254/latest/meta-data/", OutboundError.notHTTPS),
        ("http://127.0.0.1:3306", .notHTTPS),
        ("http://[::ffff:127.0.0.1]/", .notHTTPS),
        ("http://2130706433/", .notHTTPS),
        ("https://169.254.169.254/latest/meta-data/", .forbiddenAddress("169.254.169.254")),
        ("https://127.0.0.1:3306", .forbiddenAddress("127.0.0.1")),
        ("https://[::ffff:127.0.0.1]/", .forbiddenAddress("0:0:0:0:0:ffff:7f00:1")),
        ("https://2130706433/", .forbiddenAddress("127.0.0.1")),
        ("https://internal.example/", .forbiddenAddress("10.0.0.1")),
        ("https://rebind.example/", .forbiddenAddress("127.0.0.1")),
    ])
    func refused(url: String, expected: OutboundError) async throws {
        // Every host is on the allow-list here, so only the scheme and the address can refuse.
        // "2130706433" goes through the real resolver, which reads it as 127.0.0.1.
        let (client, transport) = client(allowing: Self.targets,
                                         resolver: url.contains("2130706433") ? SystemResolver() : Self.dns)
        await #expect(throws: expected) { try await client.send(OutboundRequest(url: url)) }
        #expect(transport.sent.withLockedValue { $0 }.isEmpty)
    }

    @Test("a host off the allow-list is refused before it is even resolved")
    func allowList() async throws {
        let (client, transport) = client(allowing: ["api.example"], resolver: TableResolver(table: [:]))
        await #expect(throws: OutboundError.hostNotAllowed("evil.example")) { try await client.send(OutboundRequest(url: "https://evil.example/x")) }
        await #expect(throws: OutboundError.hostNotAllowed("api.example.evil.example")) {
            try await client.send(OutboundRequest(url: "https://api.example.evil.example/"))
        }
        await #expect(throws: OutboundError.malformedURL) { try await client.send(OutboundRequest(url: "https://user:pw@api.example/")) }
        #expect(transport.sent.withLockedValue { $0 }.isEmpty)
    }

    @Test("an allowed host with public addresses is sent to the address it resolved to (pinned)")
    func pinned() async throws {
        let (client, transport) = client(allowing: ["API.example."])
        let response = try await client.send(OutboundRequest(url: "https://api.example/range/ABCDE"))
        #expect(response.status == 200)
        #expect(transport.sent.withLockedValue { $0 } == [.init(host: "api.example", port: 443, address: "93.184.215.14")])
    }

    @Test("address classes", arguments: [
        ("93.184.215.14", true), ("8.8.8.8", true), ("2606:4700::6810:85e5", true), ("::ffff:8.8.8.8", true),
        ("10.1.2.3", false), ("172.31.0.1", false), ("192.168.1.1", false), ("100.64.0.1", false), ("127.0.0.2", false),
        ("169.254.169.254", false), ("0.0.0.0", false), ("224.0.0.1", false), ("255.255.255.255", false), ("198.18.0.1", false),
        ("::", false), ("::1", false), ("fe80::1", false), ("fd00::1", false), ("ff02::1", false), ("::ffff:10.0.0.1", false),
        ("::ffff:169.254.169.254", false), ("64:ff9b::7f00:1", false), ("2002:7f00:1::", false), ("2001:db8::1", false), ("::127.0.0.1", false),
    ])
    func classes(address: String, allowed: Bool) throws {
        #expect(PublicAddress.isAllowed(try #require(IPNetwork.bytes(of: address))) == allowed)
    }

    @Test("a redirect is not followed, even to a private address")
    func redirect() async throws {
        let server = try await LocalListener(response: "HTTP/1.1 302 Found\r\nLocation: http://10.0.0.1/latest/meta-data/\r\nContent-Length: 0\r\n\r\n")
        var policy = OutboundPolicy(allowedHosts: ["127.0.0.1"])
        policy.permitsLoopbackHTTPForTesting = true
        let client = OutboundClient(policy: policy)
        await #expect(throws: OutboundError.redirectRefused(302)) {
            try await client.send(OutboundRequest(url: "http://127.0.0.1:\(server.port)/start"))
        }
        #expect(server.connections == 1)
        try await server.close()
    }

    @Test("a response over the size cap is refused")
    func sizeCap() async throws {
        let body = String(repeating: "x", count: 4096)
        let server = try await LocalListener(response: "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        var policy = OutboundPolicy(allowedHosts: ["127.0.0.1"], maxResponseBytes: 1024)
        policy.permitsLoopbackHTTPForTesting = true
        await #expect(throws: OutboundError.responseTooLarge) {
            try await OutboundClient(policy: policy).send(OutboundRequest(url: "http://127.0.0.1:\(server.port)/"))
        }
        policy.maxResponseBytes = 8192
        let ok = try await OutboundClient(policy: policy).send(OutboundRequest(url: "http://127.0.0.1:\(server.port)/"))
        #expect(ok.status == 200 && ok.body.count == 4096)
        try await server.close()
    }

    @Test("a server that never answers times out")
    func timeout() async throws {
        let server = try await LocalListener()  // accepts, never answers
        var policy = OutboundPolicy(allowedHosts: ["127.0.0.1"], totalTimeout: .milliseconds(500))
        policy.permitsLoopbackHTTPForTesting = true
        let started = ContinuousClock.now
        await #expect(throws: OutboundError.timedOut) {
            try await OutboundClient(policy: policy).send(OutboundRequest(url: "http://127.0.0.1:\(server.port)/"))
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        try await server.close()
    }
}
