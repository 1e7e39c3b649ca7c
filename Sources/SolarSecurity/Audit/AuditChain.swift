import Crypto
public import Foundation

/// The tamper-evident audit trail: every entry stores the SHA-256 of the previous entry and of
/// its own canonical content, plus an HMAC of that hash with a key the database does not hold.
/// Editing, deleting or reordering a row breaks the chain; recomputing the chain after an edit
/// needs the key.
public struct AuditChain: Sendable {
    /// The `prev_hash` of the first entry.
    public static let genesis = String(repeating: "0", count: 64)
    /// The key ring: the first key signs new entries, the head and checkpoints; the others are
    /// retired keys that only verify what they signed before a rotation (`AUDIT_KEY=new,old`).
    private let keys: [SymmetricKey]
    /// One keyed HMAC per key, copied for each MAC: keying HMAC (the inner and outer pads) cost
    /// as much as the MAC itself, and the chain check computes one per entry.
    private let keyed: [HMAC<SHA256>]

    /// `key` must be at least 32 bytes.
    public init?(key: [UInt8]) {
        self.init(keys: [key])
    }

    /// A ring, newest first; every key at least 32 bytes, none twice.
    public init?(keys: [[UInt8]]) {
        guard !keys.isEmpty, keys.allSatisfy({ $0.count >= 32 }), Set(keys).count == keys.count else { return nil }
        self.keys = keys.map { SymmetricKey(data: $0) }
        self.keyed = self.keys.map { HMAC<SHA256>(key: $0) }
    }

    /// Parses `AUDIT_KEY`: one base64 key, or a comma-separated ring, newest first.
    public init?(base64: String) {
        let parts = base64.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let decoded = parts.compactMap { Data(base64Encoded: $0).map(Array.init) }
        guard decoded.count == parts.count else { return nil }
        self.init(keys: decoded)
    }

    /// How many keys the ring holds (1 + retired keys).
    public var keyCount: Int { keys.count }

    public static func generateKey() -> String {
        Data(SecureRandom.bytes(32)).base64EncodedString()
    }

    /// The SHA-256, as hex, of `previous`, a new line and the entry's canonical text.
    public func entryHash(previous: String, canonical: String) -> String {
        Self.entryHash(previous: previous, extraCapacity: canonical.utf8.count) { $0.append(contentsOf: canonical.utf8) }
    }

    static func entryHash(previous: String, extraCapacity: Int, _ appendCanonical: (inout [UInt8]) -> Void) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(previous.utf8.count + 1 + extraCapacity)
        bytes.append(contentsOf: previous.utf8)
        bytes.append(UInt8(ascii: "\n"))
        appendCanonical(&bytes)
        return Hex.encode(SHA256.hash(data: bytes))
    }

    /// The MAC with the signing (newest) key.
    public func mac(entryHash: String) -> String {
        Self.mac(entryHash, keyed[0])
    }

    static func mac(_ text: String, _ keyed: HMAC<SHA256>) -> String {
        var hmac = keyed
        hmac.update(data: Array(text.utf8))
        return Hex.encode(hmac.finalize())
    }

    /// The position in the ring (0 = newest) of the key that made `mac`, or nil.
    public func keyIndex(mac: String, entryHash: String) -> Int? {
        // Compared as bytes against the stored hex, without a String per MAC computed: the
        // chain check runs this for every entry.
        var text = entryHash, stored = mac
        return text.withUTF8 { message in
            stored.withUTF8 { storedHex in
                keyed.firstIndex { keyed in
                    var hmac = keyed
                    hmac.update(data: UnsafeRawBufferPointer(message))
                    return Hex.constantTimeEquals(hmac.finalize(), hex: storedHex)
                }
            }
        }
    }

    public func isValid(mac: String, entryHash: String) -> Bool {
        keyIndex(mac: mac, entryHash: entryHash) != nil
    }

    /// The MAC of the chain head row: the first chained sequence (rows below it may be legacy),
    /// the last sequence and its hash. Moving the head or its first sequence needs the key.
    public func headMAC(firstSeq: Int64, lastSeq: Int64, lastHash: String) -> String {
        mac(entryHash: "head2:\(firstSeq):\(lastSeq):\(lastHash)")
    }

    /// Whether `mac` signs this head: the current form, or the form written before the head
    /// recorded its first sequence (migration 8), which the next append replaces.
    public func isValidHead(mac: String, firstSeq: Int64, lastSeq: Int64, lastHash: String) -> Bool {
        headKeyIndex(mac: mac, firstSeq: firstSeq, lastSeq: lastSeq, lastHash: lastHash) != nil
    }

    /// The position in the ring of the key that signed the head, or nil.
    public func headKeyIndex(mac: String, firstSeq: Int64, lastSeq: Int64, lastHash: String) -> Int? {
        keyIndex(mac: mac, entryHash: "head2:\(firstSeq):\(lastSeq):\(lastHash)") ?? keyIndex(mac: mac, entryHash: "head:\(lastSeq):\(lastHash)")
    }
}
