public import Foundation

/// The one HTTP client for every call out of the platform. A call is vetted before any
/// connection is opened: https only, the host on the allow-list, and every address it resolves
/// to public (`PublicAddress`). The connection then goes to the vetted address (pinned, so a
/// second DNS answer cannot swap in another: DNS rebinding), with the certificate checked for the
/// host name. Redirects are never followed, and timeouts and a response size cap apply.
public struct OutboundClient: Sendable {
    public let policy: OutboundPolicy
    let resolver: any HostResolver
    let transport: any OutboundTransport

    public init(policy: OutboundPolicy, resolver: any HostResolver = SystemResolver(),
                transport: any OutboundTransport = HTTPClientTransport()) {
        (self.policy, self.resolver, self.transport) = (policy, resolver, transport)
    }

    /// A vetted call: where to connect, and for which host.
    public struct Target: Sendable, Equatable {
        public var host: String
        public var port: Int
        /// The pinned address (numeric), the only one the connection may use.
        public var address: String
    }

    public func send(_ request: OutboundRequest) async throws(OutboundError) -> OutboundResponse {
        let target = try await vet(request.url)
        let response = try await transport.send(request, to: target, policy: policy)
        if (300..<400).contains(response.status) { throw .redirectRefused(response.status) }
        return response
    }

    /// Checks a URL against the policy and resolves it; throws before anything is opened.
    public func vet(_ urlText: String) async throws(OutboundError) -> Target {
        guard let url = URL(string: urlText), let scheme = url.scheme?.lowercased(), let rawHost = url.host, !rawHost.isEmpty,
              url.user == nil, url.password == nil else { throw .malformedURL }
        let host = OutboundPolicy.normalized(rawHost)
        let loopbackTest = policy.permitsLoopbackHTTPForTesting && scheme == "http"
        guard scheme == "https" || loopbackTest else { throw .notHTTPS }
        guard policy.allowedHosts.contains(host) else { throw .hostNotAllowed(host) }
        // An IP literal is its own answer; a name is resolved (only then does DNS get a say).
        let addresses: [[UInt8]]
        if let literal = IPNetwork.bytes(of: host) {
            addresses = [literal]
        } else {
            do { addresses = try await resolver.resolve(host) } catch { throw .unresolvable(host) }
        }
        guard let first = addresses.first else { throw .unresolvable(host) }
        // Every answer must be public: a mixed answer is how rebinding hides a private address.
        for a in addresses where !(PublicAddress.isAllowed(a) || (loopbackTest && Self.isLoopback(a))) {
            throw .forbiddenAddress(Self.text(a))
        }
        return Target(host: host, port: url.port ?? (scheme == "https" ? 443 : 80), address: Self.text(first))
    }

    static func isLoopback(_ a: [UInt8]) -> Bool {
        a.count == 4 ? a[0] == 127 : a == Array(repeating: 0, count: 15) + [1]
    }

    static func text(_ a: [UInt8]) -> String {
        if a.count == 4 { return a.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: a.count, by: 2).map { String(UInt16(a[$0]) << 8 | UInt16(a[$0 + 1]), radix: 16) }.joined(separator: ":")
    }
}

/// Sends a vetted request to its pinned address. Tests replace it to see what would be sent.
public protocol OutboundTransport: Sendable {
    func send(_ request: OutboundRequest, to target: OutboundClient.Target, policy: OutboundPolicy) async throws(OutboundError) -> OutboundResponse
}
