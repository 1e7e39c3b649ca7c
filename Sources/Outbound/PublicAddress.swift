/// Which resolved addresses an outbound call may connect to: public unicast only. Refused are
/// loopback, private, link-local (the cloud metadata service 169.254.169.254 among them), CGNAT,
/// benchmarking, documentation, multicast, reserved and unspecified ranges, their IPv6
/// equivalents, and any IPv6 form that carries an IPv4 address (mapped, compatible, NAT64,
/// 6to4), which is judged by the IPv4 address it carries.
public enum PublicAddress {
    static let refusedV4: [IPNetwork] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
        "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    ].map { IPNetwork($0)! }

    static let refusedV6: [IPNetwork] = [
        "::/128", "::1/128", "100::/64", "2001::/23", "2001:db8::/32", "3fff::/20", "fc00::/7",
        "fe80::/10", "fec0::/10", "ff00::/8", "64:ff9b:1::/48",
    ].map { IPNetwork($0)! }

    /// IPv6 prefixes whose addresses embed an IPv4 address, with the byte offset of that address.
    static let embeddingV4: [(IPNetwork, Int)] = [
        (IPNetwork("::ffff:0:0/96")!, 12),  // IPv4-mapped
        (IPNetwork("::/96")!, 12),  // IPv4-compatible (deprecated)
        (IPNetwork("64:ff9b::/96")!, 12),  // NAT64
        (IPNetwork("2002::/16")!, 2),  // 6to4
    ]

    /// True when `bytes` (4 or 16) is a public unicast address an outbound call may reach.
    public static func isAllowed(_ bytes: [UInt8]) -> Bool {
        switch bytes.count {
        case 4:
            return !refusedV4.contains { $0.contains(bytes) }
        case 16:
            if let (_, offset) = embeddingV4.first(where: { $0.0.contains(bytes) }) {
                return isAllowed(Array(bytes[offset..<offset + 4]))
            }
            return !refusedV6.contains { $0.contains(bytes) }
        default:
            return false
        }
    }
}
