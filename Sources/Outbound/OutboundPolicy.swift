/// What every outbound call must satisfy (`OUTBOUND_ALLOWED_HOSTS` and the limits below).
public struct OutboundPolicy: Sendable {
    /// Host names calls may go to, lower-case, exact (no wildcards).
    public var allowedHosts: Set<String>
    public var connectTimeout: Duration
    /// The whole call: connect, send, and read the complete response.
    public var totalTimeout: Duration
    /// Larger responses are refused (the body is not read past this).
    public var maxResponseBytes: Int
    /// Plain http to loopback, for a test server on this machine. Internal: only tests
    /// (`@testable import`) can set it; no configuration reaches it.
    var permitsLoopbackHTTPForTesting = false

    public init(allowedHosts: some Sequence<String>, connectTimeout: Duration = .seconds(3),
                totalTimeout: Duration = .seconds(10), maxResponseBytes: Int = 1 << 20) {
        self.allowedHosts = Set(allowedHosts.map { OutboundPolicy.normalized($0) })
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// Lower-case, without IPv6 brackets or a trailing dot.
    static func normalized(_ host: String) -> String {
        var h = host.lowercased()
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if h.hasSuffix(".") { h.removeLast() }
        return h
    }
}

/// Why an outbound call was refused or failed. The refusals (`notHTTPS` to `forbiddenAddress`)
/// happen before any connection is opened.
public enum OutboundError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedURL
    case notHTTPS
    case hostNotAllowed(String)
    case unresolvable(String)
    case forbiddenAddress(String)
    case redirectRefused(Int)
    case responseTooLarge
    case timedOut
    case failed(String)

    public var description: String {
        switch self {
        case .malformedURL: "malformed URL"
        case .notHTTPS: "only https is allowed"
        case .hostNotAllowed(let h): "host \(h) is not on the outbound allow-list"
        case .unresolvable(let h): "host \(h) did not resolve"
        case .forbiddenAddress(let a): "address \(a) is not a public unicast address"
        case .redirectRefused(let s): "redirect (\(s)) not followed"
        case .responseTooLarge: "response larger than the limit"
        case .timedOut: "timed out"
        case .failed(let why): "failed: \(why)"
        }
    }
}

public struct OutboundRequest: Sendable {
    public var url: String
    public var method: String
    public var headers: [(String, String)]
    public var body: [UInt8]?

    public init(url: String, method: String = "GET", headers: [(String, String)] = [], body: [UInt8]? = nil) {
        (self.url, self.method, self.headers, self.body) = (url, method, headers, body)
    }
}

public struct OutboundResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        (self.status, self.headers, self.body) = (status, headers, body)
    }
}
