import Crypto
public import Foundation

/// The tamper-evident audit trail: every entry stores the SHA-256 of the previous entry and of
/// its own canonical content, plus an HMAC of that hash with a key the database does not hold.
/// Editing, deleting or reordering a row breaks the chain; recomputing the chain after an edit
/// needs the key.
public struct AuditChain: Sendable {
    /// The `prev_hash` of the first entry.
    public static let genesis = String(repeating: "0", count: 64)
    private let key: SymmetricKey

    /// `key` must be at least 32 bytes.
    public init?(key: [UInt8]) {
        guard key.count >= 32 else { return nil }
        self.key = SymmetricKey(data: key)
    }

    /// Parses a base64 key (`AUDIT_KEY`).
    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        self.init(key: Array(data))
    }

    public static func generateKey() -> String {
        Data(SecureRandom.bytes(32)).base64EncodedString()
    }

    /// A deterministic serialisation of an entry's fields: a JSON array of strings and nulls.
    public static func canonical(_ fields: [String?]) -> String {
        let escaped = fields.map { field -> String in
            guard let field else { return "null" }
            let data = try? JSONSerialization.data(withJSONObject: [field], options: [.withoutEscapingSlashes])
            return data.map { String(decoding: $0.dropFirst().dropLast(), as: UTF8.self) } ?? "null"
        }
        return "[" + escaped.joined(separator: ",") + "]"
    }

    public func entryHash(previous: String, canonical: String) -> String {
        SHA256.hash(data: Data((previous + "\n" + canonical).utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public func mac(entryHash: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(entryHash.utf8), using: key).map { String(format: "%02x", $0) }.joined()
    }

    public func isValid(mac: String, entryHash: String) -> Bool {
        constantTimeEquals(mac, self.mac(entryHash: entryHash))
    }

    /// The MAC of the chain head row: the first chained sequence (rows below it may be legacy),
    /// the last sequence and its hash. Moving the head or its first sequence needs the key.
    public func headMAC(firstSeq: Int64, lastSeq: Int64, lastHash: String) -> String {
        mac(entryHash: "head2:\(firstSeq):\(lastSeq):\(lastHash)")
    }

    /// Whether `mac` signs this head: the current form, or the form written before the head
    /// recorded its first sequence (migration 8), which the next append replaces.
    public func isValidHead(mac: String, firstSeq: Int64, lastSeq: Int64, lastHash: String) -> Bool {
        constantTimeEquals(mac, headMAC(firstSeq: firstSeq, lastSeq: lastSeq, lastHash: lastHash))
            || isValid(mac: mac, entryHash: "head:\(lastSeq):\(lastHash)")
    }
}
