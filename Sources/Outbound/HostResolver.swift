import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves a host name to its addresses (4 or 16 bytes each). Tests replace it.
public protocol HostResolver: Sendable {
    func resolve(_ host: String) async throws -> [[UInt8]]
}

/// `getaddrinfo`, on NIO's blocking-I/O thread pool. (It also reads numeric forms such as
/// `2130706433` as IPv4 addresses; the answer is vetted like any other.)
public struct SystemResolver: HostResolver {
    public init() {}

    public func resolve(_ host: String) async throws -> [[UInt8]] {
        try await NIOThreadPool.singleton.runIfActive { try Self.lookup(host) }
    }

    static func lookup(_ host: String) throws -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { throw OutboundError.unresolvable(host) }
        defer { freeaddrinfo(first) }
        var result: [[UInt8]] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let n = node {
            if let sa = n.pointee.ai_addr {
                switch Int32(n.pointee.ai_family) {
                case AF_INET:
                    var a = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    result.append(withUnsafeBytes(of: &a) { Array($0) })
                case AF_INET6:
                    var a = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    result.append(withUnsafeBytes(of: &a) { Array($0) })
                default: break
                }
            }
            node = n.pointee.ai_next
        }
        return result
    }
}
