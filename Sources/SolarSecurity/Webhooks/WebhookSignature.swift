public import Foundation
import Crypto

/// Signed webhooks (the payment provider's events): the `Solar-Signature` header is
/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, with one `v1` per secret while a
/// secret is being rotated. An event is genuine when a `v1` matches one of the configured
/// secrets (compared in constant time) and `t` is within the tolerance of now.
public struct WebhookSignature: Sendable {
    public enum Refusal: String, Error, Sendable, Equatable {
        case missing = "unsigned"
        case malformed
        case stale
        case mismatch = "bad-signature"
    }

    public let secrets: [String]
    public let tolerance: TimeInterval

    public init(secrets: [String], tolerance: TimeInterval = 300) {
        self.secrets = secrets
        self.tolerance = tolerance
    }

    public func verify(header: String?, body: some DataProtocol, now: Date) throws(Refusal) {
        guard let header, !header.isEmpty else { throw .missing }
        var timestamp: Int64?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { throw .malformed }
            switch pair[0] {
            case "t": timestamp = Int64(pair[1])
            case "v1": signatures.append(pair[1].lowercased())
            default: continue
            }
        }
        guard let timestamp, !signatures.isEmpty else { throw .malformed }
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else { throw .stale }
        let expected = secrets.map { Self.signature(secret: $0, timestamp: timestamp, body: body) }
        let matched = expected.contains { e in signatures.contains { Self.constantTimeEqual(e, $0) } }
        guard matched else { throw .mismatch }
    }

    /// The header value a sender puts on `body` at `timestamp` with `secret`.
    public static func header(secret: String, timestamp: Int64, body: some DataProtocol) -> String {
        "t=\(timestamp),v1=\(signature(secret: secret, timestamp: timestamp, body: body))"
    }

    static func signature(secret: String, timestamp: Int64, body: some DataProtocol) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: Data(secret.utf8)))
        mac.update(data: Data("\(timestamp).".utf8))
        mac.update(data: Data(body))
        return mac.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
