import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which `X-Forwarded-For` hops to believe. Behind an AWS ALB and an ingress controller each
/// proxy appends the address it saw, so the client is the first hop, from the right, that no
/// trusted proxy added. Everything left of it is whatever the client sent (spoofable).
struct ProxyTrust: Sendable, Equatable {
    /// The number of trusted proxies in front of the server (0: the header is ignored).
    var hops = 0
    /// Or: the networks of the trusted proxies. Used when not empty; the direct peer must be in one.
    var networks: [IPNetwork] = []

    static let none = ProxyTrust()

    /// The client address for a request from `peer` with `forwardedFor` (the header's value).
    /// Only entries the trusted proxies appended are read, so nothing a client writes into the
    /// header (spoofed addresses, garbage, many entries) changes the answer.
    func clientAddress(peer: String?, forwardedFor: String?) -> String? {
        guard hops > 0 || !networks.isEmpty, let forwardedFor else { return peer }
        let chain = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let chosen: String?
        if !networks.isEmpty {
            // Only a trusted proxy may speak for the client; then skip trusted hops from the right.
            guard let peer, contains(peer) else { return peer }
            chosen = chain.last { !contains($0) } ?? chain.first
        } else {
            // The nearest proxy is the peer; each of the `hops` proxies appended what it saw, so
            // the entry the outermost one appended, `hops` from the right, is the client.
            chosen = chain.count >= hops ? chain[chain.count - hops] : nil
        }
        guard let chosen, IPNetwork.bytes(of: chosen) != nil else { return peer }
        return chosen
    }

    func contains(_ address: String) -> Bool {
        guard let bytes = IPNetwork.bytes(of: address) else { return false }
        return networks.contains { $0.contains(bytes) }
    }
}

/// An IPv4 or IPv6 network in CIDR notation (`10.0.0.0/16`, `2001:db8::/32`).
struct IPNetwork: Sendable, Equatable {
    var address: [UInt8]
    var prefix: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard let bytes = Self.bytes(of: String(parts[0])) else { return nil }
        let maxPrefix = bytes.count * 8
        guard parts.count <= 2, let prefix = parts.count == 2 ? Int(parts[1]) : maxPrefix, (0...maxPrefix).contains(prefix) else { return nil }
        (address, self.prefix) = (bytes, prefix)
    }

    func contains(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == address.count else { return false }
        var bits = prefix
        for (a, b) in zip(address, bytes) where bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if a & mask != b & mask { return false }
            bits -= 8
        }
        return true
    }

    /// The address's bytes (4 or 16), or nil when it is not a plain numeric IP address.
    static func bytes(of text: String) -> [UInt8]? {
        guard !text.isEmpty, text.count <= 45 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
