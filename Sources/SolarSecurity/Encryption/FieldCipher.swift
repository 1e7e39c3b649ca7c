import Crypto
public import Foundation

/// Field-level encryption with AES-256-GCM and a key ring.
///
/// A ciphertext is `v1:<key id>:<base64(nonce | ciphertext | tag)>`: it names its key, so keys
/// can rotate. The associated data binds it to its place (for example `mfa_totp.secret:<row id>`),
/// so a ciphertext copied into another row or column fails to decrypt.
public struct FieldCipher: Sendable {
    public struct Key: Sendable {
        public let id: String
        let key: SymmetricKey

        public init?(id: String, base64: String) {
            guard !id.isEmpty, id.count <= 32, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }),
                  let data = Data(base64Encoded: base64), data.count == 32 else { return nil }
            self.id = id
            self.key = SymmetricKey(data: data)
        }
    }

    /// The key new ciphertexts use.
    public let active: Key
    private let keys: [String: Key]

    public init(active: Key, others: [Key] = []) {
        self.active = active
        self.keys = Dictionary((others + [active]).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Parses `id:base64key` entries separated by commas or new lines; the first is active.
    public init?(keyRing text: String) {
        let entries = text.split(whereSeparator: { $0 == "," || $0 == "\n" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let keys = entries.compactMap { entry -> Key? in
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            return parts.count == 2 ? Key(id: parts[0], base64: parts[1]) : nil
        }
        guard let first = keys.first, keys.count == entries.count else { return nil }
        self.init(active: first, others: Array(keys.dropFirst()))
    }

    /// The same ring with only the active key (after a rotation finished).
    public var withoutInactiveKeys: FieldCipher { FieldCipher(active: active) }

    /// A new random key ring entry, `id:base64key`.
    public static func generateKeyEntry(id: String) -> String {
        "\(id):" + Data(SecureRandom.bytes(32)).base64EncodedString()
    }

    public func encrypt(_ plaintext: String, context: String) throws -> String {
        let sealed = try AES.GCM.seal(Data(plaintext.utf8), using: active.key, authenticating: Data(context.utf8))
        guard let combined = sealed.combined else { throw FieldCipherError.malformed }
        return "v1:\(active.id):" + combined.base64EncodedString()
    }

    public func decrypt(_ ciphertext: String, context: String) throws -> String {
        // `v1:<id>:<base64>`, read in place: rows carry one of these each, and splitting it
        // into strings showed in the order list's profile.
        let utf8 = ciphertext.utf8
        guard utf8.starts(with: "v1:".utf8) else { throw FieldCipherError.malformed }
        let idStart = utf8.index(utf8.startIndex, offsetBy: 3)
        guard let colon = utf8[idStart...].firstIndex(of: UInt8(ascii: ":")), colon > idStart else { throw FieldCipherError.malformed }
        guard let data = Data(base64Encoded: Self.data(utf8[utf8.index(after: colon)...])) else { throw FieldCipherError.malformed }
        guard let key = keys[String(ciphertext[idStart..<colon])] else { throw FieldCipherError.unknownKey }
        do {
            let box = try AES.GCM.SealedBox(combined: data)
            return String(decoding: try AES.GCM.open(box, using: key.key, authenticating: Self.data(context.utf8[...])), as: UTF8.self)
        } catch {
            throw FieldCipherError.authenticationFailed
        }
    }
}

extension FieldCipher {
    /// The bytes of UTF-8 text, copied at once (`Data(utf8)` copies byte by byte).
    private static func data(_ utf8: Substring.UTF8View) -> Data {
        utf8.withContiguousStorageIfAvailable { Data($0) } ?? Data(utf8)
    }
}

/// Why a ciphertext could not be opened. None carries key material or plaintext.
public enum FieldCipherError: Error, Sendable {
    case malformed
    case unknownKey
    case authenticationFailed
}
