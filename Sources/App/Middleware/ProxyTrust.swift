import Foundation
import Outbound

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
